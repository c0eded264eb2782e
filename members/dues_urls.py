"""URLs under /members/dues/ (included by members/urls.py, in the members namespace): bills, payments, arrears."""

from django.urls import path

from .views import dues

urlpatterns = [
    path("", dues.dues_month, name="dues_month"),
    path("generate/", dues.dues_generate, name="dues_generate"),
    path("mine/", dues.my_dues, name="my_dues"),
    path("arrears/", dues.dues_arrears, name="dues_arrears"),
    path("member/<int:pk>/", dues.member_dues, name="member_dues"),
    path("member/<int:pk>/pay/", dues.record_payment, name="record_payment"),
    path("bills/<int:pk>/excuse/", dues.excuse_bill, name="excuse_bill"),
]
