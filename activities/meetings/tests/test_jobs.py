"""The reminders of organisational life: tomorrow's meetings to their participants, waiting leave requests to
the officers. Each is sent once per thing and occasion, however often the job runs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.meetings import jobs as meeting_jobs
from activities.meetings import services
from activities.meetings.models import Attendance, Meeting
from buildingparty import jobs
from buildingparty.models import JobRun, Notification
from members.models import Member
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def today() -> datetime.date:
    return timezone.localdate()


def tomorrow() -> datetime.date:
    return today() + datetime.timedelta(days=1)


def plan(organization, *, by, starts_at, kind=Meeting.Kind.THEME_DAY, topic="重温入党誓词", place="党支部活动室"):
    return services.meeting_plan(
        organization=organization, kind=kind, topic=topic, starts_at=starts_at, by=by, place=place
    )


def member_with_account(organization, username, **extra):
    user = UserFactory(username=username, role="member", building=organization.building)
    return MemberFactory(organization=organization, user=user, **extra)


def reminders(user=None):
    notes = Notification.objects.filter(event="meeting_reminder")
    return notes.filter(user=user) if user is not None else notes


# --- tomorrow's meetings ------------------------------------------------------------------------------------


def test_participants_of_tomorrows_meeting_are_reminded_once(branch_a, secretary_a, member_user):
    meeting = plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 14, 30))

    first = meeting_jobs.remind_participants(today=today().isoformat())
    second = meeting_jobs.remind_participants(today=today().isoformat())

    note = reminders(member_user).get()
    assert note.title == "明天 14:30 召开主题党日"
    assert (
        note.body == "明天 14:30 在党支部活动室召开第一党支部主题党日，议题：重温入党誓词。不能参加的，请在会前请假。"
    )
    assert note.url == meeting.get_absolute_url()
    assert first == {"meetings": 1, "participants": 1, "reminded": 1}
    assert second == {"meetings": 1, "participants": 1, "reminded": 0}
    assert reminders().count() == 1


def test_a_meeting_without_a_place_is_announced_without_one(branch_a, secretary_a, member_user):
    plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 9), place="")
    meeting_jobs.remind_participants(today=today().isoformat())
    assert reminders(member_user).get().body.startswith("明天 09:00 召开第一党支部主题党日")


def test_who_is_not_reminded(branch_a, branch_b, secretary_a, member_user):
    """Members on approved leave, without an account, no longer here; meetings today, the day after, cancelled
    or of members of another branch's meeting."""
    on_leave = member_with_account(branch_a, "on_leave")
    asked = member_with_account(branch_a, "asked")  # asked but not yet approved: still reminded
    gone = member_with_account(branch_a, "gone")
    MemberFactory(organization=branch_a)  # no account
    other = member_with_account(branch_b, "other_branch")
    meeting = plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 19))
    Attendance.objects.filter(meeting=meeting, member=on_leave).update(
        status=Attendance.Status.LEAVE, leave=Attendance.Leave.APPROVED, leave_reason="出差"
    )
    Attendance.objects.filter(meeting=meeting, member=asked).update(
        leave=Attendance.Leave.REQUESTED, leave_reason="加班"
    )
    Member.objects.filter(pk=gone.pk).update(whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    plan(branch_a, by=secretary_a, starts_at=at(today(), 23, 30), topic="今天的会")
    plan(branch_a, by=secretary_a, starts_at=at(tomorrow() + datetime.timedelta(days=1), 0, 0), topic="后天的会")
    cancelled = plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 8), topic="取消的会")
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="台风")

    counts = meeting_jobs.remind_participants(today=today().isoformat())

    assert set(reminders().values_list("user__username", flat=True)) == {member_user.username, "asked"}
    assert counts == {"meetings": 1, "participants": 2, "reminded": 2}
    assert not reminders(other.user).exists()


def test_a_meeting_moved_to_another_day_is_reminded_again(branch_a, secretary_a, member_user):
    meeting = plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 14))
    meeting_jobs.remind_participants(today=today().isoformat())
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=at(tomorrow() + datetime.timedelta(days=7), 14))
    later = (today() + datetime.timedelta(days=7)).isoformat()
    assert meeting_jobs.remind_participants(today=later)["reminded"] == 1
    assert reminders(member_user).count() == 2


@pytest.mark.parametrize("meetings", [1, 3])
def test_the_reminder_reads_meetings_and_participants_in_one_query_each(branch_a, secretary_a, member_user, meetings):
    for n in range(meetings):
        plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 9 + n), topic=f"会{n}")
    with CaptureQueriesContext(connection) as captured:
        assert meeting_jobs.remind_participants(today=today().isoformat())["reminded"] == meetings
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len([sql for sql in reads if 'FROM "meetings_meeting"' in sql]) == 1
    assert len([sql for sql in reads if 'FROM "meetings_attendance"' in sql]) == 1


def test_the_reminder_job_is_registered_daily_and_recorded(branch_a, secretary_a, member_user):
    plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 14, 30))
    counts = jobs.run_now("meetings.remind_participants")
    assert counts["reminded"] == 1
    run = JobRun.objects.get(job="meetings.remind_participants")
    assert run.outcome == JobRun.Outcome.SUCCEEDED and run.counts["reminded"] == 1
    spec = jobs.get("meetings.remind_participants")
    assert (spec.schedule.hour, spec.schedule.minute, spec.schedule.day_of_month) == ("9", "0", "*")


# --- leave requests waiting ---------------------------------------------------------------------------------


def ask_leave(meeting, member, reason="出差在外", when=None):
    """Leave asked for yesterday evening, unless ``when`` says otherwise."""
    yesterday = at(today() - datetime.timedelta(days=1), 20)
    Attendance.objects.filter(meeting=meeting, member=member).update(
        leave=Attendance.Leave.REQUESTED, leave_reason=reason, leave_requested_at=when or yesterday
    )
    return Attendance.objects.get(meeting=meeting, member=member)


def waiting_notes(user=None):
    notes = Notification.objects.filter(event="meeting_leave_waiting")
    return notes.filter(user=user) if user is not None else notes


def test_a_waiting_leave_request_is_told_to_the_secretary_once(branch_a, secretary_a, member_user, admin_user):
    meeting = plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 14, 30), kind=Meeting.Kind.GENERAL_MEETING)
    ask_leave(meeting, member_user.member)

    first = meeting_jobs.remind_leave_requests(today=today().isoformat())
    second = meeting_jobs.remind_leave_requests(today=today().isoformat())

    note = waiting_notes(secretary_a).get()
    name = member_user.member.name
    assert note.title == f"待审批的请假：{name}"
    assert f"{name} 申请不参加 {tomorrow():%Y-%m-%d} 14:30 召开的支部党员大会" in note.body
    assert "请假事由：出差在外" in note.body
    assert note.url == meeting.get_absolute_url()
    assert not waiting_notes(admin_user).exists()  # the secretary decides; the admin is told only without one
    assert first == {"waiting": 1, "notified": 1} and second == {"waiting": 1, "notified": 0}


def test_one_notification_per_request_and_a_new_request_after_a_refusal_is_told_again(
    branch_a, group_a, secretary_a, secretary_b, member_user
):
    meeting = plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 14))
    other = MemberFactory(organization=group_a)
    group_meeting = plan(group_a, by=secretary_a, starts_at=at(tomorrow(), 16), kind=Meeting.Kind.GROUP)
    first_request = ask_leave(meeting, member_user.member, when=at(today() - datetime.timedelta(days=1), 9))
    ask_leave(group_meeting, other)

    assert meeting_jobs.remind_leave_requests(today=today().isoformat()) == {"waiting": 2, "notified": 2}
    assert waiting_notes(secretary_a).count() == 2 and not waiting_notes(secretary_b).exists()

    ask_leave(
        meeting,
        member_user.member,
        reason="孩子生病",
        when=first_request.leave_requested_at + datetime.timedelta(hours=1),
    )
    assert meeting_jobs.remind_leave_requests(today=today().isoformat()) == {"waiting": 2, "notified": 1}


def test_a_request_made_today_is_reminded_from_tomorrow_on(branch_a, secretary_a, member_user):
    """The officers heard of it when it was made: the reminder is for what is still waiting the next day."""
    meeting = plan(branch_a, by=secretary_a, starts_at=at(today() + datetime.timedelta(days=3), 14))
    ask_leave(meeting, member_user.member, when=at(today(), 0, 5))
    assert meeting_jobs.remind_leave_requests(today=today().isoformat()) == {"waiting": 0, "notified": 0}
    assert meeting_jobs.remind_leave_requests(today=tomorrow().isoformat()) == {"waiting": 1, "notified": 1}


def test_without_a_secretary_the_buildings_admins_are_told(branch_b, admin_user):
    member = MemberFactory(organization=branch_b)
    meeting = plan(branch_b, by=admin_user, starts_at=at(tomorrow(), 10))
    ask_leave(meeting, member)
    meeting_jobs.remind_leave_requests(today=today().isoformat())
    assert waiting_notes(admin_user).count() == 1


def test_decided_requests_and_past_held_or_cancelled_meetings_are_not_told(branch_a, secretary_a, member_user):
    member = member_user.member
    decided = plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 9), topic="已批准")
    Attendance.objects.filter(meeting=decided, member=member).update(
        leave=Attendance.Leave.APPROVED, leave_reason="出差", status=Attendance.Status.LEAVE
    )
    past = plan(branch_a, by=secretary_a, starts_at=at(today() - datetime.timedelta(days=2), 9), topic="前天")
    ask_leave(past, member)
    held = plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 10), topic="已召开")
    ask_leave(held, member)
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.HELD)
    cancelled = plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 11), topic="已取消")
    ask_leave(cancelled, member)
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="台风")

    assert meeting_jobs.remind_leave_requests(today=today().isoformat()) == {"waiting": 0, "notified": 0}


def test_the_leave_job_is_registered_and_recorded(branch_a, secretary_a, member_user):
    meeting = plan(branch_a, by=secretary_a, starts_at=at(tomorrow(), 14))
    ask_leave(meeting, member_user.member)
    assert jobs.run_now("meetings.remind_leave_requests")["notified"] == 1
    assert JobRun.objects.get(job="meetings.remind_leave_requests").outcome == JobRun.Outcome.SUCCEEDED
    assert jobs.get("meetings.remind_leave_requests").schedule.day_of_month == "*"
