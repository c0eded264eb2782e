"""The request list and the statistics are kept whole, as HTML, by ``buildingparty.data_cache.page`` (a minute at
most: what is overdue moves with the clock): a repeat request reads no request, a write shows on the next request,
and viewers of different scope (two members, two buildings' admins) never see each other's content.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services.models import ServiceCategory, ServiceRequest
from tests.factories import BuildingFactory, MemberFactory, UserFactory
from tests.kept import main, queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]


def make(category, requester, title, **kwargs) -> ServiceRequest:
    now = timezone.now()
    return ServiceRequest.objects.create(
        building=category.building,
        category=category,
        title=title,
        description="…",
        requester=requester,
        submitted_at=now,
        due_at=now + datetime.timedelta(days=7),
        **kwargs,
    )


@pytest.fixture
def legal(building):
    return ServiceCategory.objects.create(building=building, code="legal-advice", name="法律咨询")


@pytest.fixture
def other_member(branch_a):
    user = UserFactory(username="member_a2", role="member", building=branch_a.building)
    MemberFactory(organization=branch_a, user=user)
    return user


def test_the_list_is_kept_and_shows_a_write_at_once(member_user, legal):
    asked = make(legal, member_user, "劳动合同咨询")
    client = signed_in(member_user)
    first = main(client.get("/services/"))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get("/services/"))
    assert second == first and "劳动合同咨询" in second and 'data-testid="new-request"' in second
    assert not queries_on(again, "services_servicerequest")  # the list from the cache

    ServiceRequest.objects.filter(pk=asked.pk).update(title="社保咨询")  # update(): no signal, still seen
    assert "社保咨询" in main(client.get("/services/"))
    make(legal, member_user, "租房补贴")
    assert "租房补贴" in main(client.get("/services/"))


def test_the_list_of_one_member_is_never_shown_to_another(member_user, other_member, legal, admin_user):
    make(legal, member_user, "甲的请求")
    make(legal, other_member, "乙的请求")
    mine, theirs = (main(signed_in(u).get("/services/")) for u in (member_user, other_member))
    assert "甲的请求" in mine and "乙的请求" not in mine
    assert "乙的请求" in theirs and "甲的请求" not in theirs
    handled = main(signed_in(admin_user).get("/services/"))  # a handler: both, and no "new request" button
    assert "甲的请求" in handled and "乙的请求" in handled and 'data-testid="new-request"' not in handled


def volume(html: str) -> int:
    return int(re.search(r'data-testid="stats-counts">.*?<div class="stat">(\d+)</div>', html, re.S).group(1))


def test_the_statistics_are_kept_and_show_a_write_at_once(admin_user, member_user, legal):
    asked = make(legal, member_user, "劳动合同咨询")
    client = signed_in(admin_user)
    first = main(client.get("/services/statistics/"))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get("/services/statistics/"))
    assert second == first and volume(second) == 1 and 'id="services-chart-data"' in second
    assert not queries_on(again, "services_servicerequest")

    make(legal, member_user, "租房补贴")
    assert volume(main(client.get("/services/statistics/"))) == 2
    ServiceRequest.objects.filter(pk=asked.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=800))
    assert volume(main(client.get("/services/statistics/"))) == 1  # out of the period now


def test_the_statistics_of_one_building_are_never_shown_to_another(admin_user, member_user, legal):
    make(legal, member_user, "劳动合同咨询")
    other_admin = UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别的大厦"))
    assert volume(main(signed_in(admin_user).get("/services/statistics/"))) == 1
    theirs = main(signed_in(other_admin).get("/services/statistics/"))
    assert volume(theirs) == 0 and "法律咨询" not in theirs
