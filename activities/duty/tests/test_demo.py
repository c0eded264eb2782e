"""The demo's duty rosters (activities/duty/demo.py): five teams with leaders, a month of shifts kept within the
rules, logs, a mediation case, an approved swap, one person on leave; and a second run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.duty.models import (
    Assignment,
    DutyShift,
    DutyTeam,
    MediationCase,
    ShiftLog,
    SwapRequest,
    TeamMember,
    Unavailability,
)

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (DutyTeam, TeamMember, DutyShift, Assignment, ShiftLog, MediationCase, SwapRequest, Unavailability)
    }


def test_the_demo_keeps_five_teams_on_a_months_roster_within_the_rules_and_runs_twice():
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first

    teams = DutyTeam.objects.select_related("leader__member__user")
    assert sorted(teams.values_list("kind", flat=True)) == sorted(DutyTeam.Kind.values)
    assert all(team.leader_id for team in teams)
    legal = teams.get(kind=DutyTeam.Kind.LEGAL)
    assert legal.leader.member.user.username == "member1"
    assert TeamMember.objects.filter(member__isnull=True).exists()  # volunteers

    today = timezone.localdate()
    days = {timezone.localdate(s) for s in DutyShift.objects.values_list("starts_at", flat=True)}
    assert {d.month for d in days} == {today.month}
    assert Assignment.objects.count() > 50

    leave = Unavailability.objects.select_related("team_member").get()
    on_leave = Assignment.objects.filter(
        team_member__member=leave.team_member.member,
        shift__starts_at__date__gte=leave.starts_on,
        shift__starts_at__date__lte=leave.ends_on,
    )
    assert not on_leave.exists()

    # nobody over the team's limit in any week
    for team in teams:
        weekly = {}
        for person_id, starts_at in Assignment.objects.filter(shift__team=team).values_list(
            "team_member_id", "shift__starts_at"
        ):
            key = (person_id, timezone.localdate(starts_at).isocalendar()[:2])
            weekly[key] = weekly.get(key, 0) + 1
        assert max(weekly.values(), default=0) <= team.weekly_limit, team.name

    # nobody on two shifts at once, in any team
    by_person = {}
    for assignment in Assignment.objects.select_related("shift", "team_member"):
        by_person.setdefault(assignment.team_member.person_key, []).append(assignment.shift)
    for shifts in by_person.values():
        shifts.sort(key=lambda s: s.starts_at)
        assert all(a.ends_at <= b.starts_at for a, b in zip(shifts, shifts[1:]))

    past = DutyShift.objects.filter(ends_at__lte=timezone.now(), assignments__isnull=False).distinct()
    assert all(s.logs.exists() for s in past)
    assert MediationCase.objects.get().team.kind == DutyTeam.Kind.MEDIATION
    swaps = SwapRequest.objects.all()
    assert all(s.status == SwapRequest.Status.APPROVED for s in swaps)
    if Assignment.objects.filter(shift__team=legal, shift__starts_at__gt=timezone.now()).exists():
        assert swaps.count() == 1  # none only in the month's last days, with no legal shift ahead
