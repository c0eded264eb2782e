"""Recording attendance (with corrections kept) and leave: a member asks before the meeting, the secretary
approves or refuses, the member is told."""

import datetime

import pytest
from django.utils import timezone

from activities.meetings import services
from activities.meetings.models import Attendance, AttendanceChange, Meeting
from activities.meetings.tests.test_meetings_views import members_a as members_a  # fixtures
from activities.meetings.tests.test_meetings_views import messages_of, plan, url
from buildingparty.models import Notification

pytestmark = pytest.mark.django_db

Status = Attendance.Status
Leave = Attendance.Leave


@pytest.fixture
def begun_a(branch_a, members_a, secretary_a):
    return plan(branch_a, starts_in=-datetime.timedelta(hours=1), by=secretary_a)


@pytest.fixture
def meeting_a(branch_a, members_a, secretary_a):
    return plan(branch_a, starts_in=datetime.timedelta(days=2), by=secretary_a)


def row(meeting, name) -> Attendance:
    return meeting.attendances.select_related("member").get(member__name=name)


def own_row(meeting, user) -> Attendance:
    return meeting.attendances.get(member__user=user)


def attendance_post(meeting, statuses: dict, reasons: dict | None = None, note=""):
    data = {"note": note}
    for attendance in meeting.attendances.select_related("member"):
        name = attendance.member.name
        if name in statuses:
            data[f"status_{attendance.pk}"] = statuses[name]
        data[f"reason_{attendance.pk}"] = (reasons or {}).get(name, "")
    return data


# --- attendance ---------------------------------------------------------------------------------------------


def test_the_secretary_records_who_came_who_was_absent_and_who_was_on_leave(secretary_a_client, secretary_a, begun_a):
    response = secretary_a_client.get(url("attendance", begun_a.pk))
    assert response.status_code == 200
    assert len(response.context["form"].rows) == 5
    data = attendance_post(
        begun_a, {"张三": Status.PRESENT, "李四": Status.ABSENT, "赵流动": Status.LEAVE}, {"赵流动": "外地出差"}
    )
    response = secretary_a_client.post(url("attendance", begun_a.pk), data)
    assert response.status_code == 302
    present = row(begun_a, "张三")
    assert present.status == Status.PRESENT and present.method == Attendance.Method.SECRETARY
    assert present.recorded_by == secretary_a and present.recorded_at
    assert row(begun_a, "李四").status == Status.ABSENT
    on_leave = row(begun_a, "赵流动")
    assert (on_leave.status, on_leave.leave, on_leave.leave_reason) == (Status.LEAVE, Leave.APPROVED, "外地出差")
    assert row(begun_a, "王预备").status == Status.EXPECTED  # left blank: not recorded yet
    assert not AttendanceChange.objects.exists()  # first recordings are not corrections


def test_on_leave_needs_a_reason(secretary_a_client, begun_a):
    data = attendance_post(begun_a, {"张三": Status.LEAVE})
    response = secretary_a_client.post(url("attendance", begun_a.pk), data)
    attendance = row(begun_a, "张三")
    assert response.status_code == 200 and response.context["form"].errors[f"reason_{attendance.pk}"]
    assert attendance.status == Status.EXPECTED


def test_changing_a_recorded_status_keeps_the_correction(secretary_a_client, secretary_a, begun_a):
    secretary_a_client.post(url("attendance", begun_a.pk), attendance_post(begun_a, {"张三": Status.ABSENT}))
    secretary_a_client.post(
        url("attendance", begun_a.pk), attendance_post(begun_a, {"张三": Status.PRESENT}, note="迟到半小时，补记")
    )
    change = AttendanceChange.objects.get()
    assert (change.from_status, change.to_status, change.note) == (Status.ABSENT, Status.PRESENT, "迟到半小时，补记")
    assert change.changed_by == secretary_a and change.attendance == row(begun_a, "张三")
    assert change.actor_name == str(secretary_a)  # kept by name too (bulk_create skips save)
    body = secretary_a_client.get(url("detail", begun_a.pk)).content.decode()
    assert "迟到半小时，补记" in body


def test_correcting_a_qr_check_in_is_a_correction_too(secretary_a_client, begun_a):
    begun_a.attendances.filter(member__name="张三").update(
        status=Status.PRESENT, method=Attendance.Method.QR, checked_in_at=timezone.now()
    )
    secretary_a_client.post(url("attendance", begun_a.pk), attendance_post(begun_a, {"张三": Status.ABSENT}))
    change = AttendanceChange.objects.get()
    assert (change.from_status, change.to_status) == (Status.PRESENT, Status.ABSENT)


def test_saving_an_unchanged_qr_check_in_leaves_it_as_it_was(secretary_a_client, begun_a):
    begun_a.attendances.filter(member__name="张三").update(status=Status.PRESENT, method=Attendance.Method.QR)
    secretary_a_client.post(url("attendance", begun_a.pk), attendance_post(begun_a, {"张三": Status.PRESENT}))
    assert row(begun_a, "张三").method == Attendance.Method.QR
    assert not AttendanceChange.objects.exists()


def test_correcting_a_held_meetings_attendance_needs_a_reason(secretary_a_client, begun_a):
    secretary_a_client.post(url("attendance", begun_a.pk), attendance_post(begun_a, {"张三": Status.ABSENT}))
    services.meeting_hold(meeting=begun_a, by=None, minutes="会议记录")
    response = secretary_a_client.post(
        url("attendance", begun_a.pk), attendance_post(begun_a, {"张三": Status.PRESENT})
    )
    assert response.status_code == 200 and response.context["form"].errors["note"]
    assert row(begun_a, "张三").status == Status.ABSENT and not AttendanceChange.objects.exists()
    response = secretary_a_client.post(
        url("attendance", begun_a.pk), attendance_post(begun_a, {"张三": Status.PRESENT}, note="签到表漏记")
    )
    assert response.status_code == 302 and row(begun_a, "张三").status == Status.PRESENT
    assert AttendanceChange.objects.get().note == "签到表漏记"


def test_a_held_meetings_first_recording_needs_no_reason(secretary_a_client, begun_a):
    services.meeting_hold(meeting=begun_a, by=None, minutes="会议记录")
    response = secretary_a_client.post(
        url("attendance", begun_a.pk), attendance_post(begun_a, {"张三": Status.PRESENT})
    )
    assert response.status_code == 302 and row(begun_a, "张三").status == Status.PRESENT


def test_attendance_waits_until_the_meeting_has_begun(secretary_a_client, meeting_a):
    response = secretary_a_client.get(url("attendance", meeting_a.pk), follow=True)
    assert messages_of(response) == ["会议开始后才能登记考勤。"]
    secretary_a_client.post(url("attendance", meeting_a.pk), attendance_post(meeting_a, {"张三": Status.PRESENT}))
    assert row(meeting_a, "张三").status == Status.EXPECTED


def test_a_cancelled_meeting_takes_no_attendance(secretary_a_client, begun_a):
    services.meeting_cancel(meeting=begun_a, by=None, reason="停电")
    assert secretary_a_client.get(url("attendance", begun_a.pk)).status_code == 302


def test_members_and_street_viewers_cannot_record_attendance(login_as, member_user, street_user, begun_a):
    for user in (member_user, street_user):
        client = login_as(user)
        assert client.get(url("attendance", begun_a.pk)).status_code == 403
        response = client.post(url("attendance", begun_a.pk), attendance_post(begun_a, {"张三": Status.PRESENT}))
        assert response.status_code == 403
    assert row(begun_a, "张三").status == Status.EXPECTED


def test_another_branchs_secretary_cannot_record_attendance(login_as, secretary_b, begun_a):
    client = login_as(secretary_b)
    response = client.post(url("attendance", begun_a.pk), attendance_post(begun_a, {"张三": Status.PRESENT}))
    assert response.status_code == 404


def test_a_row_of_another_meeting_is_ignored(secretary_a_client, begun_a, branch_a):
    other = plan(branch_a, starts_in=-datetime.timedelta(hours=3))
    stray = other.attendances.first()
    data = attendance_post(begun_a, {})
    data[f"status_{stray.pk}"] = Status.PRESENT
    secretary_a_client.post(url("attendance", begun_a.pk), data)
    stray.refresh_from_db()
    assert stray.status == Status.EXPECTED


@pytest.mark.parametrize("scale", [1, 3])
def test_saving_attendance_runs_the_same_queries_however_many_rows_change(
    secretary_a_client, branch_a, django_assert_num_queries, scale
):
    from tests.factories import MemberFactory

    for n in range(4 * scale):
        MemberFactory(organization=branch_a, name=f"党员甲{n:02d}")
    meeting = plan(branch_a, starts_in=-datetime.timedelta(hours=1))
    data = attendance_post(
        meeting, {a.member.name: Status.PRESENT for a in meeting.attendances.select_related("member")}
    )
    secretary_a_client.get(url("attendance", meeting.pk))
    with django_assert_num_queries(SAVE_QUERIES):
        secretary_a_client.post(url("attendance", meeting.pk), data)
    assert meeting.attendances.filter(status=Status.PRESENT).count() == 4 * scale


# Session read, user, scope (the branch and the level below it), the meeting, its rows for the form; in one
# savepoint the locked meeting, the locked rows and one bulk update; the session write in its savepoint (3).
SAVE_QUERIES = 14


# --- leave --------------------------------------------------------------------------------------------------


def test_a_member_asks_for_leave_and_her_secretary_is_told(member_client, member_user, secretary_a, meeting_a):
    response = member_client.get(url("leave_request", meeting_a.pk))
    assert response.status_code == 200 and response.context["closed"] is None
    response = member_client.post(url("leave_request", meeting_a.pk), {"reason": "出差在外地"})
    assert response.status_code == 302 and response["Location"] == url("mine")
    attendance = own_row(meeting_a, member_user)
    assert (attendance.leave, attendance.leave_reason) == (Leave.REQUESTED, "出差在外地")
    assert attendance.leave_requested_at and attendance.status == Status.EXPECTED
    note = Notification.objects.get(user=secretary_a, event="meeting_leave_requested")
    assert "出差在外地" in note.body


def test_asking_for_leave_needs_a_reason(member_client, member_user, meeting_a):
    response = member_client.post(url("leave_request", meeting_a.pk), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert own_row(meeting_a, member_user).leave == Leave.NONE


def test_a_member_cannot_ask_for_leave_once_the_meeting_has_begun(member_client, member_user, begun_a):
    response = member_client.get(url("leave_request", begun_a.pk))
    assert response.context["closed"] == "会议已开始，不能再请假。"
    response = member_client.post(url("leave_request", begun_a.pk), {"reason": "临时有事"})
    assert response.status_code == 200 and "会议已开始，不能再请假。" in messages_of(response)
    assert own_row(begun_a, member_user).leave == Leave.NONE


def test_a_member_cannot_ask_twice(member_client, member_user, meeting_a):
    member_client.post(url("leave_request", meeting_a.pk), {"reason": "出差"})
    response = member_client.post(url("leave_request", meeting_a.pk), {"reason": "再请一次"})
    assert "已就本次会议请过假。" in messages_of(response)
    assert own_row(meeting_a, member_user).leave_reason == "出差"


def test_a_member_cannot_ask_for_leave_from_another_branchs_meeting(member_client, branch_b):
    from tests.factories import MemberFactory

    MemberFactory(organization=branch_b)
    other = plan(branch_b)
    assert member_client.post(url("leave_request", other.pk), {"reason": "出差"}).status_code == 404


def test_an_officer_who_is_not_expected_cannot_ask_for_leave(secretary_a_client, meeting_a):
    assert secretary_a_client.get(url("leave_request", meeting_a.pk)).status_code == 403


def test_the_secretary_approves_leave_and_the_member_is_told(secretary_a_client, secretary_a, member_user, meeting_a):
    attendance = own_row(meeting_a, member_user)
    services.leave_request(attendance=attendance, reason="出差在外地", by=member_user)
    detail = secretary_a_client.get(url("detail", meeting_a.pk))
    assert [a.pk for a in detail.context["leave_requests"]] == [attendance.pk]
    response = secretary_a_client.post(url("leave_decide", attendance.pk), {"decision": "approve", "note": ""})
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert (attendance.leave, attendance.status) == (Leave.APPROVED, Status.LEAVE)
    assert attendance.leave_decided_by == secretary_a and attendance.leave_decided_at
    note = Notification.objects.get(user=member_user, event="meeting_leave_approved")
    assert "请假已获准" in note.title


def test_the_secretary_refuses_leave_with_a_note_and_the_member_is_told_why(secretary_a_client, member_user, meeting_a):
    attendance = own_row(meeting_a, member_user)
    services.leave_request(attendance=attendance, reason="想休息", by=member_user)
    secretary_a_client.post(
        url("leave_decide", attendance.pk), {"decision": "refuse", "note": "本次会议讨论发展党员，请务必参加"}
    )
    attendance.refresh_from_db()
    assert (attendance.leave, attendance.status) == (Leave.REFUSED, Status.EXPECTED)
    assert attendance.leave_note == "本次会议讨论发展党员，请务必参加"
    note = Notification.objects.get(user=member_user, event="meeting_leave_refused")
    assert "请务必参加" in note.body


def test_refusing_leave_needs_a_note(secretary_a_client, member_user, meeting_a):
    attendance = own_row(meeting_a, member_user)
    services.leave_request(attendance=attendance, reason="想休息", by=member_user)
    response = secretary_a_client.post(
        url("leave_decide", attendance.pk), {"decision": "refuse", "note": ""}, follow=True
    )
    assert "不准假时请填写理由，告知本人。" in messages_of(response)
    attendance.refresh_from_db()
    assert attendance.leave == Leave.REQUESTED
    assert not Notification.objects.filter(user=member_user).exists()


def test_a_decision_is_taken_once_and_told_once(secretary_a_client, member_user, meeting_a):
    attendance = own_row(meeting_a, member_user)
    services.leave_request(attendance=attendance, reason="出差", by=member_user)
    secretary_a_client.post(url("leave_decide", attendance.pk), {"decision": "approve"})
    response = secretary_a_client.post(
        url("leave_decide", attendance.pk), {"decision": "refuse", "note": "改主意"}, follow=True
    )
    assert "该请假申请已审批。" in messages_of(response)
    attendance.refresh_from_db()
    assert attendance.leave == Leave.APPROVED
    assert Notification.objects.filter(user=member_user).count() == 1


def test_approving_leave_for_a_member_recorded_absent_corrects_it(secretary_a_client, member_user, begun_a):
    attendance = own_row(begun_a, member_user)
    Attendance.objects.filter(pk=attendance.pk).update(leave=Leave.REQUESTED, leave_reason="病假", status=Status.ABSENT)
    secretary_a_client.post(url("leave_decide", attendance.pk), {"decision": "approve"})
    attendance.refresh_from_db()
    assert attendance.status == Status.LEAVE
    change = AttendanceChange.objects.get()
    assert (change.from_status, change.to_status) == (Status.ABSENT, Status.LEAVE)


def test_a_member_who_came_anyway_stays_present_when_leave_is_approved(secretary_a_client, member_user, begun_a):
    attendance = own_row(begun_a, member_user)
    Attendance.objects.filter(pk=attendance.pk).update(
        leave=Leave.REQUESTED, leave_reason="可能加班", status=Status.PRESENT
    )
    secretary_a_client.post(url("leave_decide", attendance.pk), {"decision": "approve"})
    attendance.refresh_from_db()
    assert (attendance.leave, attendance.status) == (Leave.APPROVED, Status.PRESENT)


def test_only_the_meetings_officers_decide_on_leave(login_as, member_user, street_user, secretary_b, meeting_a):
    attendance = own_row(meeting_a, member_user)
    services.leave_request(attendance=attendance, reason="出差", by=member_user)
    assert login_as(member_user).post(url("leave_decide", attendance.pk), {"decision": "approve"}).status_code == 403
    assert login_as(street_user).post(url("leave_decide", attendance.pk), {"decision": "approve"}).status_code == 403
    assert login_as(secretary_b).post(url("leave_decide", attendance.pk), {"decision": "approve"}).status_code == 404
    attendance.refresh_from_db()
    assert attendance.leave == Leave.REQUESTED


def test_the_member_sees_her_leave_decision_on_the_meeting(member_client, member_user, meeting_a, secretary_a):
    attendance = own_row(meeting_a, member_user)
    services.leave_request(attendance=attendance, reason="出差", by=member_user)
    services.leave_decide(attendance=attendance, approve=False, by=secretary_a, note="请调整行程")
    response = member_client.get(url("detail", meeting_a.pk))
    body = response.content.decode()
    assert "请调整行程" in body and 'data-testid="ask-leave"' not in body
    assert response.context["own"].leave == Leave.REFUSED


def test_a_cancelled_meeting_takes_no_leave_requests(member_client, member_user, meeting_a):
    services.meeting_cancel(meeting=meeting_a, by=None, reason="改期")
    response = member_client.get(url("leave_request", meeting_a.pk))
    assert response.context["closed"]
    member_client.post(url("leave_request", meeting_a.pk), {"reason": "出差"})
    assert own_row(meeting_a, member_user).leave == Leave.NONE


def test_the_leave_page_answers_get_and_post_only(member_client, meeting_a):
    assert member_client.put(url("leave_request", meeting_a.pk)).status_code == 405


def test_meeting_status_stays_planned_through_leave(meeting_a, member_user):
    services.leave_request(attendance=own_row(meeting_a, member_user), reason="出差", by=member_user)
    meeting_a.refresh_from_db()
    assert meeting_a.status == Meeting.Status.PLANNED
