"""URLs under /members/dues/ (namespace ``dues``): bills, payments and arrears; each member's standard per year
and the yearly declaration round; the dues reports and their export."""

from django.urls import path

from .views import bills, reports

app_name = "dues"

urlpatterns = [
    path("", bills.dues_month, name="month"),
    path("generate/", bills.dues_generate, name="generate"),
    path("mine/", bills.my_dues, name="mine"),
    path("arrears/", bills.dues_arrears, name="arrears"),
    path("member/<int:pk>/", bills.member_dues, name="member"),
    path("member/<int:pk>/pay/", bills.record_payment, name="record_payment"),
    path("member/<int:pk>/pay/owed/", bills.payment_owed, name="payment_owed"),
    path("bills/<int:pk>/excuse/", bills.excuse_bill, name="excuse_bill"),
    # standards (党费标准) and the yearly "declare your base" round
    path("standards/", reports.standard_list, name="standards"),
    path("standards/mine/", reports.declare, name="declare"),
    path("standards/round/", reports.declaration_round, name="round"),
    path("standards/member/<int:member_pk>/<int:year>/", reports.standard_detail, name="standard"),
    path("standards/<int:pk>/confirm/", reports.standard_confirm, name="standard_confirm"),
    path("standards/<int:pk>/override/", reports.standard_override, name="standard_override"),
    # reports: the ledger (党费交纳台账) and its export, collection by branch and month, the yearly report
    path("reports/ledger/", reports.ledger_page, name="ledger"),
    path("reports/ledger/export/", reports.ledger_export, name="ledger_export"),
    path("reports/collection/", reports.collection_page, name="collection"),
    path("reports/annual/", reports.annual_report_page, name="annual_report"),
]
