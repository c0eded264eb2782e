"""The demo's organisational life (activities/meetings/demo.py): what admin, secretary1 and member1 find after
`seed_demo`, and that a second run adds nothing."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from activities.meetings import jobs as meeting_jobs
from activities.meetings import selectors
from activities.meetings.models import Attendance, Meeting
from buildingparty import demo
from buildingparty.models import PartyOrganization
from members.models import Member
from members.points.models import PointEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]

Kind = Meeting.Kind


@pytest.fixture
def seeded(demo_seeded):
    return demo_seeded.output


# Seeding takes seconds: each test below seeds once and checks several promises, each written as a helper.


def local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value)


def months_held(organization, kind) -> set[tuple[int, int]]:
    return {
        (local(m.starts_at).year, local(m.starts_at).month)
        for m in Meeting.objects.filter(organization=organization, kind=kind, status=Meeting.Status.HELD)
    }


def past_months(today: datetime.date) -> set[tuple[int, int]]:
    """The twelve whole months before this one."""
    months = set()
    year, month = today.year, today.month
    for _ in range(12):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.add((year, month))
    return months


def every_branch_holds_its_monthly_and_quarterly_meetings():
    today = timezone.localdate()
    branches = PartyOrganization.objects.filter(kind__in=["branch", "joint_branch"])
    assert branches.count() == 5
    for branch in branches:
        assert past_months(today) <= months_held(branch, Kind.THEME_DAY), branch.name
        quarters = {(y, (m - 1) // 3) for y, m in months_held(branch, Kind.LESSON)}
        assert len(quarters) >= 4, branch.name
        assert Meeting.objects.filter(organization=branch, kind=Kind.LIFE_MEETING, status="held").exists()
    for group in PartyOrganization.objects.filter(kind="group"):
        assert past_months(today) <= months_held(group, Kind.GROUP), group.name
    first = PartyOrganization.objects.get(name=demo.BRANCH_1)
    assert past_months(today) <= months_held(first, Kind.COMMITTEE)


def a_committee_meeting_expects_the_committee_not_the_whole_branch():
    meeting = Meeting.objects.filter(organization__name=demo.BRANCH_1, kind=Kind.COMMITTEE).first()
    branch = Member.objects.filter(organization_id__in=meeting.organization.subtree_ids())
    assert 1 <= meeting.attendances.count() < branch.count()


def one_branch_missed_a_quarters_general_meeting_and_one_held_it_without_quorum():
    def general_meetings(name):
        return Meeting.objects.filter(organization__name=name, kind=Kind.GENERAL_MEETING, status="held")

    counts = {name: general_meetings(name).count() for name in (demo.BRANCH_1, demo.SOCIAL_ORG_BRANCH)}
    assert counts[demo.SOCIAL_ORG_BRANCH] == counts[demo.BRANCH_1] - 1
    without = [
        m
        for m in Meeting.objects.filter(kind=Kind.GENERAL_MEETING, status="held")
        if not selectors.quorum_counts(m)["has_quorum"]
    ]
    assert [m.organization.name for m in without] == [demo.PROPERTY_BRANCH]


def held_meetings_have_minutes_and_attendance_and_the_rest_of_the_month_is_planned():
    now = timezone.now()
    held = Meeting.objects.filter(status="held")
    assert not held.filter(minutes="").exists() and not held.filter(starts_at__gt=now).exists()
    assert not Attendance.objects.filter(meeting__status="held", status="expected").exists()
    planned = Meeting.objects.filter(status="planned")
    assert planned.exists() and not planned.filter(starts_at__lte=now).exists()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert any(local(m.starts_at).date() == tomorrow for m in planned)
    assert not Meeting.objects.filter(held_recorded_at__gt=now).exists()


def member1_checks_in_by_qr_had_leave_approved_and_refused_and_is_expected_tomorrow():
    member1 = Member.objects.get(user__username="member1")
    mine = Attendance.objects.filter(member=member1)
    assert mine.filter(status="present", method="qr", checked_in_at__isnull=False).count() >= 10
    approved = mine.get(leave="approved")
    assert approved.status == "leave" and approved.leave_reason and approved.leave_decided_by is not None
    refused = mine.get(leave="refused")
    assert refused.leave_note and refused.status == "present"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert any(local(a.meeting.starts_at).date() == tomorrow for a in mine.filter(meeting__status="planned"))
    assert (
        PointEntry.objects.filter(member=member1, rule__code="meeting_attendance").count()
        == mine.filter(status="present", meeting__status="held").count()
    )


def a_party_school_lesson_a_forum_with_owners_and_requests_waiting():
    lesson = Meeting.objects.get(lecturer_affiliation="慈溪市委党校")
    assert lesson.kind == Kind.LESSON and lesson.lecturer and lesson.status == "held"
    forum = Meeting.objects.get(kind=Kind.OTHER)
    assert forum.organization.name == demo.ECOMMERCE_BRANCH and "企业负责人" in forum.minutes
    assert Attendance.objects.filter(leave="requested", meeting__status="planned").count() == 2
    assert Attendance.objects.filter(leave="approved").count() > 5
    assert meeting_jobs.remind_leave_requests()["waiting"] == 2
    assert meeting_jobs.remind_participants()["reminded"] >= 1  # member1, for tomorrow's theme party day


def test_the_demo_holds_a_year_of_organisational_life_for_every_branch(seeded):
    every_branch_holds_its_monthly_and_quarterly_meetings()
    a_committee_meeting_expects_the_committee_not_the_whole_branch()
    one_branch_missed_a_quarters_general_meeting_and_one_held_it_without_quorum()
    held_meetings_have_minutes_and_attendance_and_the_rest_of_the_month_is_planned()


def test_the_demo_gives_member1_and_the_secretaries_something_to_see(seeded):
    member1_checks_in_by_qr_had_leave_approved_and_refused_and_is_expected_tomorrow()
    a_party_school_lesson_a_forum_with_owners_and_requests_waiting()


def test_seeding_again_adds_and_changes_nothing(seeded):
    def snapshot():
        return (
            list(Meeting.objects.order_by("pk").values_list("pk", "status", "topic", "starts_at", "minutes")),
            list(Attendance.objects.order_by("pk").values_list("pk", "status", "method", "leave")),
            PointEntry.objects.filter(rule__code="meeting_attendance").count(),
        )

    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == before
    assert "组织生活：已有，未改动" in out.getvalue()
    assert not Meeting.objects.values("organization", "kind", "topic").annotate(n=Count("pk")).filter(n__gt=1).exists()
