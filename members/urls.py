from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("mine/", views.my_record, name="mine"),
    path("<int:pk>/", views.member_detail, name="detail"),
]
