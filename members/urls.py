from django.urls import path

from members.leads import views as leads
from members.transfers import views as transfers
from members.views import pickers, records, register

app_name = "members"

urlpatterns = [
    # records
    path("", records.member_list, name="list"),
    path("mine/", records.my_record, name="mine"),
    path("new/", records.member_create, name="create"),
    path("<int:pk>/", records.member_detail, name="detail"),
    path("<int:pk>/edit/", records.member_edit, name="edit"),
    path("<int:pk>/reveal-id/", records.reveal_id, name="reveal_id"),
    path("<int:pk>/edit/reveal-id/", records.member_edit_reveal_id, name="edit_reveal_id"),
    path("<int:pk>/propose/", records.propose_change, name="propose"),
    path("<int:pk>/standing/", records.change_status, name="change_status"),
    path("<int:pk>/mobile/", records.mobile, name="mobile"),
    path("<int:pk>/lost-contact/", records.lost_contact, name="lost_contact"),
    path("proposals/", records.proposal_list, name="proposals"),
    # pickers' suggestions
    path("search/", pickers.member_search, name="search"),
    path("accounts/search/", pickers.account_search, name="account_search"),
    path("proposals/<int:pk>/decide/", records.proposal_decide, name="proposal_decide"),
    # register: export, import, printable form
    path("export/", register.export_members, name="export"),
    path("import/", register.import_members, name="import"),
    path("import/template.xlsx", register.import_template, name="import_template"),
    path("<int:pk>/form/", register.print_form, name="print_form"),
    # transfers
    path("transfers/", transfers.transfer_list, name="transfer_list"),
    path("transfers/in/", transfers.transfer_in, name="transfer_in"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/letter/", transfers.transfer_letter, name="transfer_letter"),
    path("transfers/<int:pk>/<slug:action>/", transfers.transfer_action, name="transfer_action"),
    path("<int:pk>/transfer/", transfers.transfer_create, name="transfer_create"),
    # survey leads and incoming mobile members (流入党员)
    path("leads/<int:pk>/transfer-in/", leads.lead_transfer_in, name="lead_transfer_in"),
    path("leads/<int:pk>/incoming/", leads.lead_incoming, name="lead_incoming"),
    path("incoming/", leads.incoming_list, name="incoming_list"),
]
