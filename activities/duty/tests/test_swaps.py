"""Swaps: a team member asks to hand her shift to a colleague (or to exchange shifts); the leader decides.
Approving checks the rules again and swaps in one step; refusing changes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from activities.duty import services
from activities.duty.models import Assignment, SwapRequest, Unavailability
from buildingparty.models import Notification
from tests.factories import MemberFactory, UserFactory

from .factories import future_monday, on_team, shift

pytestmark = pytest.mark.django_db

MONDAY = future_monday()


@pytest.fixture
def colleague(patrol, branch_a):
    user = UserFactory(username="colleague", role="member", building=patrol.building)
    return on_team(patrol, MemberFactory(organization=branch_a, user=user, name="李同事"))


@pytest.fixture
def mine(patrol, mine_on_patrol):
    return services.assign(shift=shift(patrol, MONDAY), team_member=mine_on_patrol, by=None)


def ask(mine, colleague, member_user, **kwargs):
    return services.swap_request(assignment=mine, to_member=colleague, by=member_user, **kwargs)


def test_asking_tells_the_leader_and_changes_nothing_yet(mine, colleague, member_user, leader_user):
    swap = ask(mine, colleague, member_user, reason="出差")
    assert swap.is_waiting
    mine.refresh_from_db()
    assert mine.team_member.member.user == member_user
    note = Notification.objects.get(user=leader_user, event="duty_swap_requested")
    assert "李同事" in note.body


def test_approving_hands_the_shift_over_and_tells_both(mine, colleague, member_user, leader_user):
    swap = ask(mine, colleague, member_user)
    services.swap_decide(swap=swap, approve=True, by=leader_user)
    mine.refresh_from_db()
    assert mine.team_member == colleague
    assert set(Notification.objects.filter(event="duty_swap_approved").values_list("user__username", flat=True)) == {
        member_user.username,
        "colleague",
    }


def test_an_exchange_swaps_both_shifts_at_once(patrol, mine, colleague, mine_on_patrol, member_user, leader_user):
    theirs = services.assign(shift=shift(patrol, MONDAY + datetime.timedelta(days=2)), team_member=colleague, by=None)
    swap = ask(mine, colleague, member_user, in_return=theirs)
    services.swap_decide(swap=swap, approve=True, by=leader_user)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.team_member, theirs.team_member) == (colleague, mine_on_patrol)


def test_a_refused_swap_changes_nothing(mine, colleague, mine_on_patrol, member_user, leader_user):
    swap = ask(mine, colleague, member_user)
    services.swap_decide(swap=swap, approve=False, by=leader_user, note="人手不够")
    mine.refresh_from_db()
    swap.refresh_from_db()
    assert mine.team_member == mine_on_patrol
    assert swap.status == SwapRequest.Status.REFUSED and swap.note == "人手不够"
    assert Notification.objects.get(user=member_user, event="duty_swap_refused")


def test_approval_checks_the_rules_again(patrol, security, mine, colleague, mine_on_patrol, member_user, leader_user):
    swap = ask(mine, colleague, member_user)
    # since the request, the colleague went on leave that day
    Unavailability.objects.create(team_member=colleague, starts_on=MONDAY, ends_on=MONDAY, reason="病假")
    with pytest.raises(ValidationError, match="病假"):
        services.swap_decide(swap=swap, approve=True, by=leader_user)
    mine.refresh_from_db()
    swap.refresh_from_db()
    assert mine.team_member == mine_on_patrol and swap.is_waiting


def test_a_swap_the_rules_forbid_is_not_even_asked(patrol, mine, colleague, member_user):
    services.assign(shift=shift(patrol, MONDAY, (20, 0), (22, 0), post="西区"), team_member=colleague, by=None)
    with pytest.raises(ValidationError, match="李同事"):
        ask(mine, colleague, member_user)
    assert not SwapRequest.objects.exists()


def test_the_exchange_counts_the_shift_given_up_in_the_weekly_limit(
    patrol, mine, colleague, mine_on_patrol, member_user
):
    """The colleague already has two shifts this week (the limit); giving one of them up in return makes room."""
    theirs = services.assign(shift=shift(patrol, MONDAY + datetime.timedelta(days=1)), team_member=colleague, by=None)
    services.assign(shift=shift(patrol, MONDAY + datetime.timedelta(days=3)), team_member=colleague, by=None)
    with pytest.raises(ValidationError):
        ask(mine, colleague, member_user)
    assert ask(mine, colleague, member_user, in_return=theirs).is_waiting


def test_one_swap_waits_per_shift(mine, colleague, member_user):
    ask(mine, colleague, member_user)
    with pytest.raises(ValidationError):
        ask(mine, colleague, member_user)


def test_a_decided_swap_is_not_decided_again(mine, colleague, member_user, leader_user):
    swap = ask(mine, colleague, member_user)
    services.swap_decide(swap=swap, approve=False, by=leader_user)
    with pytest.raises(ValidationError):
        services.swap_decide(swap=swap, approve=True, by=leader_user)


def test_a_leaders_own_swap_goes_to_the_admin(patrol, colleague, leader_user, admin_user):
    own = services.assign(shift=shift(patrol, MONDAY), team_member=patrol.leader, by=None)
    swap = services.swap_request(assignment=own, to_member=colleague, by=leader_user)
    assert Notification.objects.filter(user=admin_user, event="duty_swap_requested").exists()
    with pytest.raises(ValidationError):
        services.swap_decide(swap=swap, approve=True, by=leader_user)
    services.swap_decide(swap=swap, approve=True, by=admin_user)
    assert Assignment.objects.get(pk=own.pk).team_member == colleague
