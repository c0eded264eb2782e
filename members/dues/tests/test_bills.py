"""The month's dues bills: who pays, how much, and that the job is safe twice and at the same moment."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from buildingparty import jobs
from buildingparty.models import JobRun, Notification
from members.dues import services as dues_services
from members.dues.models import DuesBill
from members.dues.tests.factories import StandardFactory, month, paying_member, this_month
from members.models import Member
from tests.concurrency import at_the_same_moment
from tests.factories import MemberFactory, UserFactory


def bills_of(month_day):
    return DuesBill.objects.filter(month=month_day)


def test_each_paying_member_gets_one_bill_of_their_standards_amount(branch_a, branch_b):
    a, b = paying_member(branch_a), paying_member(branch_b)
    StandardFactory(member=MemberFactory(organization=branch_a), declared_base=Decimal("3000.01"))

    counts = dues_services.generate_bills(month=this_month())

    assert counts["created"] == 3 and counts["existing"] == 0 and counts["missing_standard"] == 0
    assert sorted(bills_of(this_month()).values_list("amount", flat=True)) == [
        Decimal("30.00"),
        Decimal("120.00"),
        Decimal("120.00"),
    ]
    assert DuesBill.objects.get(member=a).organization == branch_a
    assert DuesBill.objects.get(member=b).organization == branch_b


def test_a_group_members_bill_counts_in_the_groups_branch(branch_a, group_a):
    member = paying_member(group_a)

    dues_services.generate_bills(month=this_month())

    assert DuesBill.objects.get(member=member).organization == branch_a


def test_members_without_a_standard_are_counted_not_billed(branch_a):
    paying_member(branch_a)
    MemberFactory(organization=branch_a)

    counts = dues_services.generate_bills(month=this_month())

    assert counts == {**counts, "paying": 2, "created": 1, "missing_standard": 1}
    assert bills_of(this_month()).count() == 1


def test_a_declared_but_unconfirmed_standard_does_not_bill(branch_a):
    StandardFactory(member=MemberFactory(organization=branch_a), status="declared")

    assert dues_services.generate_bills(month=this_month())["missing_standard"] == 1


def test_last_years_standard_carries_over_until_a_new_one_is_confirmed(branch_a):
    member = MemberFactory(organization=branch_a)
    StandardFactory(member=member, year=this_month().year - 1, declared_base=Decimal("4000"))

    dues_services.generate_bills(month=this_month())

    assert DuesBill.objects.get(member=member).amount == Decimal("40.00")


def test_an_agreed_amount_replaces_the_rules_amount(branch_a):
    member = MemberFactory(organization=branch_a)
    StandardFactory(member=member, override_amount=Decimal("10.00"), override_reason="困难党员，支部同意减交")

    dues_services.generate_bills(month=this_month())

    assert DuesBill.objects.get(member=member).amount == Decimal("10.00")


def test_an_exempt_members_bill_of_nothing_is_paid_when_made(branch_a):
    member = MemberFactory(organization=branch_a)
    StandardFactory(member=member, override_amount=Decimal("0"), override_reason="重病，经总支批准免交")

    counts = dues_services.generate_bills(month=this_month())

    bill = DuesBill.objects.get(member=member)
    assert counts["exempt"] == 1
    assert bill.is_paid and bill.state == "paid" and bill.paid_on == this_month()


def test_members_not_in_normal_standing_are_not_billed(branch_a):
    for status in (Member.Status.SUSPENDED, Member.Status.DECEASED):
        paying_member(branch_a, status=status)
    paying_member(branch_a, whereabouts=Member.Whereabouts.TRANSFERRED_OUT)

    assert dues_services.generate_bills(month=this_month())["paying"] == 0
    assert not DuesBill.objects.exists()


def test_a_probationary_member_pays_from_the_month_they_were_admitted(branch_a):
    admitted = month(-2) + datetime.timedelta(days=20)
    member = paying_member(branch_a, category=Member.Category.PROBATIONARY, full_member_on=None, joined_on=admitted)

    assert dues_services.generate_bills(month=month(-3))["created"] == 0
    assert dues_services.generate_bills(month=month(-2))["created"] == 1
    assert DuesBill.objects.get(member=member).month == month(-2)


def test_the_building_option_bills_only_that_buildings_members(branch_a, outsider):
    paying_member(branch_a)
    StandardFactory(member=outsider.member)

    counts = dues_services.generate_bills(month=this_month(), building_id=branch_a.building_id)

    assert counts["created"] == 1
    assert not DuesBill.objects.filter(member=outsider.member).exists()


def test_running_twice_makes_no_second_bill_and_counts_exactly(branch_a):
    for _ in range(3):
        paying_member(branch_a)

    first = dues_services.generate_bills(month=this_month())
    second = dues_services.generate_bills(month=this_month())

    assert (first["created"], first["existing"]) == (3, 0)
    assert (second["created"], second["existing"]) == (0, 3)
    assert bills_of(this_month()).count() == 3


def test_each_newly_billed_member_with_an_account_is_told_once(branch_a):
    user = UserFactory(username="dues_member", role="member", building=branch_a.building)
    paying_member(branch_a, user=user)
    paying_member(branch_a)  # no account: nobody to tell

    assert dues_services.generate_bills(month=this_month())["notified"] == 1
    assert dues_services.generate_bills(month=this_month())["notified"] == 0

    note = Notification.objects.get()
    assert note.user == user and note.event == "dues_bill"
    assert "120.00" in note.title and f"{this_month().month}月" in note.title


def test_the_job_takes_the_month_as_text_and_records_its_run(branch_a):
    paying_member(branch_a)

    counts = jobs.run_now("members.generate_dues", month=f"{month(-1):%Y-%m}")

    assert counts["created"] == 1 and bills_of(month(-1)).count() == 1
    run = JobRun.objects.get(job="members.generate_dues")
    assert (
        run.outcome == "succeeded" and run.counts["created"] == 1 and run.arguments == {"month": f"{month(-1):%Y-%m}"}
    )


def test_the_job_defaults_to_the_current_month_and_runs_through_celery(branch_a):
    paying_member(branch_a)

    jobs.get("members.generate_dues").task.delay()

    assert bills_of(this_month()).count() == 1


def test_the_monthly_job_is_scheduled_on_the_first_at_ten_past_one():
    schedule = jobs.get("members.generate_dues").schedule
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ("1", "1", "10")


def test_the_command_runs_the_same_job_for_a_month_and_building(branch_a):
    paying_member(branch_a)
    out = io.StringIO()

    call_command("generate_dues", "--month", f"{month(-1):%Y-%m}", "--building", str(branch_a.building_id), stdout=out)
    call_command("generate_dues", "--month", f"{month(-1):%Y-%m}", stdout=out)

    assert bills_of(month(-1)).count() == 1
    assert "1 bills made" in out.getvalue() and "0 bills made, 1 already there" in out.getvalue()
    assert JobRun.objects.filter(job="members.generate_dues", outcome="succeeded").count() == 2


def test_the_command_refuses_a_month_that_is_not_year_month(db):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("generate_dues", "--month", "2026/13")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_two_runs_at_the_same_moment_and_a_third_leave_one_bill_per_paying_member(branch_a, branch_b):
    members = [paying_member(branch_a) for _ in range(6)] + [paying_member(branch_b) for _ in range(6)]
    MemberFactory(organization=branch_a)  # no standard

    def run():
        return jobs.run_now("members.generate_dues")

    outcomes = at_the_same_moment(run, run)
    third = run()

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.result["created"] for o in outcomes) == [0, 12]
    assert third["created"] == 0 and third["existing"] == 12
    assert bills_of(this_month()).count() == 12
    assert set(bills_of(this_month()).values_list("member_id", flat=True)) == {m.pk for m in members}
