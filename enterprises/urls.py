from django.urls import path

from .views import register, registry

app_name = "enterprises"

urlpatterns = [
    # registry
    path("", registry.enterprise_list, name="list"),
    path("mine/", registry.my_enterprise, name="mine"),
    path("new/", registry.enterprise_create, name="create"),
    path("coverage/", registry.coverage, name="coverage"),
    path("search/", registry.enterprise_search, name="search"),
    path("<int:pk>/", registry.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", registry.enterprise_edit, name="edit"),
    path("<int:pk>/move/", registry.enterprise_move, name="move"),
    # register: export and import
    path("export/", register.export_enterprises, name="export"),
    path("import/", register.import_enterprises, name="import"),
    path("import/template.xlsx", register.import_template, name="import_template"),
]
