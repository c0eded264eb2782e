"""Shifts: adding (one, or the same on chosen weekdays up to a date), one shift with its people, logs, cases and
swaps, changing and dropping it, putting someone on it or taking her off, and writing its log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buildingparty.scope import role_required

from .. import selectors, services
from ..forms import AssignForm, LogForm, ShiftForm
from ..models import Assignment, DutyShift, MediationCase, SwapRequest
from .common import VIEWERS, shift_for, show_errors, team_for


def _roster_url(shift: DutyShift) -> str:
    week = selectors.week_label(selectors.monday_of(shift.day))
    return reverse("duty:roster", args=[shift.team_id]) + f"?week={week}"


@require_http_methods(["GET", "POST"])
@role_required(*VIEWERS)
def shift_create(request, pk):
    team = team_for(request, pk, run=True)
    initial = {}
    if request.GET.get("day"):
        initial["day"] = request.GET["day"]
    form = ShiftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shifts = services.shift_create(team=team, by=request.user, **data)
        except ValidationError as error:
            show_errors(request, form, error)
        else:
            messages.success(
                request,
                ngettext("%(count)d shift added.", "%(count)d shifts added.", len(shifts)) % {"count": len(shifts)},
            )
            return redirect(_roster_url(shifts[0]))
    return render(request, "duty/shift_form.html", {"form": form, "team": team, "shift": None})


@require_http_methods(["GET", "POST"])
@role_required(*VIEWERS)
def shift_edit(request, pk):
    shift = shift_for(request, pk, run=True)
    form = ShiftForm(request.POST or None, shift=shift)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_update(shift=shift, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, form, error)
        else:
            messages.success(request, _("The shift is saved."))
            return redirect(shift)
    return render(request, "duty/shift_form.html", {"form": form, "team": shift.team, "shift": shift})


@require_POST
@role_required(*VIEWERS)
def shift_delete(request, pk):
    shift = shift_for(request, pk, run=True)
    back = _roster_url(shift)
    try:
        services.shift_delete(shift=shift, by=request.user)
    except ValidationError as error:
        show_errors(request, None, error)
        return redirect(shift)
    messages.success(request, _("The shift is taken off the roster."))
    return redirect(back)


@require_GET
@role_required(*VIEWERS)
def shift_detail(request, pk):
    user = request.user
    shift = shift_for(request, pk)
    team = shift.team
    can_run = team.can_run(user)
    assignments = list(
        shift.assignments.select_related("team_member__member", "team_member__enterprise").order_by("pk")
    )
    on_shift = any(a.team_member.user_id == user.pk for a in assignments)
    taken = [a.team_member_id for a in assignments]
    return render(
        request,
        "duty/shift_detail.html",
        {
            "shift": shift,
            "team": team,
            "assignments": assignments,
            "can_run": can_run,
            "show_phones": can_run or user.role == "street",
            "assign_form": AssignForm(people=selectors.active_people(team).exclude(pk__in=taken)) if can_run else None,
            "logs": list(shift.logs.select_related("written_by")),
            "log_form": LogForm() if (can_run or on_shift) and shift.has_started else None,
            "cases": list(MediationCase.objects.for_user(user).filter(shift=shift)) if team.is_mediation else [],
            "can_record_case": can_run and team.is_mediation and shift.has_started,
            "swaps": list(
                SwapRequest.objects.filter(assignment__shift=shift)
                .select_related("from_member__member", "to_member__member", "in_return__shift")
                .order_by("-asked_at")
            )
            if can_run
            else [],
            "own": next((a for a in assignments if a.team_member.user_id == user.pk), None),
        },
    )


@require_POST
@role_required(*VIEWERS)
def assign(request, pk):
    shift = shift_for(request, pk, run=True)
    form = AssignForm(request.POST, people=selectors.active_people(shift.team))
    if not form.is_valid():
        messages.error(request, _("Choose one of the team's people."))
        return redirect(shift)
    person = form.cleaned_data["team_member"]
    try:
        services.assign(shift=shift, team_member=person, by=request.user)
    except ValidationError as error:
        show_errors(request, None, error)
    else:
        messages.success(request, _("%(name)s is on the shift.") % {"name": person.display_name})
    return redirect(shift)


@require_POST
@role_required(*VIEWERS)
def unassign(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.filter(shift__in=DutyShift.objects.for_user(request.user).values("pk")).select_related(
            "team_member__member", "shift"
        ),
        pk=pk,
    )
    shift = shift_for(request, assignment.shift_id, run=True)
    services.unassign(assignment=assignment, by=request.user)
    messages.success(request, _("%(name)s is off the shift.") % {"name": assignment.team_member.display_name})
    return redirect(shift)


@require_POST
@role_required(*VIEWERS)
def log_add(request, pk):
    """The log of a shift: by those who run the roster, or by someone on the shift."""
    shift = shift_for(request, pk)
    on_shift = shift.assignments.filter(team_member__member__user=request.user).exists()
    if not (shift.team.can_run(request.user) or on_shift):
        raise PermissionDenied
    form = LogForm(request.POST)
    if form.is_valid():
        try:
            services.log_add(shift=shift, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(request, None, error)
        else:
            messages.success(request, _("The log is saved."))
    else:
        messages.error(request, _("Write what happened on the shift."))
    return redirect(reverse("duty:shift", args=[shift.pk]) + "#logs")
