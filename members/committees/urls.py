"""URLs under /members/committees/ (namespace ``committees``). An organisation's committee is found by the
organisation's id."""

from django.urls import path

from . import views

app_name = "committees"

urlpatterns = [
    path("", views.committee_list, name="list"),
    path("due/", views.committee_due, name="due"),
    path("<int:pk>/", views.committee_detail, name="detail"),
    path("<int:pk>/elect/", views.committee_elect, name="elect"),
    path("<int:pk>/seats/new/", views.seat_add, name="seat_add"),
    path("seats/<int:pk>/end/", views.seat_end, name="seat_end"),
]
