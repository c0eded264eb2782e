"""Recording dues: months, consent, partial payments, 代交, paying ahead and back, and "党费已交到"."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from buildingparty.models import Notification
from members.dues import services as dues_services
from members.dues.models import DuesAllocation, DuesBill, DuesPayment
from members.dues.selectors import arrears_map, paid_up_to, paid_up_to_map, standards_in_force
from members.dues.tests.factories import StandardFactory, month, open_bill, paid_bill, paying_member
from members.models import Member
from tests.concurrency import at_the_same_moment
from tests.factories import MemberFactory, UserFactory


@pytest.fixture
def member(branch_a):
    user = UserFactory(username="payer", role="member", building=branch_a.building)
    return paying_member(branch_a, user=user)


def pay(member, by, **kwargs):
    defaults = {
        "amount": Decimal("120.00"),
        "paid_on": timezone.localdate(),
        "method": DuesPayment.Method.CASH,
        "first_month": month(0),
        "last_month": month(0),
    }
    return dues_services.record_payment(member=member, by=by, **{**defaults, **kwargs})


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def assert_allocations_add_up():
    for bill in DuesBill.objects.all():
        allocated = bill.allocations.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        assert bill.paid_amount == allocated, bill


def test_one_months_dues_pay_that_months_bill_in_full(member, secretary_a):
    payment = pay(member, secretary_a, receipt_number="DF-0001")

    bill = DuesBill.objects.get(member=member, month=month(0))
    assert bill.is_paid and bill.paid_on == timezone.localdate()
    assert payment.recorded_by == secretary_a and payment.receipt_number == "DF-0001"
    assert [(a.bill, a.amount) for a in payment.allocations.all()] == [(bill, Decimal("120.00"))]
    assert paid_up_to(member) == month(0)
    assert_allocations_add_up()


def test_the_member_is_told_their_payment_was_recorded(member, secretary_a):
    pay(member, secretary_a)

    note = Notification.objects.get(user=member.user)
    assert note.event == "dues_paid" and "120.00" in note.title


def test_three_months_with_consent_are_paid_oldest_first(member, secretary_a):
    for offset in (-2, -1, 0):
        open_bill(member, offset)

    payment = pay(
        member,
        secretary_a,
        amount=Decimal("360.00"),
        first_month=month(-2),
        last_month=month(0),
        consent_by=secretary_a,
        consent_note="支委会同意按季度交纳",
    )

    assert payment.month_count == 3 and payment.consent_by == secretary_a
    assert list(payment.allocations.order_by("bill__month").values_list("bill__month", flat=True)) == [
        month(-2),
        month(-1),
        month(0),
    ]
    assert all(b.is_paid for b in DuesBill.objects.filter(member=member))
    assert_allocations_add_up()


def test_several_months_without_the_branchs_consent_are_refused(member, secretary_a):
    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a, amount=Decimal("240.00"), first_month=month(-1), last_month=month(0))

    assert "consent" in errors_of(excinfo)
    assert not DuesPayment.objects.exists()


def test_a_partial_payment_leaves_the_bill_partly_paid_until_the_rest_comes(member, secretary_a):
    pay(member, secretary_a, amount=Decimal("50.00"), partial=True)
    bill = DuesBill.objects.get(member=member, month=month(0))
    assert bill.state == "partial" and bill.paid_on is None and bill.outstanding == Decimal("70.00")

    pay(member, secretary_a, amount=Decimal("70.00"), paid_on=timezone.localdate())

    bill.refresh_from_db()
    assert bill.is_paid and bill.paid_on == timezone.localdate()
    assert_allocations_add_up()


def test_a_short_payment_over_several_months_fills_the_oldest_first(member, secretary_a):
    pay(
        member,
        secretary_a,
        amount=Decimal("200.00"),
        first_month=month(-1),
        last_month=month(0),
        consent_by=secretary_a,
        partial=True,
    )

    older, newer = DuesBill.objects.filter(member=member).order_by("month")
    assert (older.state, newer.state) == ("paid", "partial")
    assert newer.paid_amount == Decimal("80.00")


def test_paying_more_than_the_chosen_months_owe_is_refused_and_nothing_is_written(member, secretary_a):
    open_bill(member, 0)

    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a, amount=Decimal("120.01"))

    assert "120.00" in errors_of(excinfo)["amount"][0]
    assert not DuesPayment.objects.exists() and DuesBill.objects.get().paid_amount == 0


def test_months_already_paid_cannot_be_paid_again(member, secretary_a):
    paid_bill(member, 0)

    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a)

    assert "last_month" in errors_of(excinfo)


def test_paying_ahead_makes_the_future_bills_from_the_standard_in_force(member, secretary_a):
    pay(
        member,
        secretary_a,
        amount=Decimal("720.00"),
        first_month=month(1),
        last_month=month(6),
        consent_by=secretary_a,
    )

    bills = DuesBill.objects.filter(member=member).order_by("month")
    assert [b.month for b in bills] == [month(n) for n in range(1, 7)]
    assert all(b.is_paid and b.amount == Decimal("120.00") and b.organization == member.organization for b in bills)
    assert paid_up_to(member) == month(6)


def test_dues_go_at_most_six_months_ahead_or_back_without_a_branch_decision(member, secretary_a):
    with pytest.raises(ValidationError) as ahead:
        pay(member, secretary_a, first_month=month(7), last_month=month(7))
    with pytest.raises(ValidationError) as back:
        pay(member, secretary_a, first_month=month(-7), last_month=month(-7))

    assert "六个月" in errors_of(ahead)["last_month"][0] and "支部" in errors_of(ahead)["last_month"][0]
    assert "六个月" in errors_of(back)["first_month"][0] and "决定" in errors_of(back)["first_month"][0]
    assert {"decision_by", "decision_on", "decision_reason"} <= set(errors_of(back))


DECISION = {"decision_by": "第一党支部支委会", "decision_reason": "长期外派，返回后一次补交"}


def test_rule_a_long_arrear_can_always_be_settled_on_a_recorded_branch_decision(member, secretary_a):
    """Seven months behind: May is out of the six-month window. With the branch's decision (who, when, why)
    the whole arrear is paid and 党费已交到 reaches the current month."""
    for n in range(-7, 0):
        open_bill(member, n)
    decided_on = timezone.localdate() - timezone.timedelta(days=3)

    payment = pay(
        member,
        secretary_a,
        amount=Decimal("960.00"),
        first_month=month(-7),
        last_month=month(0),
        decision_on=decided_on,
        **DECISION,
    )

    assert (payment.decision_by, payment.decision_on, payment.decision_reason) == (
        "第一党支部支委会",
        decided_on,
        "长期外派，返回后一次补交",
    )
    assert paid_up_to(member) == month(0) and not arrears_map([member.pk])
    assert_allocations_add_up()


def test_a_branch_decision_needs_who_when_and_why_and_is_not_kept_within_six_months(member, secretary_a):
    open_bill(member, -7)
    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a, first_month=month(-7), last_month=month(-7), decision_by="支委会")
    assert set(errors_of(excinfo)) == {"first_month", "decision_on", "decision_reason"}
    with pytest.raises(ValidationError) as excinfo:
        pay(
            member,
            secretary_a,
            first_month=month(-7),
            last_month=month(-7),
            decision_on=timezone.localdate() + timezone.timedelta(days=1),
            **DECISION,
        )
    assert "decision_on" in errors_of(excinfo)

    within = pay(member, secretary_a, decision_on=timezone.localdate(), **DECISION)
    assert within.decision_by == "" and within.decision_on is None


def test_rule_a_payment_that_does_not_cover_the_chosen_months_is_refused_with_what_they_owe(member, secretary_a):
    """Two months, one partly paid and one ahead (billed on demand): 70.00 + 120.00 are owed."""
    BillFactory = open_bill(member, 0, paid_amount=Decimal("50.00"))
    assert BillFactory.outstanding == Decimal("70.00")

    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a, amount=Decimal("120.00"), last_month=month(1), consent_by=secretary_a)

    assert "190.00" in errors_of(excinfo)["amount"][0]
    assert not DuesPayment.objects.exists() and DuesBill.objects.count() == 1  # nothing written, not even a bill
    payment = pay(member, secretary_a, amount=Decimal("190.00"), last_month=month(1), consent_by=secretary_a)
    assert payment.amount == Decimal("190.00") and paid_up_to(member) == month(1)


def test_the_months_must_be_in_order(member, secretary_a):
    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a, first_month=month(0), last_month=month(-1), consent_by=secretary_a)

    assert "last_month" in errors_of(excinfo)


def test_a_member_pays_nothing_for_months_before_joining(branch_a, secretary_a):
    joined = month(-1).replace(day=15)
    newcomer = paying_member(branch_a, category=Member.Category.PROBATIONARY, full_member_on=None, joined_on=joined)

    with pytest.raises(ValidationError) as excinfo:
        pay(newcomer, secretary_a, first_month=month(-2), last_month=month(-2))

    assert "first_month" in errors_of(excinfo)


def test_months_without_a_confirmed_standard_cannot_be_paid(branch_a, secretary_a):
    bare = MemberFactory(organization=branch_a)

    with pytest.raises(ValidationError) as excinfo:
        pay(bare, secretary_a)

    assert "first_month" in errors_of(excinfo)


def test_a_payment_on_the_members_behalf_names_who_paid(member, secretary_a):
    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a, method=DuesPayment.Method.PROXY)
    assert "payer_name" in errors_of(excinfo)

    by_relative = pay(member, secretary_a, method=DuesPayment.Method.PROXY, payer_name="张建华（配偶）")
    assert by_relative.payer_display == "张建华（配偶）"


def test_a_payment_by_the_member_keeps_no_payer(member, secretary_a):
    payment = pay(member, secretary_a, method=DuesPayment.Method.WECHAT, payer_name="某人")

    assert payment.payer_name == ""


def test_rule_no_unit_pays_a_members_dues_an_enterprise_named_as_payer_is_refused(member, secretary_a, enterprise):
    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a, method=DuesPayment.Method.PROXY, payer_name=enterprise.name)
    assert "公款代交" in errors_of(excinfo)["payer_name"][0]
    with pytest.raises(TypeError):
        pay(member, secretary_a, method=DuesPayment.Method.PROXY, payer_enterprise=enterprise)  # no such field
    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a, method=DuesPayment.Method.NOT_RECORDED)  # only for migrated enterprise payments
    assert "method" in errors_of(excinfo)
    assert not DuesPayment.objects.exists()


def test_a_receipt_number_is_used_once(member, secretary_a):
    pay(member, secretary_a, receipt_number="DF-0002")

    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a, first_month=month(1), last_month=month(1), receipt_number="DF-0002")

    assert "receipt_number" in errors_of(excinfo)


def test_a_payment_date_in_the_future_is_refused(member, secretary_a):
    with pytest.raises(ValidationError) as excinfo:
        pay(member, secretary_a, paid_on=timezone.localdate() + timezone.timedelta(days=1))

    assert "paid_on" in errors_of(excinfo)


def test_no_dues_are_recorded_for_a_member_not_in_normal_standing(branch_a, secretary_a):
    suspended = paying_member(branch_a, status=Member.Status.SUSPENDED)

    with pytest.raises(ValidationError):
        pay(suspended, secretary_a)


def test_an_excused_month_is_not_arrears_nor_paid_and_a_paid_month_cannot_be_excused(member, secretary_a):
    unpaid, paid = open_bill(member, -1), paid_bill(member, -2)

    dues_services.excuse_bill(bill=unpaid, reason="经支部同意缓交", by=secretary_a)
    with pytest.raises(ValidationError):
        dues_services.excuse_bill(bill=paid, reason="误操作", by=secretary_a)

    unpaid.refresh_from_db()
    assert unpaid.state == "excused" and unpaid.excused_reason == "经支部同意缓交"
    assert paid_up_to(member) == month(-2)  # a deferral is not a payment: the letter must not say it was paid
    assert arrears_map([member.pk]) == {}

    dues_services.excuse_bill(bill=unpaid, reason="", by=secretary_a)
    assert paid_up_to(member) == month(-2)
    assert list(arrears_map([member.pk])[member.pk].months) == [month(-1)]


# --- 党费已交到 and the standard in force --------------------------------------------------------------------


def test_paid_up_to_is_the_month_before_the_first_open_bill(branch_a):
    m = paying_member(branch_a)
    paid_bill(m, -3)
    paid_bill(m, -2)
    open_bill(m, -1)
    paid_bill(m, 0)  # paid out of order: still owes the month before

    assert paid_up_to(m) == month(-2)


def test_paid_up_to_is_the_latest_paid_month_when_nothing_is_open_and_none_without_bills(branch_a):
    m, bare = paying_member(branch_a), paying_member(branch_a)
    paid_bill(m, -1)
    paid_bill(m, 2)

    assert paid_up_to_map([m.pk, bare.pk]) == {m.pk: month(2), bare.pk: None}


def test_paid_up_to_for_many_members_costs_one_query(branch_a, django_assert_num_queries):
    members = [paying_member(branch_a) for _ in range(5)]
    for m in members:
        paid_bill(m, -1)
        open_bill(m, 0)

    with django_assert_num_queries(1):
        result = paid_up_to_map([m.pk for m in members])

    assert set(result.values()) == {month(-1)}


def test_the_standard_in_force_is_this_years_or_the_latest_earlier_one(branch_a, django_assert_num_queries):
    year = timezone.localdate().year
    current, carried, future_only, unconfirmed = (MemberFactory(organization=branch_a) for _ in range(4))
    StandardFactory(member=current, year=year - 1, declared_base=Decimal("2000"))
    this_year = StandardFactory(member=current, year=year)
    two_years_ago = StandardFactory(member=carried, year=year - 2)
    StandardFactory(member=carried, year=year - 1, status="declared")
    StandardFactory(member=future_only, year=year + 1)
    StandardFactory(member=unconfirmed, year=year, status="declared")

    with django_assert_num_queries(1):
        found = standards_in_force([current.pk, carried.pk, future_only.pk, unconfirmed.pk], year)

    assert found == {current.pk: this_year, carried.pk: two_years_ago}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_two_secretaries_recording_the_same_month_at_once_do_not_pay_it_twice(branch_a, secretary_a, admin_user):
    member = paying_member(branch_a)
    open_bill(member, 0)

    outcomes = at_the_same_moment(lambda: pay(member, secretary_a), lambda: pay(member, admin_user))

    recorded = [o for o in outcomes if o.error is None]
    refused = [o for o in outcomes if isinstance(o.error, ValidationError)]
    assert (len(recorded), len(refused)) == (1, 1), outcomes
    assert DuesBill.objects.get().paid_amount == Decimal("120.00")
    assert DuesAllocation.objects.count() == 1
