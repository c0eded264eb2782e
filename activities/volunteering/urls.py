from django.urls import path

from . import views

app_name = "volunteering"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("mine/", views.my_activities, name="mine"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/publish/", views.activity_publish, name="publish"),
    path("<int:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("<int:pk>/signup/", views.signup, name="signup"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/record/", views.activity_record, name="record"),
    path("<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    # QR check-in
    path("<int:pk>/qr/", views.checkin_qr, name="checkin_qr"),
    path("<int:pk>/qr.svg", views.checkin_qr_image, name="checkin_qr_image"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
]
