"""Study hours earn points (the rule ``study_hours``: each study hour, at most 32 a year), once per record."""

import datetime
from decimal import Decimal

import pytest

from activities.meetings.models import Attendance, Meeting
from activities.study.models import StudyParticipation
from activities.study.tests.factories import session_with, study_meeting, this_year
from members.points import services as points
from members.points.models import PointEntry, PointRule
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

Status = Attendance.Status


@pytest.fixture
def rules(building):
    points.ensure_default_rules(building)


def study_entries(member):
    return PointEntry.objects.filter(member=member, rule__code="study_hours")


def test_each_session_and_each_lesson_attended_are_credited_once_worth_their_hours(rules, branch_a):
    zhang, li = MemberFactory(organization=branch_a), MemberFactory(organization=branch_a)
    meeting = study_meeting(branch_a, {zhang: Status.PRESENT, li: Status.ABSENT}, hours="2.0")
    session = session_with([zhang, li], hours=Decimal("3.0"))

    points.credit_automatic()
    points.credit_automatic()  # the nightly job runs again: nothing new

    attendance = Attendance.objects.get(meeting=meeting, member=zhang)
    mine = dict(study_entries(zhang).values_list("source", "points"))
    participation = StudyParticipation.objects.get(session=session, member=zhang)
    assert mine == {f"meetings.attendance:{attendance.pk}:study": 2, f"study.studyparticipation:{participation.pk}": 3}
    assert list(study_entries(li).values_list("points", flat=True)) == [3]


def test_the_study_key_leaves_room_for_the_attendance_rule_on_the_same_attendance(rules, branch_a):
    zhang = MemberFactory(organization=branch_a)
    meeting = study_meeting(branch_a, {zhang: Status.PRESENT})
    attendance = Attendance.objects.get(meeting=meeting)
    points.credit(
        rule_code="meeting_attendance",
        member=zhang,
        source=f"meetings.attendance:{attendance.pk}",
        occurred_on=datetime.date(this_year(), 1, 5),
    )

    points.credit_automatic()

    assert set(PointEntry.objects.filter(member=zhang).values_list("rule__code", "source")) >= {
        ("meeting_attendance", f"meetings.attendance:{attendance.pk}"),
        ("study_hours", f"meetings.attendance:{attendance.pk}:study"),
    }


def test_study_points_stop_at_the_yearly_cap(rules, branch_a):
    zhang = MemberFactory(organization=branch_a)
    for month in (1, 2):
        session_with([zhang], hours=Decimal("20"), held_on=datetime.date(this_year(), month, 3))

    points.credit_automatic()

    assert sorted(study_entries(zhang).values_list("points", flat=True)) == [12, 20]


def test_nothing_is_credited_for_planned_meetings_or_other_buildings(rules, branch_a, outsider):
    zhang = MemberFactory(organization=branch_a)
    study_meeting(branch_a, {zhang: Status.PRESENT}, status=Meeting.Status.PLANNED)
    session_with([outsider.member])  # another building, which has no rules

    counts = points.credit_automatic()

    assert counts["credited"] == 0
    assert not PointEntry.objects.exists()
    assert PointRule.objects.filter(code="study_hours").count() == 1
