"""The mid-quarter job ``meetings.remind_missing``: each branch's officers hear which required meetings of the
month and quarter are neither held nor planned, once per branch and quarter."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.meetings import jobs as meeting_jobs
from activities.meetings.models import Meeting
from activities.meetings.tests.factories import MeetingFactory
from buildingparty import jobs
from buildingparty.models import JobRun, Notification
from members.committees.tests.factories import CommitteeTermFactory
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

K = Meeting.Kind
MID_Q2 = "2026-05-15"


def at(year, month, day=10):
    return timezone.make_aware(datetime.datetime(year, month, day, 14))


def on_track_in_may(branch):
    """Everything of May and the second quarter held or planned (no committee, no groups)."""
    MeetingFactory(organization=branch, kind=K.THEME_DAY, starts_at=at(2026, 5, 8), status=Meeting.Status.HELD)
    MeetingFactory(organization=branch, kind=K.GENERAL_MEETING, starts_at=at(2026, 4, 8), status=Meeting.Status.HELD)
    MeetingFactory(organization=branch, kind=K.LESSON, starts_at=at(2026, 6, 8), status=Meeting.Status.PLANNED)


def run(day=MID_Q2):
    return meeting_jobs.remind_missing(today=day)


def test_the_job_is_scheduled_for_the_15th_of_each_quarters_middle_month():
    spec = jobs.get("meetings.remind_missing")
    assert (spec.schedule.day_of_month, spec.schedule.month_of_year) == ("15", "2,5,8,11")


def test_the_secretary_of_a_branch_behind_is_told_what_is_missing(branch_a, secretary_a):
    CommitteeTermFactory(organization=branch_a)
    MeetingFactory(organization=branch_a, kind=K.COMMITTEE, starts_at=at(2026, 5, 3), status=Meeting.Status.HELD)
    MeetingFactory(organization=branch_a, kind=K.LESSON, starts_at=at(2026, 5, 3), status=Meeting.Status.PLANNED)
    counts = run()
    assert counts == {"branches": 1, "behind": 1, "notified": 1}
    note = Notification.objects.get(user=secretary_a)
    assert note.event == "meeting_missing"
    assert note.title == "第一党支部：第二季度还有会议未召开"
    assert "主题党日（五月）、支部党员大会（第二季度）" in note.body
    assert "支委会" not in note.body and "党课" not in note.body
    assert note.url == reverse("meetings:compliance") + "?year=2026"


def test_a_branch_with_everything_held_or_planned_is_left_alone(branch_b, secretary_b):
    on_track_in_may(branch_b)
    assert run() == {"branches": 1, "behind": 0, "notified": 0}
    assert not Notification.objects.exists()


def test_a_cancelled_meeting_does_not_keep_the_reminder_away(branch_b, secretary_b):
    on_track_in_may(branch_b)
    Meeting.objects.filter(kind=K.THEME_DAY).update(status=Meeting.Status.CANCELLED, cancel_reason="台风")
    run()
    assert "主题党日（五月）" in Notification.objects.get(user=secretary_b).body


def test_a_missing_group_meeting_is_named_with_its_group(branch_a, group_a, secretary_a):
    on_track_in_may(branch_a)
    run()
    assert "第一党小组 党小组会（五月）" in Notification.objects.get(user=secretary_a).body


def test_each_branch_is_told_once_per_quarter_however_often_the_job_runs(branch_a, secretary_a):
    assert run()["notified"] == 1
    assert run()["notified"] == 0
    assert run("2026-06-15")["notified"] == 0  # the same quarter
    assert Notification.objects.filter(user=secretary_a).count() == 1


def test_the_next_quarter_brings_a_new_reminder(branch_a, secretary_a):
    run()
    assert run("2026-08-15")["notified"] == 1
    assert Notification.objects.filter(user=secretary_a).count() == 2


def test_a_branch_without_a_secretary_is_reported_to_the_buildings_admins(branch_a, branch_b, admin_user, secretary_a):
    run()
    told = Notification.objects.filter(title__startswith=branch_b.name).values_list("user__username", flat=True)
    assert list(told) == ["admin"]
    assert list(Notification.objects.filter(user=admin_user).values_list("title", flat=True)) == [
        "第二党支部：第二季度还有会议未召开"
    ]


def test_every_building_is_looked_at(branch_a, secretary_a, outsider):
    other_admin = UserFactory(username="other_admin", role="admin", building=outsider.building)
    counts = run()
    assert counts["branches"] == 2
    assert Notification.objects.filter(user__in=[secretary_a, other_admin]).count() == 2


def test_the_job_runs_through_the_registry_and_records_its_counts(branch_a, secretary_a):
    counts = jobs.run_now("meetings.remind_missing", today=MID_Q2)
    assert counts["notified"] == 1
    assert JobRun.objects.get(job="meetings.remind_missing").counts == counts


def reads(context) -> list[str]:
    """The queries that read the branches and their officers (not notify's own, one set per notification)."""
    return [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].startswith("SELECT") and "buildingparty_notification" not in q["sql"]
    ]


@pytest.mark.parametrize("scale", [1, 3])
def test_branches_on_track_take_the_tables_six_queries_however_many(building, general_branch, scale):
    for i in range(scale):
        on_track_in_may(OrganizationFactory(building=building, name=f"达标支部{i}"))
    with CaptureQueriesContext(connection) as context:
        counts = run()
    assert counts == {"branches": scale, "behind": 0, "notified": 0}
    assert len(context) == 6


@pytest.mark.parametrize("scale", [1, 3])
def test_branches_behind_are_read_in_bulk_however_many(building, general_branch, admin_user, scale):
    for i in range(scale):
        branch = OrganizationFactory(building=building, name=f"落后支部{i}")
        UserFactory(username=f"sec{i}", role="secretary", building=building, organization=branch)
    with CaptureQueriesContext(connection) as context:
        counts = run()
    assert counts == {"branches": scale, "behind": scale, "notified": scale}
    # the table, the officers (``Officers``: three queries), and notify_bulk's one look at who is active (on
    # PostgreSQL its insert joins the users instead)
    assert len(reads(context)) == 6 + 3 + (0 if connection.vendor == "postgresql" else 1)
