"""What meetings give other apps: points for attending (rule ``meeting_attendance``) and the member's timeline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.meetings import services
from activities.meetings.models import Attendance, Meeting
from activities.meetings.sources import attended_meetings
from members import timeline
from members.points import services as points
from members.points.models import PointEntry, PointRule
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

Status = Attendance.Status


def held(organization, *, by, days_ago=10, kind=Meeting.Kind.THEME_DAY, topic="重温入党誓词", statuses=None):
    """A meeting held ``days_ago`` days ago, its attendance recorded: ``statuses`` maps member → status."""
    meeting = services.meeting_plan(
        organization=organization,
        kind=kind,
        topic=topic,
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        by=by,
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, minutes="会议纪要")
    for member, status in (statuses or {}).items():
        Attendance.objects.filter(meeting=meeting, member=member).update(status=status)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def rules(building):
    points.ensure_default_rules(building)
    return {r.code: r for r in PointRule.objects.filter(building=building)}


@pytest.fixture
def member_a(member_user):
    return member_user.member


def attendance_entries(member):
    return PointEntry.objects.filter(member=member, rule__code="meeting_attendance").order_by("occurred_on", "pk")


# --- points -------------------------------------------------------------------------------------------------


def test_attending_a_held_meeting_earns_points_once_however_often_credit_runs(rules, branch_a, secretary_a, member_a):
    meeting = held(branch_a, by=secretary_a, statuses={member_a: Status.PRESENT})

    first = points.credit_automatic()
    second = points.credit_automatic()

    entry = attendance_entries(member_a).get()
    assert entry.points == 2 and entry.status == PointEntry.Status.APPROVED
    assert entry.source == f"meetings.attendance:{Attendance.objects.get(meeting=meeting, member=member_a).pk}"
    assert entry.occurred_on == timezone.localdate(meeting.starts_at)
    assert entry.note == "主题党日：重温入党誓词"
    assert first["credited"] >= 1 and second["credited"] == 0 and second["existing"] >= 1


def test_absent_on_leave_unrecorded_planned_and_cancelled_earn_nothing(rules, branch_a, secretary_a, member_a):
    held(branch_a, by=secretary_a, statuses={member_a: Status.ABSENT}, topic="缺席")
    held(branch_a, by=secretary_a, statuses={member_a: Status.LEAVE}, topic="请假")
    held(branch_a, by=secretary_a, topic="未记录")
    planned = services.meeting_plan(
        organization=branch_a, kind=Meeting.Kind.LESSON, topic="计划中", starts_at=timezone.now(), by=secretary_a
    )
    Attendance.objects.filter(meeting=planned).update(status=Status.PRESENT)
    cancelled = held(branch_a, by=secretary_a, statuses={member_a: Status.PRESENT}, topic="取消")
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="台风")

    points.credit_automatic()

    assert not attendance_entries(member_a).exists()


def test_each_meeting_attended_is_its_own_entry_within_the_yearly_cap(rules, branch_a, secretary_a, member_a):
    PointRule.objects.filter(pk=rules["meeting_attendance"].pk).update(yearly_cap=3)
    for n in range(3):
        held(branch_a, by=secretary_a, days_ago=1, topic=f"第{n}次", statuses={member_a: Status.PRESENT})
    points.credit_automatic()
    assert sorted(e.points for e in attendance_entries(member_a)) == [0, 1, 2]


def test_the_source_yields_only_the_buildings_meetings_in_the_window(branch_a, secretary_a, member_a):
    old = held(branch_a, by=secretary_a, days_ago=40, statuses={member_a: Status.PRESENT}, topic="四十天前")
    recent = held(branch_a, by=secretary_a, days_ago=5, statuses={member_a: Status.PRESENT}, topic="五天前")
    other_building = BuildingFactory(name="别的大厦")
    branch = OrganizationFactory(building=other_building, name="别的支部")
    elsewhere = MemberFactory(organization=branch)
    held(branch, by=None, days_ago=5, statuses={elsewhere: Status.PRESENT}, topic="别处")

    today = timezone.localdate()
    rows = list(attended_meetings(branch_a.building_id, today - datetime.timedelta(days=10), today))

    assert [(r[0], r[1]) for r in rows] == [
        (member_a.pk, f"meetings.attendance:{Attendance.objects.get(meeting=recent, member=member_a).pk}")
    ]
    day = timezone.localdate(old.starts_at)
    assert [r[2] for r in attended_meetings(branch_a.building_id, day, day)] == [day]


def test_the_deduction_for_missing_a_meeting_is_not_credited_automatically(rules, branch_a, secretary_a, member_a):
    """``credit_automatic`` credits automatic rules only: an absence is deducted by the secretary, with a reason."""
    held(branch_a, by=secretary_a, statuses={member_a: Status.ABSENT})
    points.credit_automatic()
    assert not PointEntry.objects.filter(member=member_a, rule__code="meeting_absent").exists()
    assert "meeting_absent" not in points.registered_sources()


# --- timeline -----------------------------------------------------------------------------------------------


def test_the_timeline_shows_meetings_attended_missed_and_on_leave_folded_per_year(branch_a, secretary_a, member_a):
    present = held(
        branch_a,
        by=secretary_a,
        days_ago=3,
        kind=Meeting.Kind.GENERAL_MEETING,
        statuses={member_a: Status.PRESENT},
        topic="选举",
    )
    absent = held(branch_a, by=secretary_a, days_ago=2, kind=Meeting.Kind.LESSON, statuses={member_a: Status.ABSENT})
    leave = held(branch_a, by=secretary_a, days_ago=1, statuses={member_a: Status.LEAVE})
    services.meeting_plan(  # planned: not on the timeline yet
        organization=branch_a, kind=Meeting.Kind.COMMITTEE, topic="下月计划", starts_at=timezone.now(), by=secretary_a
    )

    events = [e for e in timeline.events_for(member_a) if e.routine == "组织生活"]

    assert [(e.title, e.url) for e in events] == [
        ("请假未参加主题党日", reverse("meetings:detail", args=[leave.pk])),
        ("缺席党课", reverse("meetings:detail", args=[absent.pk])),
        ("出席支部党员大会", reverse("meetings:detail", args=[present.pk])),
    ]
    assert events[2].date == timezone.localdate(present.starts_at) and "选举" in events[2].detail
    assert "第一党支部" in events[2].detail
    folds = [line for line in timeline.folded(timeline.events_for(member_a)) if isinstance(line, timeline.Fold)]
    assert sum(len(f.events) for f in folds if f.routine == "组织生活") == 3


def test_the_timeline_leaves_out_meetings_not_recorded_for_her(branch_a, secretary_a, member_a):
    held(branch_a, by=secretary_a)  # held, but her attendance is not recorded
    assert not [e for e in timeline.events_for(member_a) if e.routine == "组织生活"]
