"""The meeting list, the compliance table and a member's own meetings are kept whole, as HTML, in
``buildingparty.data_cache`` (issue 15): a second visit reads no meeting from the database, a write shows on the
next visit, and what is kept for one viewer (a branch's secretaries, a member) is never shown to another.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.meetings.models import Attendance, Meeting
from activities.meetings.tests.factories import MeetingFactory
from activities.meetings.tests.test_meetings_views import plan
from tests.factories import MemberFactory, UserFactory
from tests.kept import main, queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

LIST = reverse("meetings:list")
COMPLIANCE = reverse("meetings:compliance")
MINE = reverse("meetings:mine")


def this_month(day=1, hour=9):
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime(today.year, today.month, day, hour))


# --- the list ---------------------------------------------------------------------------------------------


def test_the_list_is_kept_per_scope_and_shows_a_write_at_once(branch_a, branch_b, secretary_a, secretary_b):
    mine = MeetingFactory(organization=branch_a, topic="甲支部的会")
    MeetingFactory(organization=branch_b, topic="乙支部的会")
    ours, theirs = signed_in(secretary_a), signed_in(secretary_b)

    first = main(ours.get(LIST))
    with CaptureQueriesContext(connection) as again:
        second = main(ours.get(LIST))
    assert second == first and "甲支部的会" in second and "乙支部的会" not in second
    assert not queries_on(again, "meetings_meeting")  # the content from the cache

    other = main(theirs.get(LIST))  # another branch's secretary: her own, never ours
    assert "乙支部的会" in other and "甲支部的会" not in other
    assert "甲支部的会" in main(ours.get(LIST)) and "乙支部的会" not in main(ours.get(LIST))

    Meeting.objects.filter(pk=mine.pk).update(topic="改过的议题")  # a bulk update
    assert "改过的议题" in main(ours.get(LIST))
    MeetingFactory(organization=branch_a, topic="新计划的会")  # an ORM save
    page = main(ours.get(LIST))
    assert "新计划的会" in page and "改过的议题" in page
    assert "新计划的会" not in main(theirs.get(LIST))


def test_a_filtered_list_and_its_plan_button_are_kept_apart(branch_a, secretary_a, building):
    MeetingFactory(organization=branch_a, kind=Meeting.Kind.LESSON, topic="一堂党课")
    MeetingFactory(organization=branch_a, kind=Meeting.Kind.THEME_DAY, topic="一个主题党日")
    street = UserFactory(username="street_x", role="street", building=None)
    ours = signed_in(secretary_a)
    assert 'data-testid="plan-meeting"' in main(ours.get(LIST))
    lessons = main(ours.get(LIST, {"kind": Meeting.Kind.LESSON}))
    assert "一堂党课" in lessons and "一个主题党日" not in lessons
    assert "一个主题党日" in main(ours.get(LIST))
    seen = main(signed_in(street).get(LIST))  # the same path, another role: no plan button, the building shown
    assert 'data-testid="plan-meeting"' not in seen and building.name in seen


# --- the compliance table -----------------------------------------------------------------------------------


def test_the_compliance_table_is_kept_per_scope_and_shows_a_write_at_once(branch_a, branch_b, secretary_a, secretary_b):
    ours, theirs = signed_in(secretary_a), signed_in(secretary_b)
    first = ours.get(COMPLIANCE)
    with CaptureQueriesContext(connection) as again:
        second = ours.get(COMPLIANCE)
    assert main(second) == main(first)
    assert not queries_on(again, "meetings_meeting") and not queries_on(again, "buildingparty_partyorganization")
    assert f'data-organization="{branch_a.pk}"' in main(second)
    other = main(theirs.get(COMPLIANCE))
    assert f'data-organization="{branch_b.pk}"' in other and f'data-organization="{branch_a.pk}"' not in other
    assert f'data-organization="{branch_b.pk}"' not in main(ours.get(COMPLIANCE))

    held = MeetingFactory(
        organization=branch_a, kind=Meeting.Kind.THEME_DAY, starts_at=this_month(), status=Meeting.Status.HELD
    )
    assert "已开 1 次" in main(ours.get(COMPLIANCE))
    Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="改期")  # a bulk update
    assert "已开 0 次" in main(ours.get(COMPLIANCE))
    assert "已开 0 次" in main(theirs.get(COMPLIANCE))


def test_the_compliance_title_keeps_the_year_shown(admin_client, branch_a):
    last = timezone.localdate().year - 1
    admin_client.get(COMPLIANCE, {"year": last})
    for _ in range(2):  # computed, then from the cache
        html = admin_client.get(COMPLIANCE, {"year": last}).content.decode()
        title = html.split("<title>", 1)[1].split("</title>", 1)[0]
        assert str(last) in title
    title = admin_client.get(COMPLIANCE).content.decode().split("<title>", 1)[1].split("</title>", 1)[0]
    assert str(timezone.localdate().year) in title


# --- a member's own meetings --------------------------------------------------------------------------------


def test_my_meetings_are_kept_per_member_and_show_a_write_at_once(branch_a, building):
    first_user = UserFactory(username="m_one", role="member", building=building)
    second_user = UserFactory(username="m_two", role="member", building=building)
    first_member = MemberFactory(organization=branch_a, user=first_user)
    MemberFactory(organization=branch_a, user=second_user)
    ahead = plan(branch_a, starts_in=datetime.timedelta(days=2), topic="学习党章")  # both are expected
    ahead.attendances.exclude(member=first_member).delete()  # only the first now
    one, two = signed_in(first_user), signed_in(second_user)

    page = main(one.get(MINE))
    with CaptureQueriesContext(connection) as again:
        assert main(one.get(MINE)) == page
    assert "学习党章" in page and reverse("meetings:leave_request", args=[ahead.pk]) in page
    assert not queries_on(again, "meetings_attendance") and not queries_on(again, "members_member")
    assert "学习党章" not in main(two.get(MINE))  # another member: her own meetings only

    Attendance.objects.filter(meeting=ahead).update(
        leave=Attendance.Leave.REQUESTED, leave_reason="出差"
    )  # a bulk update
    assert reverse("meetings:leave_request", args=[ahead.pk]) not in main(one.get(MINE))
    plan(branch_a, starts_in=datetime.timedelta(days=4), topic="第二次会")  # an ORM save: both expected
    assert "第二次会" in main(one.get(MINE)) and "第二次会" in main(two.get(MINE))


def test_without_a_member_record_my_meetings_stay_forbidden(secretary_a):
    client = signed_in(secretary_a)
    assert client.get(MINE).status_code == 403
    assert client.get(MINE).status_code == 403  # nothing kept
