"""The survey's pages (调查摸底), under /enterprises/ as always: buildingparty/urls.py includes them there."""

from django.urls import path

from . import views

app_name = "survey"

urlpatterns = [
    path("survey/", views.campaign_list, name="campaign_list"),
    path("survey/new/", views.campaign_create, name="campaign_create"),
    path("survey/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("survey/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("survey/<int:pk>/visit/<int:enterprise_pk>/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/<int:pk>/close/", views.lead_close, name="lead_close"),
]
