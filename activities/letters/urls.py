from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("", views.letter_list, name="list"),
    path("new/", views.letter_create, name="create"),
    path("<int:pk>/edit/", views.letter_edit, name="edit"),
    path("<int:pk>/print/", views.letter_print, name="print"),
]
