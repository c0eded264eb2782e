"""Dues money and excuses on record (issue 14, point 10): a payment is recorded in the audit records with who and
what; withdrawing a month's excuse keeps who excused it and when, and the member's history says who withdrew it."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from buildingparty.models import AuditRecord
from members.dues import services as dues_services
from members.dues.models import DuesPayment
from members.dues.tests.factories import month, open_bill, paying_member
from members.dues.tests.test_views import other_branch_member, own  # noqa: F401 (fixtures)
from members.models import MemberChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_payment_is_on_record_with_who_and_how_much(branch_a, secretary_a):
    member = paying_member(branch_a, user=UserFactory(username="payer", role="member", building=branch_a.building))
    payment = dues_services.record_payment(
        member=member,
        amount=Decimal("120.00"),
        paid_on=timezone.localdate(),
        method=DuesPayment.Method.CASH,
        first_month=month(0),
        last_month=month(0),
        by=secretary_a,
    )
    record = AuditRecord.objects.get(object_type="dues.duespayment", object_id=str(payment.pk))
    assert (record.action, record.actor, record.building_id) == (
        AuditRecord.Action.MONEY_CREATED,
        secretary_a,
        branch_a.building_id,
    )
    assert record.changes["amount"] == [None, "120.00"] and record.changes["member"] == [None, str(member)]


def test_withdrawing_an_excuse_keeps_who_excused_it_and_records_who_withdrew_it(branch_a, secretary_a, admin_user):
    bill = open_bill(paying_member(branch_a), -2)
    bill = dues_services.excuse_bill(bill=bill, reason="经支部同意缓交", by=secretary_a)
    excused_at = bill.excused_at

    bill = dues_services.excuse_bill(bill=bill, reason="", by=admin_user)

    assert (bill.excused_reason, bill.excused_by, bill.excused_at) == ("", secretary_a, excused_at)
    recorded, withdrawn = MemberChange.objects.filter(member=bill.member).order_by("pk")
    assert (recorded.changed_by, recorded.changes) == (secretary_a, {"excused_reason": ["", "经支部同意缓交"]})
    assert (withdrawn.changed_by, withdrawn.changes) == (admin_user, {"excused_reason": ["经支部同意缓交", ""]})
    assert "经支部同意缓交" in withdrawn.note and withdrawn.changed_at >= excused_at


def test_a_secretary_withdrawing_on_the_page_is_on_the_members_history(secretary_a_client, secretary_a, own):  # noqa: F811
    bill = own.dues_bills.get(month=month(0))
    url = reverse("dues:excuse_bill", args=[bill.pk])
    secretary_a_client.post(url, {"excused_reason": "住院"})
    response = secretary_a_client.post(url, {"excused_reason": ""})

    assert response.status_code == 302
    withdrawn = MemberChange.objects.filter(member=own).latest("pk")
    assert withdrawn.changed_by == secretary_a and withdrawn.changes == {"excused_reason": ["住院", ""]}


def test_withdrawing_stays_in_scope(secretary_a_client, other_branch_member):  # noqa: F811
    other = other_branch_member.dues_bills.get()
    response = secretary_a_client.post(reverse("dues:excuse_bill", args=[other.pk]), {"excused_reason": ""})
    assert response.status_code == 404 and not MemberChange.objects.filter(member=other_branch_member).exists()


def test_withdrawing_needs_a_manager_and_a_signed_in_user(client, member_user, own):  # noqa: F811
    url = reverse("dues:excuse_bill", args=[own.dues_bills.get(month=month(0)).pk])
    response = client.post(url, {"excused_reason": ""})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(member_user)
    assert client.post(url, {"excused_reason": ""}).status_code == 403
