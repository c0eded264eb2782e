"""URLs under /members/dues/ (included by members/urls.py, in the members namespace): each member's dues
standard per year, the yearly declaration round, and the dues reports and their export."""

from django.urls import path

from .views import dues_reports

urlpatterns = [
    # standards (党费标准) and the yearly "declare your base" round
    path("standards/", dues_reports.standard_list, name="dues_standards"),
    path("standards/mine/", dues_reports.declare, name="dues_declare"),
    path("standards/round/", dues_reports.declaration_round, name="dues_round"),
    path("standards/member/<int:member_pk>/<int:year>/", dues_reports.standard_detail, name="dues_standard"),
    path("standards/<int:pk>/confirm/", dues_reports.standard_confirm, name="dues_standard_confirm"),
    path("standards/<int:pk>/override/", dues_reports.standard_override, name="dues_standard_override"),
    # reports: the ledger (党费收缴台账) and its export, collection by branch and month, the yearly report
    path("reports/ledger/", dues_reports.ledger_page, name="dues_ledger"),
    path("reports/ledger/export/", dues_reports.ledger_export, name="dues_ledger_export"),
    path("reports/collection/", dues_reports.collection_page, name="dues_collection"),
    path("reports/annual/", dues_reports.annual_report_page, name="dues_annual_report"),
]
