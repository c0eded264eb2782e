"""The teams: the list, creating and changing a team, one team with its people, adding party members (found by a
short search) and volunteers, taking people off and back on, their leave."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buildingparty.models import Role
from buildingparty.scope import role_required
from members.models import Member

from .. import selectors, services
from ..forms import AddMemberForm, LeaveForm, MemberSearchForm, TeamForm, VolunteerForm
from ..models import DutyTeam, TeamMember, Unavailability
from .common import MANAGERS, VIEWERS, show_errors, team_for

PAGE_SIZE = 25


@require_GET
@role_required(*VIEWERS)
def team_list(request):
    """The teams in reach: the building's for its officers, every building's for the street, hers for a member."""
    user = request.user
    teams = (
        selectors.teams_with_leader(DutyTeam.objects.for_user(user))
        .annotate(people_count=Count("people", filter=Q(people__is_active=True), distinct=True))
        .order_by("building__name", "kind_order", "name", "pk")
    )
    page = Paginator(teams, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "duty/team_list.html",
        {
            "page": page,
            "can_create": user.role in MANAGERS,
            "is_officer": user.role != Role.MEMBER,
            "show_building": user.role == Role.STREET,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def team_create(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(
                building=request.user.building,
                kind=data["kind"],
                name=data["name"],
                weekly_limit=data["weekly_limit"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            show_errors(request, form, error)
        else:
            messages.success(request, _("The team is set up: now add its people."))
            return redirect(team)
    return render(request, "duty/team_form.html", {"form": form, "team": None})


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def team_edit(request, pk):
    team = team_for(request, pk, edit=True)
    form = TeamForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.team_update(
                team=team,
                kind=data["kind"],
                name=data["name"],
                weekly_limit=data["weekly_limit"],
                leader=data["leader"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            show_errors(request, form, error)
        else:
            messages.success(request, _("The team is saved."))
            return redirect(team)
    return render(request, "duty/team_form.html", {"form": form, "team": team})


@require_GET
@role_required(*VIEWERS)
def team_detail(request, pk):
    """The team's people and their leave; for its officers, the search to add a party member and the form to add
    a volunteer; for those who run the roster, the swaps waiting."""
    user = request.user
    team = team_for(request, pk)
    can_edit, can_run = team.can_edit(user), team.can_run(user)
    people = list(
        team.people.select_related("member", "enterprise").order_by("-is_active", "member__name", "name", "pk")
    )
    today = timezone.localdate()
    # who is away and why is for those who run the roster (and the street), not for every colleague
    sees_leave = can_run or user.role == Role.STREET
    leaves = (
        list(
            Unavailability.objects.filter(team_member__team=team, ends_on__gte=today)
            .select_related("team_member__member")
            .order_by("starts_on", "pk")
        )
        if sees_leave
        else []
    )
    search = MemberSearchForm(request.GET or None)
    found = []
    if can_edit and search.is_valid():
        found = selectors.search_members(team, search.cleaned_data["q"])
    active = [p for p in people if p.is_active]
    leave_form = LeaveForm(people=team.people.filter(is_active=True).select_related("member"))
    return render(
        request,
        "duty/team_detail.html",
        {
            "team": team,
            "active": active,
            "former": [p for p in people if not p.is_active],
            "leaves": leaves,
            "sees_leave": sees_leave,
            "can_edit": can_edit,
            "can_run": can_run,
            "show_phones": can_run or user.role == Role.STREET,
            "search": search,
            "searched": bool(search.is_bound and search.is_valid() and search.cleaned_data["q"]),
            "found": found,
            "volunteer_form": VolunteerForm(),
            "leave_form": leave_form if can_run and active else None,
            "swaps": list(selectors.waiting_swaps([team.pk])) if can_run else [],
            "week": selectors.week_label(selectors.monday_of(today)),
        },
    )


@require_POST
@role_required(*MANAGERS)
def member_add(request, pk):
    """Put a party member found by the search on the team."""
    team = team_for(request, pk, edit=True)
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a party member from the search."))
        return redirect(team)
    member = get_object_or_404(
        Member.objects.filter(organization__building_id=team.building_id).select_related("organization"),
        pk=form.cleaned_data["member"],
    )
    try:
        services.member_add(team=team, member=member, by=request.user)
    except ValidationError as error:
        show_errors(request, None, error)
    else:
        messages.success(request, _("%(name)s is on the team.") % {"name": member.name})
    return redirect(reverse("duty:team", args=[team.pk]) + "#people")


@require_POST
@role_required(*MANAGERS)
def volunteer_add(request, pk):
    team = team_for(request, pk, edit=True)
    form = VolunteerForm(request.POST)
    if form.is_valid():
        try:
            person = services.volunteer_add(team=team, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, None, error)
        else:
            messages.success(request, _("%(name)s is on the team as a volunteer.") % {"name": person.name})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("duty:team", args=[team.pk]) + "#people")


def _person(request, pk, *, run: bool = False, edit: bool = False) -> TeamMember:
    person = get_object_or_404(
        TeamMember.objects.filter(team__in=DutyTeam.objects.for_user(request.user).values("pk")).select_related(
            "member", "team"
        ),
        pk=pk,
    )
    team_for(request, person.team_id, run=run, edit=edit)
    return person


@require_POST
@role_required(*MANAGERS)
def person_off(request, pk):
    """Take someone off the team; her shifts ahead on it are cleared."""
    person = _person(request, pk, edit=True)
    try:
        removed = services.member_leave_team(team_member=person, by=request.user)
    except ValidationError as error:
        show_errors(request, None, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(name)s is off the team; %(count)d shift ahead needs someone else.",
                "%(name)s is off the team; %(count)d shifts ahead need someone else.",
                removed,
            )
            % {"name": person.display_name, "count": removed},
        )
    return redirect(reverse("duty:team", args=[person.team_id]) + "#people")


@require_POST
@role_required(*MANAGERS)
def person_back(request, pk):
    person = _person(request, pk, edit=True)
    try:
        services.member_rejoin(team_member=person, by=request.user)
    except ValidationError as error:
        show_errors(request, None, error)
    else:
        messages.success(request, _("%(name)s is on the team.") % {"name": person.display_name})
    return redirect(reverse("duty:team", args=[person.team_id]) + "#people")


@require_POST
@role_required(*VIEWERS)
def leave_add(request, pk):
    """Record someone's leave; her shifts ahead in that time are cleared and named, for the leader to fill."""
    team = team_for(request, pk, run=True)
    form = LeaveForm(request.POST, people=team.people.filter(is_active=True).select_related("member"))
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(reverse("duty:team", args=[team.pk]) + "#leave")
    data = form.cleaned_data
    try:
        _leave, cleared = services.leave_add(
            team_member=data["team_member"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
            by=request.user,
        )
    except ValidationError as error:
        show_errors(request, None, error)
    else:
        name = data["team_member"].display_name
        messages.success(request, _("%(name)s's leave is recorded.") % {"name": name})
        if cleared:
            listed = "、".join(f"{s.team.name} {s.day:%m-%d} {s.hours} {s.post}" for s in cleared)
            messages.warning(
                request,
                _("%(name)s is off these shifts now; they need someone else: %(shifts)s.")
                % {"name": name, "shifts": listed},
            )
    return redirect(reverse("duty:team", args=[team.pk]) + "#leave")


@require_POST
@role_required(*VIEWERS)
def leave_remove(request, pk):
    leave = get_object_or_404(
        Unavailability.objects.filter(
            team_member__team__in=DutyTeam.objects.for_user(request.user).values("pk")
        ).select_related("team_member"),
        pk=pk,
    )
    team = team_for(request, leave.team_member.team_id, run=True)
    services.leave_remove(leave=leave, by=request.user)
    messages.success(request, _("The leave is removed."))
    return redirect(reverse("duty:team", args=[team.pk]) + "#leave")
