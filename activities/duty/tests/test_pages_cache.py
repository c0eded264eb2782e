"""The duty pages kept whole by ``buildingparty.data_cache.page`` (issue 15): the building's week under the
viewer's scope, a member's own duty under her account (a minute at most: shifts start and end). A repeat request
reads nothing of the page's tables; any write to one (the ORM, ``update()``) shows on the next request; two viewers
of different scope never see each other's page.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.duty.models import Assignment, DutyShift, DutyTeam
from activities.duty.selectors import week_label
from buildingparty import data_cache
from tests.factories import UserFactory
from tests.kept import main, queries_on, signed_in

from .factories import future_monday, on_team, shift

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

MONDAY = future_monday()
WEEK = week_label(MONDAY)


# --- the building's week ------------------------------------------------------------------------------------


def test_the_buildings_week_is_kept_per_scope_and_shows_a_write_at_once(admin_user, patrol, other_team, street_user):
    ours = shift(patrol, MONDAY, post="大堂岗")
    shift(other_team, MONDAY, post="别处岗")
    other_admin = UserFactory(username="other_admin", role="admin", building=other_team.building)
    mine, theirs = signed_in(admin_user), signed_in(other_admin)
    url, query = reverse("duty:building_roster"), {"week": WEEK}

    first = main(mine.get(url, query))
    with CaptureQueriesContext(connection) as again:
        second = main(mine.get(url, query))
    assert second == first and "大堂岗" in second and "别处岗" not in second
    assert not queries_on(again, "duty_")  # the week from the cache
    other = main(theirs.get(url, query))
    assert "别处岗" in other and "大堂岗" not in other  # another building: its own teams
    everywhere = main(signed_in(street_user).get(url, query))
    assert "别处岗" in everywhere and "大堂岗" in everywhere  # the street: every building's

    shift(patrol, MONDAY + datetime.timedelta(days=1), post="东门岗")  # the ORM (a service)
    assert "东门岗" in main(mine.get(url, query))
    DutyShift.objects.filter(pk=ours.pk).update(post="西门岗")  # a bulk update
    page = main(mine.get(url, query))
    assert "西门岗" in page and "大堂岗" not in page
    DutyTeam.objects.filter(pk=patrol.pk).update(name="夜巡队")
    assert "夜巡队" in main(mine.get(url, query))
    assert "东门岗" not in main(theirs.get(url, query))


def test_the_buildings_week_shows_who_is_put_on_at_once(admin_user, patrol, mine_on_patrol):
    evening = shift(patrol, MONDAY, post="大堂岗")
    client = signed_in(admin_user)
    url, query = reverse("duty:building_roster"), {"week": WEEK}
    assert f'data-person="{mine_on_patrol.pk}"' not in main(client.get(url, query))
    Assignment.objects.create(shift=evening, team_member=mine_on_patrol)
    assert f'data-person="{mine_on_patrol.pk}"' in main(client.get(url, query))
    Assignment.objects.filter(shift=evening).delete()
    assert f'data-person="{mine_on_patrol.pk}"' not in main(client.get(url, query))


def test_each_week_is_kept_apart(admin_user, patrol):
    shift(patrol, MONDAY, post="本周岗")
    shift(patrol, MONDAY + datetime.timedelta(days=7), post="下周岗")
    client = signed_in(admin_user)
    url = reverse("duty:building_roster")
    this = main(client.get(url, {"week": WEEK}))
    following = main(client.get(url, {"week": week_label(MONDAY + datetime.timedelta(days=7))}))
    assert "本周岗" in this and "下周岗" not in this
    assert "下周岗" in following and "本周岗" not in following


# --- a member's own duty ------------------------------------------------------------------------------------


def test_my_duty_is_kept_per_account_and_shows_a_write_at_once(member_user, leader_user, patrol, mine_on_patrol):
    mine = Assignment.objects.create(shift=shift(patrol, MONDAY, post="我的岗"), team_member=mine_on_patrol)
    Assignment.objects.create(shift=shift(patrol, MONDAY, post="队长的岗"), team_member=patrol.leader)
    me, leader = signed_in(member_user), signed_in(leader_user)
    url = reverse("duty:mine")

    first = main(me.get(url))
    with CaptureQueriesContext(connection) as again:
        second = main(me.get(url))
    assert second == first and "我的岗" in second and "队长的岗" not in second
    assert f'data-assignment="{mine.pk}"' in second and 'data-testid="swap-button"' in second
    assert not queries_on(again, "duty_") and not queries_on(again, "members_member")  # from the cache
    other = main(leader.get(url))
    assert "队长的岗" in other and "我的岗" not in other  # the same team, her own shifts

    later = shift(patrol, MONDAY + datetime.timedelta(days=2), post="新排的岗")
    Assignment.objects.create(shift=later, team_member=mine_on_patrol)  # the ORM
    assert "新排的岗" in main(me.get(url))
    DutyShift.objects.filter(pk=mine.shift_id).update(post="改过的岗")  # a bulk update
    page = main(me.get(url))
    assert "改过的岗" in page and "我的岗" not in page
    assert "新排的岗" not in main(leader.get(url))


def test_my_duty_is_kept_a_minute_at_most(member_user, patrol, mine_on_patrol, monkeypatch):
    """A shift that starts loses its swap button and one that ends moves to the past with no write at all: the
    page is kept 60 seconds, not the usual five minutes."""
    Assignment.objects.create(shift=shift(patrol, MONDAY), team_member=mine_on_patrol)
    timeouts = {}
    kept = data_cache.cached

    def spy(name, parts, compute, timeout=data_cache.TIMEOUT, **options):
        timeouts[name] = timeout
        return kept(name, parts, compute, timeout, **options)

    monkeypatch.setattr(data_cache, "cached", spy)
    assert signed_in(member_user).get(reverse("duty:mine")).status_code == 200
    assert timeouts["duty:mine"] == 60


def test_my_duty_refuses_an_account_without_a_member_record_every_time(admin_user):
    client = signed_in(admin_user)
    assert client.get(reverse("duty:mine")).status_code == 403
    assert client.get(reverse("duty:mine")).status_code == 403


def test_my_duty_shows_a_team_taking_her_on_at_once(member_user, security):
    client = signed_in(member_user)
    url = reverse("duty:mine")
    assert "治保队" not in main(client.get(url))
    on_team(security, member_user.member)
    assert "治保队" in main(client.get(url))
