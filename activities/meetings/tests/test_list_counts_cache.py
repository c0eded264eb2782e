"""The meeting list keeps its page's attendance counts in the cache (``selectors.add_counts``) under the data
version of ``buildingparty.data_cache``: an attendance recorded shows on the next request.

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


def counted(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "meetings_attendance" in q["sql"]]


def count_cell(page: str, meeting) -> str:
    row = page.split(f'data-meeting="{meeting.pk}"', 1)[1]
    return row.split('data-testid="attendance-count">', 1)[1].split("</td>", 1)[0]


def test_the_attendance_counts_come_from_the_cache_until_an_attendance_is_written(secretary_a_client, branch_a):
    meeting = MeetingFactory(
        organization=branch_a,
        kind=Meeting.Kind.GENERAL_MEETING,
        starts_at=timezone.now() - datetime.timedelta(days=2),
        status=Meeting.Status.HELD,
    )
    AttendanceFactory(meeting=meeting, status=Attendance.Status.PRESENT)
    AttendanceFactory(meeting=meeting, status=Attendance.Status.ABSENT)
    url = reverse("meetings:list")

    with CaptureQueriesContext(connection) as first:
        assert count_cell(secretary_a_client.get(url).content.decode(), meeting) == "1 / 2"
    with CaptureQueriesContext(connection) as second:
        assert count_cell(secretary_a_client.get(url).content.decode(), meeting) == "1 / 2"
    assert len(counted(first)) == 1 and not counted(second)  # the second from the cache

    AttendanceFactory(meeting=meeting, status=Attendance.Status.PRESENT)  # a write: counted again
    assert count_cell(secretary_a_client.get(url).content.decode(), meeting) == "2 / 3"

    Attendance.objects.filter(meeting=meeting).update(status=Attendance.Status.ABSENT)  # a bulk update as well
    assert count_cell(secretary_a_client.get(url).content.decode(), meeting) == "0 / 3"
