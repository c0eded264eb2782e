"""Arrears: unpaid months up to last month, runs of consecutive months, and the six-month candidates."""

from decimal import Decimal

import pytest

from members.dues.selectors import arrears_map, members_in_arrears
from members.dues.tests.factories import month, open_bill, paid_bill, paying_member
from members.models import Member


def test_unpaid_months_before_this_one_are_arrears_with_the_amount_owed(branch_a):
    m = paying_member(branch_a)
    paid_bill(m, -4)
    open_bill(m, -3)
    open_bill(m, -2, paid_amount=Decimal("20.00"))  # partly paid is still unpaid
    open_bill(m, -1)
    open_bill(m, 0)  # this month is not yet arrears

    debt = arrears_map([m.pk])[m.pk]

    assert debt.months == [month(-3), month(-2), month(-1)]
    assert debt.count == 3 and debt.oldest == month(-3)
    assert debt.owed == Decimal("340.00")
    assert (debt.longest_run, debt.current_run, debt.current_run_start) == (3, 3, month(-3))
    assert debt.needs_reminder and not debt.is_candidate


def test_a_member_who_is_up_to_date_has_no_arrears(branch_a):
    m = paying_member(branch_a)
    paid_bill(m, -1)
    open_bill(m, 0)

    assert arrears_map([m.pk]) == {}
    assert not members_in_arrears(Member.objects.all()).exists()


def test_six_consecutive_unpaid_months_make_a_candidate(branch_a):
    m = paying_member(branch_a)
    for offset in range(-6, 0):
        open_bill(m, offset)

    debt = arrears_map([m.pk])[m.pk]

    assert debt.is_candidate and debt.longest_run == 6 and debt.longest_run_start == month(-6)


def test_an_excused_month_breaks_the_run(branch_a):
    m = paying_member(branch_a)
    for offset in range(-7, 0):
        open_bill(m, offset, excused_reason="经支部同意缓交" if offset == -4 else "")

    debt = arrears_map([m.pk])[m.pk]

    assert debt.count == 6 and debt.longest_run == 3 and not debt.is_candidate
    assert (debt.current_run, debt.current_run_start) == (3, month(-3))


def test_an_older_run_stays_a_candidate_after_the_recent_months_are_paid(branch_a):
    m = paying_member(branch_a)
    for offset in range(-8, -2):
        open_bill(m, offset)
    paid_bill(m, -2)
    paid_bill(m, -1)

    debt = arrears_map([m.pk])[m.pk]

    assert debt.is_candidate and debt.current_run == 0 and debt.current_run_start is None


@pytest.mark.parametrize("members_count", [1, 3])
def test_arrears_of_any_number_of_members_cost_one_query(branch_a, members_count, django_assert_num_queries):
    members = [paying_member(branch_a) for _ in range(members_count)]
    for m in members:
        for offset in range(-4, 0):
            open_bill(m, offset)

    with django_assert_num_queries(1):
        debts = arrears_map([m.pk for m in members])

    assert len(debts) == members_count and all(d.count == 4 for d in debts.values())


def test_excusing_a_month_keeps_who_recorded_the_reason_and_when(branch_a, secretary_a):
    from members.dues import services as dues_services
    from members.dues.tests.factories import open_bill, paying_member

    bill = open_bill(paying_member(branch_a), -2)
    bill = dues_services.excuse_bill(bill=bill, reason="经支部同意缓交", by=secretary_a)
    assert (bill.excused_by, bill.excused_at is not None) == (secretary_a, True)
    excused_at = bill.excused_at
    bill = dues_services.excuse_bill(bill=bill, reason="", by=secretary_a)  # withdrawn: no longer excused, but
    assert bill.state != "excused"  # who recorded the reason and when stay (issue 14, point 10)
    assert (bill.excused_reason, bill.excused_by, bill.excused_at) == ("", secretary_a, excused_at)
