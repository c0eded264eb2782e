"""Service statistics: per category and per handler over a period (services.selectors, services:statistics)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services import selectors
from services.models import ServiceCategory, ServiceRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("services:statistics")
Status = ServiceRequest.Status
NOW = timezone.make_aware(datetime.datetime(2026, 6, 30, 12, 0))


def at(month, day, hour=9):
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, 0))


def category(building, code, name, audience=ServiceCategory.Audience.MEMBERS, **kwargs):
    return ServiceCategory.objects.create(building=building, code=code, name=name, audience=audience, **kwargs)


def make(cat, requester, *, submitted, status=Status.SUBMITTED, due=None, resolved=None, rating=None, **kwargs):
    return ServiceRequest.objects.create(
        building=cat.building,
        category=cat,
        title=f"{cat.name}{submitted:%m%d%H}",
        description="…",
        requester=requester,
        status=status,
        submitted_at=submitted,
        due_at=due or submitted + datetime.timedelta(days=7),
        resolved_at=resolved,
        rating=rating,
        reject_reason="不符合条件" if status == Status.REJECTED else "",
        **kwargs,
    )


@pytest.fixture
def fixture(building, branch_a, branch_b, member_user, secretary_a, admin_user):
    """Two categories, two handlers, seven requests in the first half of 2026 and one of last year."""
    transfer = category(building, "transfer", "组织关系接转", order=1)
    legal = category(building, "legal-advice", "法律咨询", order=2)
    category(building, "hardship", "困难帮扶", order=3)  # asked for by nobody: listed with zeros
    category(building, "old", "停用的类别", order=4, active=False)  # switched off and unused: left out
    helper = UserFactory(username="helper", name="李助理", role="admin", building=building)
    r = member_user
    # transfer, secretary_a: resolved in 10 h, 30 h and 50 h (median 30 h), rated 5 and 4; one open overdue
    make(
        transfer,
        r,
        submitted=at(1, 5),
        status=Status.CLOSED,
        resolved=at(1, 5, 19),
        rating=5,
        assigned_to=secretary_a,
        organization=branch_a,
    )
    make(
        transfer,
        r,
        submitted=at(2, 1),
        status=Status.CLOSED,
        resolved=at(2, 2, 15),
        rating=4,
        assigned_to=secretary_a,
        organization=branch_a,
    )
    make(
        transfer,
        r,
        submitted=at(3, 1),
        status=Status.RESOLVED,
        resolved=at(3, 3, 11),
        assigned_to=secretary_a,
        organization=branch_a,
    )
    make(
        transfer,
        r,
        submitted=at(6, 1),
        status=Status.ACCEPTED,
        due=at(6, 8),
        assigned_to=secretary_a,
        organization=branch_a,
    )
    # legal: in branch B, handled by helper; one resolved in 4 days and rated 3, one open not yet due,
    # one rejected; one unassigned and overdue
    make(
        legal,
        r,
        submitted=at(4, 1),
        status=Status.CLOSED,
        resolved=at(4, 5),
        rating=3,
        assigned_to=helper,
        organization=branch_b,
    )
    make(
        legal,
        r,
        submitted=at(6, 28),
        status=Status.IN_PROGRESS,
        due=at(7, 5),
        assigned_to=helper,
        organization=branch_b,
    )
    make(legal, r, submitted=at(5, 1), status=Status.REJECTED, assigned_to=helper, organization=branch_b)
    make(legal, r, submitted=at(6, 2), due=at(6, 9), organization=branch_b)
    # last year: outside the period
    make(legal, r, submitted=timezone.make_aware(datetime.datetime(2025, 12, 31, 23, 0)), organization=branch_b)
    return {"transfer": transfer, "legal": legal, "helper": helper}


def stats_for(user, **kwargs):
    requests = ServiceRequest.objects.for_user(user)
    categories = ServiceCategory.objects.filter(building=user.building)
    return selectors.statistics(
        requests,
        start=kwargs.get("start", datetime.date(2026, 1, 1)),
        end=kwargs.get("end", datetime.date(2026, 6, 30)),
        categories=categories,
        now=NOW,
    )


def test_per_category_volume_open_overdue_resolved_median_and_satisfaction(fixture, admin_user):
    result = stats_for(admin_user)
    lines = {line.label: line for line in result.by_category}
    assert list(lines) == ["组织关系接转", "法律咨询", "困难帮扶"]  # the categories' order; the unused one listed

    transfer = lines["组织关系接转"]
    assert (transfer.volume, transfer.open, transfer.overdue, transfer.resolved) == (4, 1, 1, 3)
    assert transfer.median_hours == 30
    assert transfer.median_display == "30 小时"
    assert (transfer.average_rating, transfer.rating_count) == (4.5, 2)

    legal = lines["法律咨询"]
    assert (legal.volume, legal.open, legal.overdue, legal.resolved, legal.rejected) == (4, 2, 1, 1, 1)
    assert legal.median_hours == 4 * 24 and legal.median_display == "4 天"
    assert (legal.average_rating, legal.rating_count) == (3, 1)

    assert lines["困难帮扶"].volume == 0 and lines["困难帮扶"].median_display == "—"
    total = result.total
    assert (total.volume, total.open, total.overdue, total.resolved) == (8, 3, 2, 4)
    assert total.median_hours == (30 + 50) / 2  # of 10, 30, 50 and 96 hours
    assert (total.average_rating, total.rating_count) == (4.0, 3)
    assert result.chart()["volume"] == [4, 4, 0]


def test_per_handler_with_the_unassigned_last(fixture, admin_user, secretary_a):
    result = stats_for(admin_user)
    assert [(line.label, line.volume, line.overdue) for line in result.by_handler] == [
        (secretary_a.display_name, 4, 1),
        ("李助理", 3, 0),
        ("尚未分配", 1, 1),
    ]


def test_the_period_chooses_by_submission_day_both_ends_included(fixture, admin_user):
    assert stats_for(admin_user, start=datetime.date(2026, 6, 1), end=datetime.date(2026, 6, 2)).total.volume == 2
    assert stats_for(admin_user, start=datetime.date(2025, 12, 31), end=datetime.date(2025, 12, 31)).total.volume == 1


def test_a_secretary_counts_their_branchs_requests_only(fixture, secretary_a):
    result = stats_for(secretary_a)
    assert result.total.volume == 4
    assert {line.label: line.volume for line in result.by_category}["法律咨询"] == 0


def test_the_page_shows_the_tables_and_the_chart(fixture, admin_client):
    response = admin_client.get(URL, {"from": "2026-01-01", "to": "2026-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="by-category"' in html and 'data-testid="by-handler"' in html
    assert 'id="services-chart-data"' in html and "js/services-stats.js" in html  # the chart's script, a static file
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert response.context["stats"].total.volume == 8
    assert "from=2026-01-01&amp;to=2026-06-30&amp;format=xlsx" in html


def test_by_default_the_period_is_this_year_so_far(admin_client):
    response = admin_client.get(URL)
    today = timezone.localdate()
    assert (response.context["start"], response.context["end"]) == (datetime.date(today.year, 1, 1), today)


def test_a_period_ending_before_it_starts_is_refused_and_the_default_shown(admin_client):
    response = admin_client.get(URL, {"from": "2026-06-01", "to": "2026-05-01"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["start"] == datetime.date(timezone.localdate().year, 1, 1)


def test_a_street_viewer_sees_every_building_or_one(fixture, login_as, street_user):
    client = login_as(street_user)
    response = client.get(URL, {"from": "2026-01-01", "to": "2026-06-30"})
    assert response.status_code == 200 and response.context["stats"].total.volume == 8
    building = fixture["transfer"].building
    response = client.get(URL, {"from": "2026-01-01", "to": "2026-06-30", "building": building.pk})
    assert response.context["building"] == building and response.context["stats"].total.volume == 8


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_others_may_not_see_the_statistics(request, login_as, persona):
    assert login_as(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_the_page_takes_the_same_number_of_queries_however_many_requests(
    fixture, admin_client, django_assert_num_queries, member_user
):
    query = {"from": "2026-01-01", "to": "2026-06-30"}
    with CaptureQueriesContext(connection) as small:
        admin_client.get(URL, query)
    for n in range(12):
        handler = UserFactory(username=f"h{n}", role="admin", building=fixture["legal"].building)
        cat = category(fixture["legal"].building, f"c{n}", f"类别{n}")
        make(
            cat,
            member_user,
            submitted=at(3, 1 + n),
            assigned_to=handler,
            status=Status.CLOSED,
            resolved=at(3, 2 + n),
            rating=5,
        )
    with django_assert_num_queries(len(small.captured_queries)):
        response = admin_client.get(URL, query)
    assert response.context["stats"].total.volume == 20
