"""The weekly rosters read the same number of queries however many shifts and people they show."""

import datetime

import pytest
from django.urls import reverse

from activities.duty.models import Assignment
from activities.duty.selectors import week_label

from .factories import DutyTeamFactory, future_monday, on_team, shift, volunteer

pytestmark = pytest.mark.django_db

MONDAY = future_monday()
WEEK = week_label(MONDAY)


def fill(team, scale: int):
    """``scale`` shifts a day on three days, each with two people (a party member and a volunteer)."""
    for n in range(scale):
        member, helper = on_team(team), volunteer(team, f"志愿者{team.pk}-{n}", f"166{team.pk:04d}{n:04d}")
        for day in range(3):
            s = shift(team, MONDAY + datetime.timedelta(days=day), (8 + 2 * n, 0), (9 + 2 * n, 0), needed=2)
            Assignment.objects.create(shift=s, team_member=member)
            Assignment.objects.create(shift=s, team_member=helper)


# Session, user, the team with its leader, the week's shifts with their log counts, their people, the waiting
# swaps (the leader's count), the unread-notification count, and the session write in its savepoint (3).
TEAM_QUERIES = 10


@pytest.mark.parametrize("scale", [1, 3])
def test_a_teams_week_reads_the_same_queries_at_1x_and_3x(
    login_as, leader_user, patrol, django_assert_num_queries, scale
):
    fill(patrol, scale)
    client = login_as(leader_user)
    client.get(reverse("duty:roster", args=[patrol.pk]), {"week": WEEK})  # warm the session
    with django_assert_num_queries(TEAM_QUERIES):
        response = client.get(reverse("duty:roster", args=[patrol.pk]), {"week": WEEK})
    assert response.context["shift_count"] == 3 * scale


# Session, user, the page's count and its teams with their leaders, the week's shifts, their people, the
# unread-notification count, and the session write in its savepoint (3).
BUILDING_QUERIES = 10


@pytest.mark.parametrize("scale", [1, 3])
def test_the_buildings_week_reads_the_same_queries_at_1x_and_3x(
    admin_client, building, django_assert_num_queries, scale
):
    teams = [DutyTeamFactory(building=building) for _ in range(scale)]
    for team in teams:
        fill(team, scale)
    admin_client.get(reverse("duty:building_roster"), {"week": WEEK})
    with django_assert_num_queries(BUILDING_QUERIES):
        response = admin_client.get(reverse("duty:building_roster"), {"week": WEEK})
    assert sum(len(team.week) for team in response.context["page"]) == 3 * scale * scale


@pytest.mark.parametrize("scale", [1, 3])
def test_the_printout_reads_the_same_queries_at_1x_and_3x(admin_client, building, django_assert_num_queries, scale):
    for _ in range(scale):
        fill(DutyTeamFactory(building=building), scale)
    admin_client.get(reverse("duty:print"), {"week": WEEK})
    with django_assert_num_queries(BUILDING_QUERIES):
        response = admin_client.get(reverse("duty:print"), {"week": WEEK})
    assert response.content.decode().count('data-testid="print-page"') == scale
