"""Filling a week: a fair proposal (fewest of the team's shifts this month first) within the three rules, which
writes nothing until the leader saves it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.duty import services
from activities.duty.models import Assignment, Unavailability

from .factories import future_monday, on_team, shift

pytestmark = pytest.mark.django_db

MONDAY = future_monday()


def days(n):
    return MONDAY + datetime.timedelta(days=n)


def proposed_names(proposal):
    return [[p.display_name for p in row.proposed] for row in proposal.rows]


def test_the_proposal_writes_nothing(patrol, mine_on_patrol):
    shift(patrol, MONDAY)
    proposal = services.fill_week(team=patrol, monday=MONDAY)
    assert proposal.proposed_count == 1
    assert not Assignment.objects.exists()


def test_those_with_the_fewest_shifts_this_month_come_first(patrol):
    patrol.weekly_limit = 7
    patrol.save()
    busy, free = on_team(patrol, name="甲忙"), on_team(patrol, name="乙闲")
    patrol.leader.is_active = False  # the leader keeps out of it here
    patrol.leader.save()
    month_start = MONDAY.replace(day=1)
    earlier = [shift(patrol, month_start + datetime.timedelta(days=n), (7, 0), (8, 0)) for n in range(2)]
    for s in earlier:
        Assignment.objects.create(shift=s, team_member=busy)
    shift(patrol, days(2), needed=1)

    proposal = services.fill_week(team=patrol, monday=MONDAY, since=timezone.now())

    assert proposed_names(proposal)[-1] == ["乙闲"]
    assert free.pk in {p.pk for p in proposal.rows[-1].proposed}


def test_the_week_is_spread_evenly(patrol):
    patrol.leader.is_active = False
    patrol.leader.save()
    people = [on_team(patrol, name=n) for n in ("甲", "乙", "丙")]
    for n in range(6):
        shift(patrol, days(n))
    proposal = services.fill_week(team=patrol, monday=MONDAY)
    counts = {p.display_name: 0 for p in people}
    for row in proposal.rows:
        for p in row.proposed:
            counts[p.display_name] += 1
    assert counts == {"甲": 2, "乙": 2, "丙": 2}


def test_the_proposal_respects_leave_other_teams_and_the_limit(patrol, security, member_user, mine_on_patrol):
    patrol.leader.is_active = False
    patrol.leader.save()
    other = on_team(patrol, name="乙")
    Unavailability.objects.create(team_member=other, starts_on=days(0), ends_on=days(0), reason="病假")
    services.assign(
        shift=shift(security, days(1), (18, 0), (20, 0), post="大堂岗"),
        team_member=on_team(security, member_user.member),
        by=None,
    )
    monday, tuesday, wednesday, thursday = (shift(patrol, days(n)) for n in range(4))

    proposal = services.fill_week(team=patrol, monday=MONDAY)

    by_shift = {row.shift.pk: [p.pk for p in row.proposed] for row in proposal.rows}
    assert by_shift[monday.pk] == [mine_on_patrol.pk]  # 乙 is on leave
    assert by_shift[tuesday.pk] == [other.pk]  # the member is on the security shift
    assert by_shift[wednesday.pk] == [other.pk] or by_shift[wednesday.pk] == [mine_on_patrol.pk]
    assert len(by_shift[thursday.pk]) == 1
    # nobody over two a week: four shifts, two people
    assert sum(len(v) for v in by_shift.values()) == 4
    assert [len(v) for v in by_shift.values()].count(1) == 4


def test_a_shift_nobody_can_take_stays_open_and_says_why(patrol, mine_on_patrol):
    patrol.leader.is_active = False
    patrol.leader.save()
    Unavailability.objects.create(team_member=mine_on_patrol, starts_on=MONDAY, ends_on=days(6), reason="出差")
    shift(patrol, days(2))
    proposal = services.fill_week(team=patrol, monday=MONDAY)
    row = proposal.rows[0]
    assert row.short == 1 and any("出差" in reason for reason in row.reasons)


def test_shifts_already_full_or_past_are_left_alone(patrol, mine_on_patrol):
    full = shift(patrol, days(1))
    Assignment.objects.create(shift=full, team_member=mine_on_patrol)
    proposal = services.fill_week(team=patrol, monday=MONDAY)
    assert proposal.proposed_count == 0 and proposal.rows[0].on_duty == [mine_on_patrol]


def test_saving_the_proposal_checks_it_again(patrol, mine_on_patrol):
    first, second, third = (shift(patrol, days(n)) for n in range(3))
    with pytest.raises(ValidationError):
        services.assign_many(
            team=patrol, picks=[(first, mine_on_patrol), (second, mine_on_patrol), (third, mine_on_patrol)], by=None
        )
    assert not Assignment.objects.exists()
