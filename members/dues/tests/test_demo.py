"""The demo's party dues (members/dues_demo.py): what a secretary and member1 find after `seed_demo`."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from buildingparty.models import Notification, User
from members.dues.models import DuesBill, DuesPayment, DuesStandard
from members.dues.rules import monthly_dues
from members.dues.selectors import arrears_map, paid_up_to
from members.models import Member, add_months

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def this_month():
    return timezone.localdate().replace(day=1)


def paying_members():
    return Member.objects.filter(status=Member.Status.NORMAL, whereabouts=Member.Whereabouts.HERE)


def test_the_demo_gives_a_year_of_dues_of_every_kind_with_a_few_members_behind(client):
    """One seed for all the checks: seeding takes seconds."""
    year = timezone.localdate().year

    # Every member in normal standing has a confirmed standard for this year; every kind is there.
    standards = DuesStandard.objects.filter(year=year, status=DuesStandard.Status.CONFIRMED)
    assert standards.count() == paying_members().count()
    kinds = Counter(standards.values_list("kind", flat=True))
    assert set(kinds) == {"employed", "self_employed", "retired", "student", "unemployed", "low_income", "rural"}
    assert kinds.most_common(1)[0][0] == "employed"
    assert all(s.computed_amount == monthly_dues(s.declared_base, s.kind) for s in standards)

    # One hardship reduction with reason and approver; some dues paid by a relative or another member (代交),
    # none by an enterprise (公款代交 is forbidden).
    reduced = standards.get(override_amount__isnull=False)
    assert reduced.override_reason and "批准" in reduced.override_approved_by
    payers = Counter(standards.values_list("payer", flat=True))
    assert set(payers) <= {"self", "other"} and payers["other"] >= 2
    proxy = DuesPayment.objects.filter(method=DuesPayment.Method.PROXY)
    assert proxy.exists() and not proxy.filter(payer_name="").exists()
    assert any("（党员）" in name for name in proxy.values_list("payer_name", flat=True))
    assert not DuesPayment.objects.filter(note__contains="企业").exists()

    # A year of bills up to this month, most paid; several months at once only with the branch's consent.
    months = set(DuesBill.objects.values_list("month", flat=True))
    assert add_months(this_month(), -11) in months and this_month() in months
    past = DuesBill.objects.filter(month__lt=this_month())
    assert past.filter(paid_on__isnull=False).count() > 0.85 * past.count()
    several = [p for p in DuesPayment.objects.select_related("consent_by") if p.month_count > 1]
    assert several and all(p.consent_by and p.consent_note for p in several)

    # The ledger adds up.
    for bill in DuesBill.objects.annotate(allocated=Sum("allocations__amount")):
        assert bill.paid_amount == (bill.allocated or Decimal("0"))

    # Three members 3, 4 and 5 months behind; one seven months behind and in contact, flagged once; the member
    # out of contact is as far behind but on the lost-contact route, not flagged.
    debts = arrears_map(paying_members().values_list("pk", flat=True))
    assert [r for r in sorted(d.longest_run for d in debts.values()) if 3 <= r <= 5] == [3, 4, 5]
    candidates = [d for d in debts.values() if d.is_candidate]
    assert len(candidates) == 1
    assert Member.objects.get(pk=candidates[0].member_id).lost_contact_since is None
    lost = [d for d in debts.values() if Member.objects.get(pk=d.member_id).lost_contact_since]
    assert lost and all(d.longest_run >= 6 and not d.is_candidate for d in lost)
    assert Notification.objects.filter(event="dues_candidate").count() == 1
    assert DuesBill.objects.exclude(excused_reason="").count() == 1

    # member1 is up to date except perhaps this month, and was told of this month's bill only.
    member1 = Member.objects.get(user__username="member1")
    assert member1.dues_payments.exists() and paid_up_to(member1) >= add_months(this_month(), -1)
    assert member1.pk not in arrears_map([member1.pk])
    assert Notification.objects.filter(user=member1.user, event="dues_bill").count() == 1

    # secretary1's pages show her month and the arrears.
    client.force_login(User.objects.get(username="secretary1"))
    assert client.get("/members/dues/").status_code == 200
    assert client.get("/members/dues/arrears/").status_code == 200


def test_a_second_seed_adds_no_dues_and_no_notifications():
    counts = (DuesStandard.objects.count(), DuesBill.objects.count(), DuesPayment.objects.count())
    notes = Notification.objects.count()

    call_command("seed_demo", stdout=io.StringIO())

    assert (DuesStandard.objects.count(), DuesBill.objects.count(), DuesPayment.objects.count()) == counts
    assert Notification.objects.count() == notes
