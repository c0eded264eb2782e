from django.urls import path

from .views import register, registry, survey

app_name = "enterprises"

urlpatterns = [
    # registry
    path("", registry.enterprise_list, name="list"),
    path("mine/", registry.my_enterprise, name="mine"),
    path("new/", registry.enterprise_create, name="create"),
    path("coverage/", registry.coverage, name="coverage"),
    path("<int:pk>/", registry.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", registry.enterprise_edit, name="edit"),
    path("<int:pk>/move/", registry.enterprise_move, name="move"),
    # register: export and import
    path("export/", register.export_enterprises, name="export"),
    path("import/", register.import_enterprises, name="import"),
    path("import/template.xlsx", register.import_template, name="import_template"),
    # survey (调查摸底)
    path("survey/", survey.campaign_list, name="campaign_list"),
    path("survey/new/", survey.campaign_create, name="campaign_create"),
    path("survey/<int:pk>/", survey.campaign_detail, name="campaign_detail"),
    path("survey/<int:pk>/edit/", survey.campaign_edit, name="campaign_edit"),
    path("survey/<int:pk>/visit/<int:enterprise_pk>/", survey.visit_create, name="visit_create"),
    path("visits/<int:pk>/", survey.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", survey.visit_edit, name="visit_edit"),
    path("follow-ups/<int:pk>/done/", survey.follow_up_done, name="follow_up_done"),
    path("leads/", survey.lead_list, name="lead_list"),
    path("leads/<int:pk>/close/", survey.lead_close, name="lead_close"),
]
