"""URLs under /activities/appraisal/ (namespace ``appraisal``)."""

from django.urls import path

from . import views

app_name = "appraisal"

urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_open, name="open"),
    path("mine/", views.mine, name="mine"),
    path("mine/peers/", views.peer, name="peer"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/close/", views.round_close, name="close"),
    path("<int:pk>/export/", views.export, name="export"),
    path("members/<int:pk>/grade/", views.grade, name="grade"),
]
