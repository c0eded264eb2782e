"""URLs under /activities/visits/ (namespace ``visits``)."""

from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("new/", views.visit_create, name="create"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/edit/", views.visit_edit, name="edit"),
    path("<int:pk>/follow-up/", views.follow_up_done, name="follow_up_done"),
    path("members/<int:pk>/", views.member_visits, name="member"),
    path("members/<int:pk>/assistance/", views.assistance_create, name="assistance_create"),
    path("hardship/", views.hardship_list, name="hardship"),
    path("hardship/new/", views.hardship_open, name="hardship_open"),
    path("hardship/<int:pk>/close/", views.hardship_close, name="hardship_close"),
    path("summary/", views.summary, name="summary"),
]
