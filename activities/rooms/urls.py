"""URLs under /activities/rooms/ (namespace ``rooms``)."""

from django.urls import path

from . import views

app_name = "rooms"

urlpatterns = [
    path("", views.room_list, name="list"),
    path("new/", views.room_create, name="create"),
    path("<int:pk>/edit/", views.room_edit, name="edit"),
    path("week/", views.week, name="week"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/new/", views.booking_create, name="book"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="cancel"),
]
