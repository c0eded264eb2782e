from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("letters/", views.letter_list, name="letter_list"),
    path("letters/new/", views.letter_create, name="letter_create"),
    path("letters/<int:pk>/edit/", views.letter_edit, name="letter_edit"),
    path("letters/<int:pk>/print/", views.letter_print, name="letter_print"),
    path("funds/", views.fund_list, name="fund_list"),
    path("funds/new/", views.fund_create, name="fund_create"),
    path("funds/<int:pk>/edit/", views.fund_edit, name="fund_edit"),
    path("funds/summary/", views.fund_summary, name="fund_summary"),
    path("funds/export/", views.fund_export, name="fund_export"),
]
