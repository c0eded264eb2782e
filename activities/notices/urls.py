"""URLs under /activities/notices/ (namespace ``notices``)."""

from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.board, name="board"),
    path("rules/", views.rules, name="rules"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/pin/", views.pin, name="pin"),
    path("<int:pk>/unpin/", views.unpin, name="unpin"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/receipts/", views.receipts, name="receipts"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
]
