from django.urls import path

from . import views

app_name = "funds"

urlpatterns = [
    path("", views.fund_list, name="list"),
    path("new/", views.fund_create, name="create"),
    path("<int:pk>/edit/", views.fund_edit, name="edit"),
    path("<int:pk>/", views.fund_history, name="history"),
    path("summary/", views.fund_summary, name="summary"),
    path("export/", views.fund_export, name="export"),
]
