"""The writes of organisational life, called directly: the rules a form cannot see (who holds which meeting, the
meeting's state, the clock), and that each decision is told once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.meetings import services
from activities.meetings.models import Attendance, Meeting
from activities.meetings.tests.test_meetings_views import members_a as members_a  # fixtures
from activities.meetings.tests.test_meetings_views import plan
from buildingparty.models import Notification

pytestmark = pytest.mark.django_db

Kind = Meeting.Kind


@pytest.mark.parametrize("kind", [Kind.GENERAL_MEETING, Kind.COMMITTEE])
def test_a_party_group_holds_no_general_or_committee_meeting(group_a, kind):
    with pytest.raises(ValidationError) as error:
        plan(group_a, kind=kind)
    assert "organization" in error.value.error_dict
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("kind", [Kind.LESSON, Kind.THEME_DAY, Kind.LIFE_MEETING, Kind.OTHER])
def test_the_other_kinds_may_be_held_by_a_group(group_a, kind):
    assert plan(group_a, kind=kind).organization == group_a


def test_the_general_branch_may_hold_a_general_meeting_of_the_whole_building(
    general_branch, branch_a, branch_b, members_a
):
    meeting = plan(general_branch)
    assert meeting.attendances.count() == members_a.count()


def test_a_lesson_gets_the_default_study_hours_and_other_kinds_none(branch_a):
    assert plan(branch_a, kind=Kind.LESSON).study_hours == Meeting.DEFAULT_STUDY_HOURS[Kind.LESSON]
    assert plan(branch_a, kind=Kind.OTHER, study_hours=3).study_hours == 0


def test_a_meeting_cannot_end_before_it_starts(branch_a):
    starts = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.meeting_plan(
            organization=branch_a,
            kind=Kind.OTHER,
            topic="座谈会",
            starts_at=starts,
            ends_at=starts - datetime.timedelta(hours=1),
            by=None,
        )
    assert "ends_at" in error.value.error_dict


def test_only_a_planned_meeting_is_changed_or_cancelled(branch_a):
    meeting = plan(branch_a, starts_in=-datetime.timedelta(hours=1))
    services.meeting_hold(meeting=meeting, by=None, minutes="记录")
    with pytest.raises(ValidationError):
        services.meeting_update(
            meeting=meeting, by=None, kind=Kind.GENERAL_MEETING, topic="改", starts_at=meeting.starts_at
        )
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=meeting, by=None, reason="误")


def test_a_cancelled_meeting_is_never_held_nor_takes_attendance(branch_a, members_a):
    meeting = plan(branch_a, starts_in=-datetime.timedelta(hours=1))
    services.meeting_cancel(meeting=meeting, by=None, reason="停电")
    with pytest.raises(ValidationError):
        services.meeting_hold(meeting=meeting, by=None, minutes="记录")
    row = meeting.attendances.first()
    with pytest.raises(ValidationError):
        services.attendance_record(meeting=meeting, by=None, rows={row.pk: (Attendance.Status.PRESENT, "")})


def test_cancelling_tells_each_member_once(branch_a, members_a, member_user):
    meeting = plan(branch_a)
    services.meeting_cancel(meeting=meeting, by=None, reason="改期")
    notes = Notification.objects.filter(event="meeting_cancelled")
    assert list(notes.values_list("user", flat=True)) == [member_user.pk]  # the one member with an account


def test_leave_cannot_be_asked_at_the_moment_the_meeting_starts(branch_a, member_user, monkeypatch):
    meeting = plan(branch_a)
    attendance = meeting.attendances.get(member__user=member_user)
    monkeypatch.setattr(timezone, "now", lambda: meeting.starts_at)
    with pytest.raises(ValidationError) as error:
        services.leave_request(attendance=attendance, reason="出差", by=member_user)
    assert error.value.code == "started"


def test_leave_can_be_asked_a_minute_before_the_start(branch_a, member_user, monkeypatch):
    meeting = plan(branch_a)
    attendance = meeting.attendances.get(member__user=member_user)
    monkeypatch.setattr(timezone, "now", lambda: meeting.starts_at - datetime.timedelta(minutes=1))
    assert services.leave_request(attendance=attendance, reason="出差", by=member_user).leave == "requested"


# --- who a meeting expects ----------------------------------------------------------------------------------


def test_a_committee_meeting_expects_the_committee_not_the_whole_branch(branch_a, members_a):
    from members.committees.tests.factories import CommitteeSeatFactory, CommitteeTermFactory

    term = CommitteeTermFactory(organization=branch_a, elected_on=datetime.date(2024, 6, 1))
    secretary = CommitteeSeatFactory(term=term, member=members_a.get(name="张三"), post="secretary")
    member = CommitteeSeatFactory(term=term, member=members_a.get(name="李四"))
    CommitteeSeatFactory(  # left the committee before the meeting
        term=term, member=members_a.get(name="赵流动"), until=timezone.localdate() - datetime.timedelta(days=30)
    )
    meeting = plan(branch_a, kind=Kind.COMMITTEE)
    assert set(meeting.attendances.values_list("member", flat=True)) == {secretary.member_id, member.member_id}


def test_a_committee_meeting_expects_everybody_while_no_committee_is_on_record(branch_a, members_a):
    meeting = plan(branch_a, kind=Kind.COMMITTEE)
    assert meeting.attendances.count() == members_a.count()


def test_changing_a_meetings_kind_changes_who_is_expected_but_keeps_leave_requests(branch_a, members_a, member_user):
    from members.committees.tests.factories import CommitteeSeatFactory, CommitteeTermFactory

    term = CommitteeTermFactory(organization=branch_a)
    CommitteeSeatFactory(term=term, member=members_a.get(name="张三"), post="secretary")
    meeting = plan(branch_a, kind=Kind.GENERAL_MEETING)
    services.leave_request(attendance=meeting.attendances.get(member__user=member_user), reason="出差", by=member_user)
    services.meeting_update(meeting=meeting, by=None, kind=Kind.COMMITTEE, topic="支委会", starts_at=meeting.starts_at)
    names = set(meeting.attendances.values_list("member__name", flat=True))
    assert names == {"张三", member_user.member.name}
