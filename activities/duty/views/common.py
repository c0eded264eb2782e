"""What the duty views share: who may open what, and fetching a team or shift in the user's scope.

Each view checks the role (403), fetches through ``for_user`` (404 out of scope: another building's team, a team
a member is not on), then checks the write permission (403): ``DutyTeam.can_edit`` for the team itself (the
building's admin and secretaries), ``DutyTeam.can_run`` for its roster (they and the team's leader).
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone

from buildingparty.forms import add_service_errors
from buildingparty.models import Role
from members.models import Member

from .. import selectors
from ..forms import week_choice
from ..models import DutyShift, DutyTeam

# Everyone with a duty page: officers, street viewers (read only), party members (their teams, their shifts).
VIEWERS = (Role.ADMIN, Role.SECRETARY, Role.STREET, Role.MEMBER)
# The building-wide pages: every team's week, the register.
OFFICERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)
# Who creates teams and changes them.
MANAGERS = (Role.ADMIN, Role.SECRETARY)


def team_for(request, pk, *, run: bool = False, edit: bool = False) -> DutyTeam:
    team = get_object_or_404(selectors.teams_with_leader(DutyTeam.objects.for_user(request.user)), pk=pk)
    if (edit and not team.can_edit(request.user)) or (run and not team.can_run(request.user)):
        raise PermissionDenied
    return team


def shift_for(request, pk, *, run: bool = False) -> DutyShift:
    shift = get_object_or_404(
        DutyShift.objects.for_user(request.user).select_related("team__building", "team__leader__member"), pk=pk
    )
    if run and not shift.team.can_run(request.user):
        raise PermissionDenied
    return shift


def own_member(request) -> Member:
    """The member record of the signed-in account; without one, a member's pages are not for them (403)."""
    member = Member.objects.filter(user=request.user).first()
    if member is None:
        raise PermissionDenied
    return member


def week_of(request) -> datetime.date:
    """The Monday of ``?week=2026-W49``; this week when missing or unreadable."""
    return week_choice(request.GET.get("week")) or selectors.monday_of(timezone.localdate())


def show_errors(request, form, error: ValidationError) -> None:
    if form is None or not add_service_errors(form, error):
        for message in error.messages:
            messages.error(request, message)


def week_links(monday: datetime.date) -> dict:
    """The week shown, the weeks before and after, and this week (for the week navigation)."""
    return {
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "week": selectors.week_label(monday),
        "previous_week": selectors.week_label(monday - datetime.timedelta(days=7)),
        "next_week": selectors.week_label(monday + datetime.timedelta(days=7)),
        "this_week": selectors.week_label(selectors.monday_of(timezone.localdate())),
    }
