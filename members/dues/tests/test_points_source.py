"""Dues give points: each month's dues paid in full by the end of that month earn the rule ``dues_on_time``,
credited once per bill within the yearly cap (the source registered in ``members.dues.sources``)."""

import datetime

import pytest
from django.db import connection

from buildingparty import jobs
from buildingparty.models import JobRun
from members.dues.tests.factories import bill_paid
from members.points import selectors as points_selectors
from members.points import services as points
from members.points.models import PointEntry, PointRule
from members.points.tests.factories import member_a as member_a  # fixtures
from members.points.tests.factories import rule as rule
from members.points.tests.factories import this_year
from tests.concurrency import at_the_same_moment
from tests.factories import BuildingFactory, MemberFactory

pytestmark = pytest.mark.django_db

Status = PointEntry.Status


def last_year_month(month: int) -> datetime.date:
    return datetime.date(this_year() - 1, month, 1)


def dues_entries(member):
    return PointEntry.objects.filter(member=member, rule__code="dues_on_time").order_by("occurred_on")


def test_dues_paid_by_the_end_of_their_month_earn_points_once(rule, member_a):
    january = bill_paid(member_a, last_year_month(1), paid_on=last_year_month(1).replace(day=31))
    bill_paid(member_a, last_year_month(2), paid_on=last_year_month(2).replace(day=3))

    first = points.credit_automatic()
    second = points.credit_automatic()

    assert first["credited"] == 2 and first["points"] == 4
    assert second["credited"] == 0 and second["existing"] == 2
    entries = list(dues_entries(member_a))
    assert [(e.points, e.status, e.year) for e in entries] == [(2, Status.APPROVED, this_year() - 1)] * 2
    assert entries[0].source == f"dues.duesbill:{january.pk}"
    assert entries[0].occurred_on == january.paid_on
    assert entries[0].note == f"{this_year() - 1}年1月党费"


def test_late_unpaid_and_zero_bills_earn_nothing(rule, member_a):
    bill_paid(member_a, last_year_month(3), paid_on=last_year_month(4))  # paid in the following month
    bill_paid(member_a, last_year_month(5), amount="0.00")  # an exemption: nothing to pay
    unpaid = bill_paid(member_a, last_year_month(6))
    type(unpaid).objects.filter(pk=unpaid.pk).update(paid_amount=0, paid_on=None)

    assert points.credit_automatic()["credited"] == 0
    assert not dues_entries(member_a).exists()


def test_a_bill_paid_ahead_counts_in_the_year_of_its_month(rule, member_a):
    january = datetime.date(this_year(), 1, 1)
    bill_paid(member_a, january, paid_on=datetime.date(this_year() - 1, 12, 20))
    points.credit_automatic()
    entry = dues_entries(member_a).get()
    assert (entry.occurred_on, entry.year) == (january, this_year())


def test_the_yearly_cap_leaves_later_months_at_zero_but_still_credited(rule, member_a):
    PointRule.objects.filter(pk=rule["dues_on_time"].pk).update(yearly_cap=5)
    for month in range(1, 13):
        bill_paid(member_a, last_year_month(month))

    counts = points.credit_automatic()

    assert [e.points for e in dues_entries(member_a)] == [2, 2, 1] + [0] * 9
    assert (counts["credited"], counts["capped"], counts["points"], counts["existing"]) == (12, 10, 5, 0)
    # Every bill is marked done: nothing is credited again, whatever room a later change of the cap leaves.
    PointRule.objects.filter(pk=rule["dues_on_time"].pk).update(yearly_cap=24)
    assert points.credit_automatic()["credited"] == 0
    assert points_selectors.member_ledger(member_a, this_year() - 1).total == 60 + 5


def test_a_full_year_of_dues_on_time_reaches_the_cap_of_24(rule, member_a):
    for month in range(1, 13):
        bill_paid(member_a, last_year_month(month))
    points.credit_automatic()
    assert sum(e.points for e in dues_entries(member_a)) == 24


def test_the_cap_counts_each_year_and_each_member_on_their_own(rule, member_a, branch_a):
    PointRule.objects.filter(pk=rule["dues_on_time"].pk).update(yearly_cap=2)
    other = MemberFactory(organization=branch_a)
    bill_paid(member_a, last_year_month(11))
    bill_paid(member_a, last_year_month(12))
    bill_paid(member_a, datetime.date(this_year(), 1, 1))
    bill_paid(other, last_year_month(12))

    points.credit_automatic(until=datetime.date(this_year(), 1, 31))

    assert {(e.year, e.points) for e in dues_entries(member_a)} == {
        (this_year() - 1, 2),
        (this_year() - 1, 0),
        (this_year(), 2),
    }
    assert dues_entries(other).get().points == 2


def test_a_rule_out_of_use_credits_nothing_and_a_building_without_the_rule_is_counted(rule, member_a):
    PointRule.objects.filter(pk=rule["dues_on_time"].pk).update(is_active=False)
    bill_paid(member_a, last_year_month(1))
    counts = points.credit_automatic()
    # only the dues rule is out of use: the other sources' rules (meetings, study hours) are in use
    assert counts["credited"] == 0 and counts["no_rule"] == 1
    assert not PointEntry.objects.exists()


def test_only_the_chosen_building_and_window_are_credited(rule, member_a):
    bill_paid(member_a, last_year_month(1))
    bill_paid(member_a, last_year_month(6))
    other_building = BuildingFactory(name="别的大厦")
    assert points.credit_automatic(building_id=other_building.pk)["credited"] == 0
    window = {"since": last_year_month(5), "until": last_year_month(7)}
    assert points.credit_automatic(building_id=member_a.organization.building_id, **window)["credited"] == 1
    assert dues_entries(member_a).get().occurred_on.month == 6


def test_the_nightly_job_is_recorded_and_safe_to_run_twice(rule, member_a):
    bill_paid(member_a, last_year_month(1))
    first = jobs.run_now("members.credit_points")
    second = jobs.run_now("members.credit_points", since=last_year_month(1).isoformat())
    assert first["credited"] == 1 and second["credited"] == 0
    runs = JobRun.objects.filter(job="members.credit_points").order_by("pk")
    assert [r.outcome for r in runs] == [JobRun.Outcome.SUCCEEDED] * 2
    assert runs[0].counts["credited"] == 1
    spec = jobs.get("members.credit_points")
    assert (spec.schedule.hour, spec.schedule.minute) == ("2", "30")


def test_the_celery_task_credits_like_the_function(rule, member_a):
    bill_paid(member_a, last_year_month(1))
    jobs.get("members.credit_points").task.delay(building_id=member_a.organization.building_id)
    assert dues_entries(member_a).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_runs_at_the_same_moment_credit_each_bill_once_within_the_cap(building, branch_a):
    points.ensure_default_rules(building)
    PointRule.objects.filter(building=building, code="dues_on_time").update(yearly_cap=9)
    members = [MemberFactory(organization=branch_a) for _ in range(3)]
    for member in members:
        for month in range(1, 13):
            bill_paid(member, last_year_month(month))

    def run():
        return points.credit_automatic(building_id=building.pk)

    outcomes = at_the_same_moment(run, run)

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.result["credited"] for o in outcomes) == [0, 36]
    for member in members:
        entries = list(dues_entries(member))
        assert len(entries) == 12 and len({e.source for e in entries}) == 12
        assert sum(e.points for e in entries) == 9


def test_the_board_ranks_members_with_equal_totals_together(rule, branch_a, group_a, secretary_a):
    year = this_year() - 1
    ann, bo, cy, dee = (
        MemberFactory(organization=org, name=name)
        for org, name in [(branch_a, "安"), (group_a, "博"), (branch_a, "岑"), (branch_a, "邓")]
    )
    MemberFactory(organization=branch_a, name="停", status="suspended")
    for member, months in ((ann, 3), (bo, 3), (cy, 1)):
        for month in range(1, months + 1):
            bill_paid(member, last_year_month(month))
    points.credit_automatic()
    board = points_selectors.branch_board(branch_a, year)
    assert {r.member.name: (r.total, r.rank) for r in board.rows} == {
        "安": (66, 1),
        "博": (66, 1),
        "岑": (62, 3),
        "邓": (60, 4),
    }
    assert [r.total for r in board.rows] == [66, 66, 62, 60]
    assert board.average == 63.5
    assert points_selectors.member_rank(cy, year) == {"total": 62, "rank": 3, "of": 4, "branch": branch_a}


def test_branch_averages_count_groups_with_their_branch(rule, branch_a, group_a, branch_b):
    year = this_year() - 1
    a1, a2 = MemberFactory(organization=branch_a), MemberFactory(organization=group_a)
    MemberFactory(organization=branch_b)
    bill_paid(a1, last_year_month(1))
    bill_paid(a2, last_year_month(1))
    bill_paid(a2, last_year_month(2))
    points.credit_automatic()
    rows = {r.branch.name: r for r in points_selectors.branch_averages(branch_a.building.organizations.all(), year)}
    assert (rows["第一党支部"].members, rows["第一党支部"].average, rows["第一党支部"].best) == (2, 63.0, 64)
    assert (rows["第二党支部"].members, rows["第二党支部"].average) == (1, 60.0)
