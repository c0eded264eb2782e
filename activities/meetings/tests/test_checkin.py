"""QR check-in: the code officers put up (page and SVG), and the member who scans it with her phone."""

import datetime
import types

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.meetings import checkin as service
from activities.meetings import services
from activities.meetings.models import Attendance, AttendanceChange, Meeting
from activities.meetings.views import checkin as views
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def clock(monkeypatch):
    """clock(moment): the check-in views' "now" is ``moment`` (the session keeps the real time, or the member
    would be signed out by a clock hours ahead)."""

    def set_to(moment):
        monkeypatch.setattr(views, "timezone", types.SimpleNamespace(now=lambda: moment))
        return moment

    return set_to


def plan(organization, *, by, starts_in=datetime.timedelta(minutes=10), kind=Meeting.Kind.GENERAL_MEETING, **extra):
    return services.meeting_plan(
        organization=organization,
        kind=kind,
        topic="学习贯彻党的二十届四中全会精神",
        starts_at=timezone.now() + starts_in,
        by=by,
        place="党支部活动室",
        **extra,
    )


@pytest.fixture
def meeting(branch_a, member_user, secretary_a):
    """A 支部党员大会 of branch A starting in ten minutes: its code is open, member_user is expected."""
    return plan(branch_a, by=secretary_a)


@pytest.fixture
def meeting_b(branch_b, secretary_b):
    MemberFactory(organization=branch_b)
    return plan(branch_b, by=secretary_b)


def qr(meeting):
    return reverse("meetings:checkin_qr", args=[meeting.pk])


def qr_image(meeting):
    return reverse("meetings:checkin_qr_image", args=[meeting.pk])


def checkin_url(meeting):
    return reverse("meetings:checkin", args=[meeting.checkin_token])


def mine(meeting, user) -> Attendance:
    return Attendance.objects.get(meeting=meeting, member__user=user)


def text(response) -> str:
    return response.content.decode()


# --- the code: page and image -------------------------------------------------------------------------------


def test_the_secretary_puts_the_code_on_screen_with_the_meeting_and_its_window(secretary_a_client, meeting, settings):
    settings.SITE_URL = "https://party.example.cn"
    response = secretary_a_client.get(qr(meeting))
    assert response.status_code == 200
    body = text(response)
    assert "支部党员大会" in body and meeting.topic in body and "党支部活动室" in body
    assert "第一党支部" in body
    opens = timezone.localtime(meeting.starts_at - datetime.timedelta(minutes=30))
    closes = timezone.localtime(meeting.starts_at + datetime.timedelta(minutes=120))
    assert f"{opens:%H:%M}–{closes:%H:%M}" in body
    assert f"https://party.example.cn/activities/meetings/checkin/{meeting.checkin_token}/" in body
    assert qr_image(meeting) in body and "css/print.css" in body
    assert "已签到 0 人，应到 1 人" in body
    assert "no-store" in response["Cache-Control"]


def test_the_admin_opens_the_code_of_any_meeting_of_the_building(admin_client, meeting, meeting_b):
    assert admin_client.get(qr(meeting)).status_code == 200
    assert admin_client.get(qr(meeting_b)).status_code == 200
    assert admin_client.get(qr_image(meeting_b)).status_code == 200


def test_the_code_image_is_an_svg_of_the_absolute_checkin_address(secretary_a_client, meeting):
    response = secretary_a_client.get(qr_image(meeting))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = text(response)
    assert svg.startswith("<svg") and "<path" in svg
    assert "no-store" in response["Cache-Control"]
    assert service.checkin_url(meeting).startswith("http")


@pytest.mark.parametrize("persona", ["street_user", "member_user", "liaison_user", "contact_user"])
def test_street_viewers_members_and_others_may_not_open_the_code(request, login_as, meeting, persona):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(qr(meeting)).status_code == 403
    assert client.get(qr_image(meeting)).status_code == 403


def test_another_branchs_code_is_not_found(secretary_a_client, meeting_b):
    assert secretary_a_client.get(qr(meeting_b)).status_code == 404
    assert secretary_a_client.get(qr_image(meeting_b)).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, meeting):
    for target in [qr(meeting), qr_image(meeting), checkin_url(meeting)]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    assert client.post(checkin_url(meeting))["Location"].startswith(reverse("login"))
    assert mine(meeting, Attendance.objects.get(meeting=meeting).member.user).status == Attendance.Status.EXPECTED


def test_the_code_pages_only_answer_get(secretary_a_client, meeting):
    assert secretary_a_client.post(qr(meeting)).status_code == 405
    assert secretary_a_client.post(qr_image(meeting)).status_code == 405


def test_the_code_of_a_cancelled_meeting_says_so_instead_of_showing_the_code(secretary_a_client, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="台风停课")
    body = text(secretary_a_client.get(qr(meeting)))
    assert "会议已取消" in body and qr_image(meeting) not in body


# --- the member checks in -----------------------------------------------------------------------------------


def test_the_member_sees_the_meeting_and_a_big_checkin_button(member_client, meeting):
    response = member_client.get(checkin_url(meeting))
    assert response.status_code == 200
    body = text(response)
    assert meeting.topic in body and "党支部活动室" in body
    assert 'data-testid="checkin-form"' in body and "签到" in body


def test_checking_in_marks_her_present_by_qr_now(member_client, member_user, meeting):
    before = timezone.now()
    response = member_client.post(checkin_url(meeting))
    assert response.status_code == 302 and response["Location"] == checkin_url(meeting)
    attendance = mine(meeting, member_user)
    assert attendance.status == Attendance.Status.PRESENT
    assert attendance.method == Attendance.Method.QR
    assert attendance.checked_in_at >= before and attendance.recorded_at == attendance.checked_in_at
    assert attendance.recorded_by == member_user
    follow = member_client.get(checkin_url(meeting))
    assert "签到成功" in text(follow)
    assert f"您已于 {timezone.localtime(attendance.checked_in_at):%H:%M} 签到" in text(follow)
    assert 'data-testid="checkin-form"' not in text(follow)


def test_checking_in_twice_keeps_the_first_time_and_says_she_is_in(member_client, member_user, meeting):
    member_client.post(checkin_url(meeting), follow=True)
    first = mine(meeting, member_user).checked_in_at
    response = member_client.post(checkin_url(meeting), follow=True)
    assert response.status_code == 200
    assert mine(meeting, member_user).checked_in_at == first
    assert "签到成功" not in text(response) and "您已于" in text(response)
    assert Attendance.objects.filter(meeting=meeting, status=Attendance.Status.PRESENT).count() == 1


def test_a_member_already_checked_in_still_sees_it_after_the_window_closed(member_client, member_user, meeting, clock):
    member_client.post(checkin_url(meeting))
    clock(service.window(meeting).closes_at + datetime.timedelta(hours=3))
    response = member_client.get(checkin_url(meeting))
    assert response.status_code == 200 and "您已于" in text(response)


def test_a_member_the_secretary_recorded_present_is_told_so(member_client, member_user, meeting):
    Attendance.objects.filter(pk=mine(meeting, member_user).pk).update(
        status=Attendance.Status.PRESENT, method=Attendance.Method.SECRETARY
    )
    response = member_client.get(checkin_url(meeting))
    assert response.status_code == 200 and "您已记录为出席本次会议" in text(response)


def test_the_code_shows_how_many_have_checked_in(member_client, secretary_a, login_as, meeting):
    member_client.post(checkin_url(meeting))
    body = text(login_as(secretary_a).get(qr(meeting)))
    assert "已签到 1 人，应到 1 人" in body


# --- the window ---------------------------------------------------------------------------------------------


def test_a_minute_before_the_window_opens_she_is_told_when_it_opens(member_client, member_user, branch_a, secretary_a):
    meeting = plan(branch_a, by=secretary_a, starts_in=datetime.timedelta(minutes=31))
    opens = timezone.localtime(service.window(meeting).opens_at)
    for response in (member_client.get(checkin_url(meeting)), member_client.post(checkin_url(meeting))):
        assert response.status_code == 403
        assert f"签到将于 {opens:%H:%M} 开始" in text(response)
        assert 'data-testid="checkin-form"' not in text(response)
    assert mine(meeting, member_user).status == Attendance.Status.EXPECTED


def test_a_meeting_tomorrow_names_the_day_the_window_opens(member_client, branch_a, secretary_a):
    meeting = plan(branch_a, by=secretary_a, starts_in=datetime.timedelta(days=1, hours=1))
    opens = timezone.localtime(service.window(meeting).opens_at)
    response = member_client.get(checkin_url(meeting))
    assert f"签到将于 {opens.month}月{opens.day}日 {opens:%H:%M} 开始" in text(response)


def test_the_window_opens_on_the_minute(member_client, member_user, meeting, clock):
    clock(service.window(meeting).opens_at)
    assert member_client.post(checkin_url(meeting)).status_code == 302
    assert mine(meeting, member_user).status == Attendance.Status.PRESENT


def test_the_last_moment_of_the_window_still_counts(member_client, member_user, meeting, clock):
    clock(service.window(meeting).closes_at)
    assert member_client.post(checkin_url(meeting)).status_code == 302
    assert mine(meeting, member_user).status == Attendance.Status.PRESENT


def test_after_the_window_closed_she_is_told_when_it_closed(member_client, member_user, meeting, clock):
    closes = service.window(meeting).closes_at
    clock(closes + datetime.timedelta(seconds=1))
    for response in (member_client.get(checkin_url(meeting)), member_client.post(checkin_url(meeting))):
        assert response.status_code == 403
        assert f"签到已于 {timezone.localtime(closes):%H:%M} 结束" in text(response)
    assert mine(meeting, member_user).status == Attendance.Status.EXPECTED


def test_the_window_follows_the_settings(member_client, member_user, branch_a, secretary_a, settings):
    settings.MEETING_CHECKIN_OPENS_MINUTES = 60
    meeting = plan(branch_a, by=secretary_a, starts_in=datetime.timedelta(minutes=45))
    assert member_client.post(checkin_url(meeting)).status_code == 302
    settings.MEETING_CHECKIN_CLOSES_MINUTES = 10
    late = plan(branch_a, by=secretary_a, starts_in=-datetime.timedelta(minutes=15))
    assert member_client.post(checkin_url(late)).status_code == 403


def test_the_window_edges_in_the_service(meeting, member_user):
    span = service.window(meeting)
    assert span.opens_at == meeting.starts_at - 30 * MINUTE and span.closes_at == meeting.starts_at + 120 * MINUTE
    second = datetime.timedelta(seconds=1)
    assert [
        span.state(t) for t in (span.opens_at - second, span.opens_at, span.closes_at, span.closes_at + second)
    ] == [
        "early",
        "open",
        "open",
        "late",
    ]
    with pytest.raises(service.CheckinRefused):
        service.check_in(attendance=mine(meeting, member_user), by=member_user, now=span.opens_at - second)
    attendance, done = service.check_in(attendance=mine(meeting, member_user), by=member_user, now=span.opens_at)
    assert done and attendance.checked_in_at == span.opens_at


# --- refusals -----------------------------------------------------------------------------------------------


def test_a_cancelled_meeting_refuses_checkin(member_client, member_user, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="台风")
    for response in (member_client.get(checkin_url(meeting)), member_client.post(checkin_url(meeting))):
        assert response.status_code == 403 and "会议已取消" in text(response)
    assert mine(meeting, member_user).status == Attendance.Status.EXPECTED


def test_another_branchs_code_is_refused_as_if_it_did_not_exist(member_client, meeting_b):
    for response in (member_client.get(checkin_url(meeting_b)), member_client.post(checkin_url(meeting_b))):
        assert response.status_code == 404
        body = text(response)
        assert meeting_b.topic not in body and "第二党支部" not in body
        assert "签到码无效" in body
    assert not Attendance.objects.filter(meeting=meeting_b, status=Attendance.Status.PRESENT).exists()


def test_a_member_not_expected_at_her_own_branchs_meeting_is_refused(login_as, meeting, branch_a):
    """She joined after the meeting was planned: she is not on its list, and the code does not put her there."""
    late = UserFactory(username="late_member", role="member", building=branch_a.building)
    MemberFactory(organization=branch_a, user=late)
    client = login_as(late)
    assert client.get(checkin_url(meeting)).status_code == 404
    assert client.post(checkin_url(meeting)).status_code == 404
    assert not Attendance.objects.filter(meeting=meeting, member__user=late).exists()


def test_an_unknown_code_is_not_found(member_client, meeting):
    response = member_client.get(reverse("meetings:checkin", args=["not-a-real-token"]))
    assert response.status_code == 404 and "签到码无效" in text(response)


@pytest.mark.parametrize("persona", ["secretary_a", "admin_user", "street_user"])
def test_a_user_who_is_not_a_member_cannot_check_in(request, login_as, meeting, persona):
    client = login_as(request.getfixturevalue(persona))
    for response in (client.get(checkin_url(meeting)), client.post(checkin_url(meeting))):
        assert response.status_code == 403
        assert "只有党员才能签到" in text(response) and meeting.topic not in text(response)
    assert not Attendance.objects.filter(meeting=meeting, status=Attendance.Status.PRESENT).exists()


def test_a_member_on_approved_leave_who_comes_anyway_is_present(member_client, member_user, meeting):
    Attendance.objects.filter(pk=mine(meeting, member_user).pk).update(
        status=Attendance.Status.LEAVE, leave=Attendance.Leave.APPROVED, leave_reason="出差"
    )
    assert member_client.post(checkin_url(meeting)).status_code == 302
    attendance = mine(meeting, member_user)
    assert attendance.status == Attendance.Status.PRESENT and attendance.method == Attendance.Method.QR
    assert attendance.leave == Attendance.Leave.APPROVED  # her request stays on record
    change = AttendanceChange.objects.get(attendance=attendance)
    assert (change.from_status, change.to_status, change.changed_by) == ("leave", "present", member_user)
    assert change.note == "扫码签到"


def test_checkin_only_answers_get_and_post(member_client, meeting):
    assert member_client.put(checkin_url(meeting)).status_code == 405
