"""Home-page panels: a member's next shifts; the swap requests waiting for the one who decides them."""

import pytest
from django.urls import reverse

from activities.duty import services

from .factories import future_monday, on_team, shift

pytestmark = pytest.mark.django_db

MONDAY = future_monday()


def panel(response, testid):
    return f'data-testid="{testid}"' in response.content.decode()


def test_a_member_on_a_team_sees_her_next_shifts(member_client, patrol, mine_on_patrol):
    services.assign(shift=shift(patrol, MONDAY), team_member=mine_on_patrol, by=None)
    response = member_client.get(reverse("home"))
    assert panel(response, "duty-panel") and "东区巡逻路线" in response.content.decode()


def test_a_member_on_no_team_sees_no_duty_panel(member_client, patrol):
    assert not panel(member_client.get(reverse("home")), "duty-panel")


def test_the_leader_sees_the_swaps_waiting(login_as, leader_user, member_user, patrol, mine_on_patrol):
    mine = services.assign(shift=shift(patrol, MONDAY), team_member=mine_on_patrol, by=None)
    colleague = on_team(patrol, name="李同事")
    client = login_as(leader_user)
    assert not panel(client.get(reverse("home")), "swaps-panel")
    services.swap_request(assignment=mine, to_member=colleague, by=member_user)
    response = client.get(reverse("home"))
    assert panel(response, "swaps-panel") and "李同事" in response.content.decode()


def test_the_admin_sees_the_buildings_swaps_waiting(admin_client, member_user, patrol, mine_on_patrol):
    mine = services.assign(shift=shift(patrol, MONDAY), team_member=mine_on_patrol, by=None)
    services.swap_request(assignment=mine, to_member=on_team(patrol, name="李同事"), by=member_user)
    assert panel(admin_client.get(reverse("home")), "swaps-panel")
