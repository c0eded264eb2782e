"""The dues reminder jobs: each tells each person once however often it runs."""

from decimal import Decimal

import pytest

from buildingparty import jobs
from buildingparty.models import Notification
from members.dues import jobs as dues_jobs
from members.dues.tests.factories import open_bill, paid_bill, paying_member, this_month
from tests.factories import UserFactory


def member_with_account(organization, username):
    user = UserFactory(username=username, role="member", building=organization.building)
    return paying_member(organization, user=user)


def events(user) -> list[str]:
    return sorted(Notification.objects.filter(user=user).values_list("event", flat=True))


# --- this month's reminder ----------------------------------------------------------------------------------


def test_the_reminder_tells_members_who_have_not_paid_this_month_once(branch_a):
    unpaid = member_with_account(branch_a, "unpaid")
    paid = member_with_account(branch_a, "paid")
    excused = member_with_account(branch_a, "excused")
    open_bill(unpaid, 0, paid_amount=Decimal("20.00"))
    paid_bill(paid, 0)
    open_bill(excused, 0, excused_reason="经支部同意缓交")

    first = dues_jobs.dues_reminders()
    dues_jobs.dues_reminders.job.task.delay()
    again = jobs.run_now("members.dues_reminders")

    assert first == {"unpaid": 1, "reminded": 1} and again == {"unpaid": 1, "reminded": 0}
    note = Notification.objects.get()
    assert note.user == unpaid.user and note.event == "dues_reminder"
    assert "100.00" in note.body  # what is still owed


def test_the_reminder_runs_on_the_twentieth_at_nine():
    schedule = jobs.get("members.dues_reminders").schedule
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ("20", "9", "0")


# --- arrears ------------------------------------------------------------------------------------------------


@pytest.fixture
def behind_three(branch_a):
    member = member_with_account(branch_a, "behind3")
    for offset in (-3, -2, -1):
        open_bill(member, offset)
    return member


def test_three_unpaid_months_remind_the_member_and_their_secretary_once(behind_three, secretary_a, secretary_b):
    first = dues_jobs.arrears_flags()
    dues_jobs.arrears_flags.job.task.delay()
    again = jobs.run_now("members.arrears_flags")

    assert first == {"in_arrears": 1, "member_reminders": 1, "secretary_reminders": 1, "candidates": 0}
    assert again == {**first, "member_reminders": 0, "secretary_reminders": 0}
    assert events(behind_three.user) == ["dues_arrears"]
    assert events(secretary_a) == ["dues_arrears_secretary"]
    assert events(secretary_b) == []
    assert behind_three.name in Notification.objects.get(user=secretary_a).title


def test_fewer_than_three_unpaid_months_remind_nobody(branch_a, secretary_a):
    member = member_with_account(branch_a, "behind2")
    open_bill(member, -2)
    open_bill(member, -1)

    assert dues_jobs.arrears_flags()["member_reminders"] == 0
    assert not Notification.objects.exists()


def test_six_consecutive_months_flag_the_member_to_the_secretary_once(branch_a, secretary_a):
    member = member_with_account(branch_a, "behind6")
    for offset in range(-6, 0):
        open_bill(member, offset)

    assert dues_jobs.arrears_flags()["candidates"] == 1
    assert dues_jobs.arrears_flags()["candidates"] == 0

    assert events(secretary_a) == ["dues_arrears_secretary", "dues_candidate"]
    assert events(member.user) == ["dues_arrears"]  # the flag is for the branch; the member is reminded
    flag = Notification.objects.get(user=secretary_a, event="dues_candidate")
    assert "按自行脱党处理" in flag.body and "?candidates=on" in flag.url


def test_an_excused_month_keeps_a_member_from_being_flagged(branch_a, secretary_a):
    member = member_with_account(branch_a, "excused6")
    for offset in range(-6, 0):
        open_bill(member, offset, excused_reason="经支部同意缓交" if offset == -3 else "")

    assert dues_jobs.arrears_flags()["candidates"] == 0


def test_falling_behind_again_after_paying_up_reminds_again(branch_a, secretary_a):
    member = member_with_account(branch_a, "again")
    earlier = [open_bill(member, offset) for offset in (-7, -6, -5)]
    dues_jobs.arrears_flags()
    for bill in earlier:  # paid up, then three more months unpaid: a new arrears run
        bill.paid_amount, bill.paid_on = bill.amount, this_month()
        bill.save()
    paid_bill(member, -4)
    for offset in (-3, -2, -1):
        open_bill(member, offset)

    dues_jobs.arrears_flags()
    dues_jobs.arrears_flags()

    assert events(member.user) == ["dues_arrears", "dues_arrears"]


def test_a_group_members_arrears_go_to_the_branch_secretary(group_a, secretary_a):
    member = member_with_account(group_a, "grouped")
    for offset in (-3, -2, -1):
        open_bill(member, offset)

    dues_jobs.arrears_flags()

    assert events(secretary_a) == ["dues_arrears_secretary"]


def test_a_branch_without_a_secretary_is_reported_to_the_admins(branch_b, admin_user):
    member = member_with_account(branch_b, "nosec")
    for offset in (-3, -2, -1):
        open_bill(member, offset)

    dues_jobs.arrears_flags()

    assert events(admin_user) == ["dues_arrears_secretary"]


# --- the December declaration round -------------------------------------------------------------------------


def test_the_december_round_asks_members_without_next_years_standard_once(branch_a, branch_b):
    asked = member_with_account(branch_a, "asked")
    elsewhere = member_with_account(branch_b, "elsewhere")
    done = member_with_account(branch_a, "done")
    from members.dues.tests.factories import StandardFactory

    StandardFactory(member=done, year=2027)

    first = jobs.run_now("members.dues_declaration_round", today="2026-12-01")
    again = dues_jobs.dues_declaration_round(today="2026-12-01")

    assert first["notified"] == 2 and again["notified"] == 0
    assert events(asked.user) == events(elsewhere.user) == ["dues_declare"]
    assert events(done.user) == []
    assert "2027" in Notification.objects.filter(user=asked.user).get().title
