"""Swaps: a team member asks to hand her shift to a colleague, or to exchange it for one of the colleague's; the
leader (or an admin or secretary) decides."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from buildingparty.redirects import safe_next
from buildingparty.scope import role_required

from .. import selectors, services
from ..forms import SwapDecisionForm, SwapForm
from ..models import Assignment, DutyShift, DutyTeam, SwapRequest
from .common import VIEWERS, show_errors, team_for

AHEAD_SHOWN = 60


@require_http_methods(["GET", "POST"])
@role_required(*VIEWERS)
def swap_request(request, pk):
    """Only the person on the shift asks (others who see the shift: 403)."""
    assignment = get_object_or_404(
        Assignment.objects.filter(shift__in=DutyShift.objects.for_user(request.user).values("pk")).select_related(
            "shift__team__leader__member", "team_member__member"
        ),
        pk=pk,
    )
    if assignment.team_member.user_id != request.user.pk:
        raise PermissionDenied
    shift, team = assignment.shift, assignment.shift.team
    colleagues = selectors.active_people(team).exclude(pk=assignment.team_member_id)
    their_shifts = (
        Assignment.objects.filter(
            shift__team=team, shift__starts_at__gt=timezone.now(), team_member__in=colleagues.values("pk")
        )
        .select_related("shift", "team_member__member")
        .order_by("shift__starts_at", "pk")[:AHEAD_SHOWN]
    )
    form = SwapForm(request.POST or None, colleagues=colleagues, their_shifts=their_shifts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.swap_request(
                assignment=assignment,
                to_member=data["to_member"],
                in_return=data["in_return"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            show_errors(request, form, error)
        else:
            messages.success(request, _("The swap is asked for; the team's leader decides."))
            return redirect("duty:mine")
    waiting = assignment.swap_requests.filter(status=SwapRequest.Status.REQUESTED).exists()
    return render(
        request,
        "duty/swap_form.html",
        {
            "form": form,
            "assignment": assignment,
            "shift": shift,
            "team": team,
            "closed": _("This shift has begun: it can no longer be swapped.")
            if shift.has_started
            else (_("A swap of this shift is already waiting for the leader.") if waiting else None),
        },
    )


@require_POST
@role_required(*VIEWERS)
def swap_decide(request, pk):
    swap = get_object_or_404(
        SwapRequest.objects.filter(
            assignment__shift__team__in=DutyTeam.objects.for_user(request.user).values("pk")
        ).select_related("assignment__shift", "from_member__member", "to_member__member"),
        pk=pk,
    )
    team = team_for(request, swap.assignment.shift.team_id, run=True)
    form = SwapDecisionForm(request.POST)
    target = safe_next(request, reverse("duty:team", args=[team.pk]) + "#swaps")
    if not form.is_valid():
        messages.error(request, _("Choose to approve or refuse the swap."))
        return redirect(target)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.swap_decide(swap=swap, approve=approve, note=form.cleaned_data["note"], by=request.user)
    except ValidationError as error:
        show_errors(request, None, error)
    else:
        names = {"from": swap.from_member.display_name, "to": swap.to_member.display_name}
        if approve:
            messages.success(request, _("Swap approved: %(to)s takes %(from)s's shift.") % names)
        else:
            messages.success(request, _("Swap refused: the roster stays as it was."))
    return redirect(target)
