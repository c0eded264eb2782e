"""URLs under /activities/showcase/ (namespace ``showcase``)."""

from django.urls import path

from . import views

app_name = "showcase"

urlpatterns = [
    path("", views.index, name="index"),
    path("building/<int:pk>/", views.building, name="building"),
    path("building/<int:pk>/print/", views.building_print, name="building_print"),
    path("branch/<int:pk>/", views.branch, name="branch"),
    path("branch/<int:pk>/print/", views.branch_print, name="branch_print"),
    path("photo/<int:pk>/", views.photo, name="photo"),
    path("mine/", views.mine, name="mine"),
    path("mine/withdraw/", views.mine_withdraw, name="mine_withdraw"),
    path("members/", views.manage, name="manage"),
    path("members/<int:pk>/", views.member, name="member"),
    path("members/<int:pk>/withdraw/", views.member_withdraw, name="member_withdraw"),
]
