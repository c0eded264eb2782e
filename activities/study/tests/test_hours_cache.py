"""The hours page keeps each organisation's table of hours in the cache (``selectors.hours_table``) under the data
version of ``buildingparty.data_cache``: served from the cache until something is written, added up again on the
next request after any write (a new attendance, a study session).

These tests run outside a test transaction (``transaction=True``): writes then commit as they do in production.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.meetings.models import Attendance
from activities.meetings.tests.factories import AttendanceFactory
from activities.study.tests.factories import session_with, study_meeting, this_year
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def hours_of(client, member) -> Decimal:
    """Read from the page's HTML: the page itself is kept whole (``data_cache.page``), so a repeat request renders
    no template with the rows in its context."""
    html = client.get(reverse("study:hours"), {"show": "all"}).content.decode()
    row = html.split(f'data-member="{member.pk}"', 1)[1]
    return Decimal(row.split('<td class="text-end fw-semibold">', 1)[1].split("<", 1)[0])


def member_count(client) -> int:
    html = client.get(reverse("study:hours"), {"show": "all"}).content.decode()
    return int(html.split('data-testid="hours-summary"', 1)[1].split('<div class="stat">', 1)[1].split("<", 1)[0])


def aggregates(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"]]


def test_the_hours_come_from_the_cache_until_an_attendance_is_written(secretary_a_client, branch_a, group_a):
    zhang = MemberFactory(organization=branch_a, name="张一")
    li = MemberFactory(organization=group_a, name="李二")
    meeting = study_meeting(branch_a, {zhang: Attendance.Status.PRESENT}, hours="2.0")
    session_with([li], organization=branch_a, held_on=datetime.date(this_year(), 1, 10), hours=Decimal("3"))

    with CaptureQueriesContext(connection) as first:
        assert hours_of(secretary_a_client, zhang) == Decimal("2.0")
    with CaptureQueriesContext(connection) as second:
        assert hours_of(secretary_a_client, zhang) == Decimal("2.0")
    assert len(aggregates(first)) == 2 and not aggregates(second)  # the second from the cache
    assert hours_of(secretary_a_client, li) == Decimal("3.0")

    AttendanceFactory(meeting=meeting, member=li, status=Attendance.Status.PRESENT)  # a write: the next request
    assert hours_of(secretary_a_client, li) == Decimal("5.0")

    Attendance.objects.filter(member=zhang).update(status=Attendance.Status.ABSENT)  # a bulk update as well
    assert hours_of(secretary_a_client, zhang) == Decimal("0.0")


def test_a_new_session_and_a_member_who_leaves_show_on_the_next_request(secretary_a_client, branch_a):
    zhang = MemberFactory(organization=branch_a, name="张一")
    wang = MemberFactory(organization=branch_a, name="王三")
    assert hours_of(secretary_a_client, zhang) == Decimal("0.0")
    session_with([zhang], organization=branch_a, held_on=datetime.date(this_year(), 1, 10), hours=Decimal("1.5"))
    assert hours_of(secretary_a_client, zhang) == Decimal("1.5")

    assert member_count(secretary_a_client) == 2
    wang.whereabouts = wang.Whereabouts.TRANSFERRED_OUT
    wang.save()
    assert member_count(secretary_a_client) == 1
