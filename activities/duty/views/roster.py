"""The weekly rosters: a team's week, the building's week (every team), the A4 printout for the notice board,
filling a week (a proposal the leader reviews, then saves), and a person's own shifts (我的值班)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from buildingparty import data_cache
from buildingparty.models import Role
from buildingparty.scope import role_required

from .. import selectors, services
from ..models import DutyTeam
from .common import OFFICERS, VIEWERS, own_member, show_errors, team_for, week_links, week_of

TEAMS_PER_PAGE = 10
PAST_PAGE_SIZE = 25
UPCOMING_SHOWN = 30


@require_GET
@role_required(*VIEWERS)
def team_roster(request, pk):
    """One team's week, day by day: each shift with its people; for those who run it, the controls."""
    user = request.user
    team = team_for(request, pk)
    monday = week_of(request)
    shifts = list(selectors.week_shifts([team.pk], monday))
    can_run = team.can_run(user)
    return render(
        request,
        "duty/roster.html",
        {
            "team": team,
            "days": selectors.by_day(monday, shifts),
            "shift_count": len(shifts),
            "short_count": sum(1 for s in shifts if len(s.people_on) < s.needed),
            "can_run": can_run,
            "can_export": user.role in OFFICERS,
            "swap_count": selectors.waiting_swaps([team.pk]).count() if can_run else 0,
            **week_links(monday),
        },
    )


def _teams_page(request):
    teams = selectors.teams_with_leader(DutyTeam.objects.for_user(request.user)).order_by(
        "building__name", "kind_order", "name", "pk"
    )
    team = request.GET.get("team", "")
    if team.isdigit():
        teams = teams.filter(pk=int(team))
    return Paginator(teams, TEAMS_PER_PAGE).get_page(request.GET.get("page"))


def _with_shifts(teams: list, monday) -> list:
    """Each team of the page with its week's shifts (three queries for the page, however many shifts)."""
    by_team = {team.pk: [] for team in teams}
    for shift in selectors.week_shifts([team.pk for team in teams], monday):
        by_team[shift.team_id].append(shift)
    for team in teams:
        team.week = by_team[team.pk]
        team.days = selectors.by_day(monday, team.week)
    return teams


@require_GET
@role_required(*OFFICERS)
def building_roster(request):
    """Every team's week (the street: every building's teams), a page of teams at a time."""
    # Kept whole under the viewer's scope (``DutyTeam.for_user`` looks at the role and the building alone for these
    # three roles), the query, the language and the day (this week), until a table it was read from changes.
    template = "duty/_building_roster_body.html"
    body = data_cache.page(request, "duty:building_roster", template, lambda: _building_roster(request), by="scope")
    return render(request, "duty/building_roster.html", {"body": body})


def _building_roster(request) -> dict:
    monday = week_of(request)
    page = _teams_page(request)
    page.object_list = _with_shifts(list(page.object_list), monday)
    return {"page": page, "show_building": request.user.role == Role.STREET, **week_links(monday)}


@require_GET
@role_required(*VIEWERS)
def roster_print(request):
    """The week's roster for the notice board: one A4 page per team (``?team=`` for one), names and the leader's
    phone only."""
    monday = week_of(request)
    page = _teams_page(request)
    teams = _with_shifts(list(page.object_list), monday)
    return render(request, "duty/print.html", {"teams": teams, "page": page, **week_links(monday)})


@require_http_methods(["GET", "POST"])
@role_required(*VIEWERS)
def fill(request, pk):
    """Fill the week: a proposal (fewest shifts this month first, within the three rules) the leader reviews and
    edits, ticking and unticking people per shift; saving checks it all again and writes all or nothing."""
    team = team_for(request, pk, run=True)
    monday = week_of(request)
    proposal = services.fill_week(team=team, monday=monday)
    people = list(selectors.active_people(team))
    if request.method == "POST":
        by_pk = {p.pk: p for p in people}
        picks = []
        for row in proposal.rows:
            on_duty = {p.pk for p in row.on_duty}
            chosen = [int(v) for v in request.POST.getlist(f"shift-{row.shift.pk}") if v.isdigit()]
            picks += [(row.shift, by_pk[pk]) for pk in dict.fromkeys(chosen) if pk in by_pk and pk not in on_duty]
            row.chosen = set(chosen)
        try:
            made = services.assign_many(team=team, picks=picks, by=request.user)
        except ValidationError as error:
            show_errors(request, None, error)
        else:
            messages.success(
                request,
                ngettext("%(count)d assignment saved.", "%(count)d assignments saved.", len(made))
                % {"count": len(made)},
            )
            return redirect(reverse("duty:roster", args=[team.pk]) + f"?week={selectors.week_label(monday)}")
    else:
        for row in proposal.rows:
            row.chosen = {p.pk for p in row.proposed}
    for row in proposal.rows:
        taken = {p.pk for p in row.on_duty}
        row.choices = [p for p in people if p.pk not in taken]
    return render(
        request,
        "duty/fill.html",
        {"team": team, "proposal": proposal, "people": people, **week_links(monday)},
    )


@require_GET
def mine(request):
    """A party member's own shifts (我的值班): those ahead, with the swap button, her swap requests, and those
    past."""
    # Kept whole under her account, the query, the language and the day, until a table it was read from changes,
    # and a minute at most: a shift that starts loses its swap button, one that ends moves to the past.
    body = data_cache.page(request, "duty:mine", "duty/_mine_body.html", lambda: _mine(request), by="user", timeout=60)
    return render(request, "duty/mine.html", {"body": body})


def _mine(request) -> dict:
    member = own_member(request)
    upcoming = list(selectors.upcoming_for(member)[:UPCOMING_SHOWN])
    past = Paginator(selectors.past_for(member), PAST_PAGE_SIZE).get_page(request.GET.get("page"))
    swaps = list(selectors.swaps_of(member)[:20])
    return {
        "member": member,
        "upcoming": upcoming,
        "page": past,
        "swaps": swaps,
        # Her teams' names and leaders, the only columns the page shows.
        "teams": list(
            DutyTeam.objects.filter(people__member=member, people__is_active=True)
            .select_related("leader__member")
            .only("name", "leader__name", "leader__member__name")
        ),
    }
