"""Follow-ups of home visits: the secretary's home panel and the daily reminder, once per visit and occasion."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.visits import jobs as visit_jobs
from activities.visits.tests.factories import HomeVisitFactory, days_ago
from buildingparty.models import Notification
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def in_days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def visit(organization, follow_up_on, **extra):
    return HomeVisitFactory(
        organization=organization,
        member=MemberFactory(organization=organization, name=extra.pop("name", "张秀英")),
        visited_on=min(days_ago(10), follow_up_on),
        follow_up_on=follow_up_on,
        **extra,
    )


def run(day: datetime.date | None = None) -> dict:
    return visit_jobs.follow_up_reminders(today=(day or today()).isoformat())


# --- the panel ----------------------------------------------------------------------------------------------


def panel_of(response):
    return next((p for p in response.context["panels"] if p["template"] == "visits/_panel_follow_ups.html"), None)


def test_the_secretary_sees_her_follow_ups_overdue_and_due_within_a_week(secretary_a_client, branch_a, branch_b):
    overdue = visit(branch_a, days_ago(2), name="逾期者")
    soon = visit(branch_a, in_days(5))
    visit(branch_a, in_days(20))  # later: not yet
    visit(branch_a, days_ago(1), follow_up_done_at=timezone.now())  # done
    visit(branch_b, days_ago(3))  # another branch's

    response = secretary_a_client.get(reverse("home"))

    panel = panel_of(response)
    assert panel["overdue"] == 1 and panel["due"] == 1
    assert [v.pk for v in panel["visits"]] == [overdue.pk, soon.pk]
    assert "逾期者" in response.content.decode()


def test_the_panel_is_hidden_when_nothing_is_due(secretary_a_client, branch_a):
    visit(branch_a, in_days(20))
    assert panel_of(secretary_a_client.get(reverse("home"))) is None


def test_members_have_no_follow_up_panel(member_client, member_user, branch_a):
    HomeVisitFactory(member=member_user.member, organization=branch_a, follow_up_on=today())
    assert panel_of(member_client.get(reverse("home"))) is None


# --- the reminder job ---------------------------------------------------------------------------------------


def test_a_follow_up_due_tomorrow_is_told_to_the_secretary_once(branch_a, secretary_a, secretary_b):
    due = visit(branch_a, in_days(1))

    first = run()
    second = run()

    note = Notification.objects.get()
    assert note.user == secretary_a and note.event == "visit_follow_up_due"
    assert "张秀英" in note.title and note.url == due.get_absolute_url()
    assert first == {"due": 1, "overdue": 0, "notified": 1}
    assert second == {"due": 1, "overdue": 0, "notified": 0}


def test_an_overdue_follow_up_is_told_once_more_and_then_not_every_day(branch_a, secretary_a):
    late = visit(branch_a, in_days(1))
    run()  # due tomorrow
    run(in_days(2))  # now overdue
    run(in_days(3))  # still overdue: not told again

    events = list(Notification.objects.filter(user=secretary_a).order_by("pk").values_list("event", flat=True))
    assert events == ["visit_follow_up_due", "visit_follow_up_overdue"]
    assert Notification.objects.filter(url=late.get_absolute_url()).count() == 2


def test_a_follow_up_moved_to_another_date_is_told_again(branch_a, secretary_a):
    moved = visit(branch_a, days_ago(1))
    run()
    moved.follow_up_on = in_days(1)
    moved.save(update_fields=["follow_up_on"])
    run()
    assert Notification.objects.filter(user=secretary_a).count() == 2


def test_done_follow_ups_and_those_due_later_are_not_told(branch_a, secretary_a):
    visit(branch_a, days_ago(3), follow_up_done_at=timezone.now())
    visit(branch_a, in_days(4))
    visit(branch_a, today())  # due today: told yesterday, overdue tomorrow
    assert run() == {"due": 0, "overdue": 0, "notified": 0}
    assert not Notification.objects.exists()


def test_without_a_secretary_the_admins_are_told(branch_b, admin_user):
    visit(branch_b, days_ago(1))
    run()
    assert Notification.objects.get().user == admin_user


def test_the_reminder_carries_no_notes_of_the_visit(branch_a, secretary_a):
    visit(branch_a, in_days(1), found="家中老人独居", needs="希望送学上门")
    run()
    note = Notification.objects.get()
    assert "家中老人独居" not in note.title + note.body and "希望送学上门" not in note.title + note.body
