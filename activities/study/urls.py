"""URLs under /activities/study/ (namespace ``study``)."""

from django.urls import path

from . import views

app_name = "study"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("new/", views.session_create, name="session_create"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/material/", views.material, name="material"),
    path("hours/", views.hours, name="hours"),
    path("mine/", views.my_hours, name="mine"),
]
