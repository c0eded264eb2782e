from django.urls import path

from .views import library, reception, requests, stats

app_name = "services"

urlpatterns = [
    path("", requests.request_list, name="list"),
    path("new/", requests.request_create, name="create"),
    path("<int:pk>/", requests.request_detail, name="detail"),
    path("<int:pk>/step/<slug:step>/", requests.request_step, name="step"),
    path("<int:pk>/comment/", requests.request_comment, name="comment"),
    path("<int:pk>/rate/", requests.request_rate, name="rate"),
    path("<int:pk>/assign/", requests.request_assign, name="assign"),
    path("<int:pk>/link-transfer/", requests.request_link_transfer, name="link_transfer"),
    path("attachments/<int:pk>/", requests.attachment, name="attachment"),
    path("reception/", reception.reception_list, name="reception_list"),
    path("reception/new/", reception.reception_create, name="reception_create"),
    path("reception/<int:pk>/to-request/", reception.reception_to_request, name="reception_to_request"),
    path("library/", library.material_list, name="material_list"),
    path("library/new/", library.material_create, name="material_create"),
    path("library/<int:pk>/edit/", library.material_edit, name="material_edit"),
    path("library/<int:pk>/borrow/", library.loan_request, name="loan_request"),
    path("library/loans/", library.loan_list, name="loan_list"),
    path("library/loans/<int:pk>/lend/", library.loan_lend, name="loan_lend"),
    path("library/loans/<int:pk>/return/", library.loan_return, name="loan_return"),
    path("statistics/", stats.statistics, name="statistics"),
    path("export/", stats.export_register, name="export"),
]
