"""The compliance table keeps the year's meeting counts and quorums in the cache (``compliance._meeting_facts``)
under the data version of ``buildingparty.data_cache``: a meeting held or an attendance recorded shows on the next
request.

These tests run outside a test transaction (``transaction=True``): writes then commit as they do in production.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.meetings.models import Attendance, Meeting
from activities.meetings.tests.factories import AttendanceFactory, MeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("meetings:compliance")


def this_month(day=1, hour=9):
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime(today.year, today.month, day, hour))


def counted(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "meetings_meeting" in q["sql"]]


def test_a_meeting_held_and_an_attendance_show_on_the_next_request(admin_client, branch_a):
    meeting = MeetingFactory(
        organization=branch_a, kind=Meeting.Kind.GENERAL_MEETING, starts_at=this_month(), status=Meeting.Status.HELD
    )
    AttendanceFactory(meeting=meeting, status=Attendance.Status.PRESENT)
    AttendanceFactory(meeting=meeting, status=Attendance.Status.ABSENT)
    with CaptureQueriesContext(connection) as first:
        page = admin_client.get(URL).content.decode()
    assert "本年度应开 21 次，已开 1 次" in page and 'data-testid="no-quorum"' in page
    with CaptureQueriesContext(connection) as second:
        again = admin_client.get(URL).content.decode()
    assert "本年度应开 21 次，已开 1 次" in again and 'data-testid="no-quorum"' in again
    assert len(counted(first)) == 2 and not counted(second)  # the second from the cache

    AttendanceFactory(meeting=meeting, status=Attendance.Status.PRESENT)  # 2 of 3 present: quorate now
    assert 'data-testid="no-quorum"' not in admin_client.get(URL).content.decode()

    MeetingFactory(organization=branch_a, kind=Meeting.Kind.THEME_DAY, starts_at=this_month(), status="held")
    assert "本年度应开 21 次，已开 2 次" in admin_client.get(URL).content.decode()
