"""A member's own meetings: those ahead with the leave button, those past with her attendance, and the home-page
panel of her next meetings."""

import datetime

import pytest
from django.urls import reverse

from activities.meetings import services
from activities.meetings.models import Attendance
from activities.meetings.tests.test_meetings_views import plan, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_a(member_user):
    return member_user.member


def test_a_member_sees_her_meetings_ahead_and_past(member_client, member_a, branch_a, branch_b):
    ahead = plan(branch_a, starts_in=datetime.timedelta(days=2), topic="学习党章")
    past = plan(branch_a, starts_in=-datetime.timedelta(days=5), topic="上月主题党日")
    past.attendances.filter(member=member_a).update(status=Attendance.Status.PRESENT)
    cancelled = plan(branch_a, starts_in=datetime.timedelta(days=4), topic="改期的会")
    services.meeting_cancel(meeting=cancelled, by=None, reason="改期")
    plan(branch_b, topic="别的支部")
    response = member_client.get(url("mine"))
    assert response.status_code == 200
    assert [a.meeting for a in response.context["upcoming"]] == [ahead]
    assert [a.meeting for a in response.context["page"]] == [cancelled, past]
    body = response.content.decode()
    assert url("leave_request", ahead.pk) in body
    assert "别的支部" not in body


def test_a_meeting_she_asked_leave_for_shows_the_request_not_the_button(member_client, member_a, branch_a):
    ahead = plan(branch_a)
    services.leave_request(attendance=ahead.attendances.get(member=member_a), reason="出差", by=member_a.user)
    body = member_client.get(url("mine")).content.decode()
    assert url("leave_request", ahead.pk) not in body
    assert "已请假待批" in body


def test_users_without_a_member_record_have_no_meetings_of_their_own(secretary_a_client, login_as, liaison_user):
    assert secretary_a_client.get(url("mine")).status_code == 403
    assert login_as(liaison_user).get(url("mine")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(url("mine"))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("scale", [1, 3])
def test_my_meetings_runs_the_same_queries_at_1x_and_3x(
    member_client, member_a, branch_a, django_assert_num_queries, scale
):
    for n in range(2 * scale):
        plan(branch_a, starts_in=datetime.timedelta(days=n + 1))
        plan(branch_a, starts_in=-datetime.timedelta(days=n + 1))
    member_client.get(url("mine"))
    with django_assert_num_queries(MINE_QUERIES):
        response = member_client.get(url("mine"))
    assert len(response.context["upcoming"]) == 2 * scale and len(response.context["page"]) == 2 * scale


# Session read, user, her member record, the meetings ahead, count and page of the past ones, the unread count,
# and the session write in its savepoint (3).
MINE_QUERIES = 10


def test_the_home_page_shows_a_members_next_three_meetings_with_a_leave_link(member_client, member_a, branch_a):
    meetings = [plan(branch_a, starts_in=datetime.timedelta(days=n + 1), topic=f"会议{n}") for n in range(4)]
    plan(branch_a, starts_in=-datetime.timedelta(days=1), topic="已经开过")
    response = member_client.get(reverse("home"))
    body = response.content.decode()
    assert 'data-testid="meetings-panel"' in body
    for meeting in meetings[:3]:
        assert url("leave_request", meeting.pk) in body
    assert url("leave_request", meetings[3].pk) not in body
    assert "已经开过" not in body


def test_the_panel_is_for_members_only(secretary_a_client):
    assert 'data-testid="meetings-panel"' not in secretary_a_client.get(reverse("home")).content.decode()
