"""Mediation cases (调解) of a mediation team: the team's list, recording one from a shift, one case, correcting
it. The parties' names are for the mediators and the officers (``MediationCase.objects.for_user``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from buildingparty.scope import role_required

from .. import services
from ..forms import CaseForm
from ..models import MediationCase
from .common import VIEWERS, shift_for, show_errors, team_for

PAGE_SIZE = 25


def _case(request, pk) -> MediationCase:
    return get_object_or_404(
        MediationCase.objects.for_user(request.user).select_related(
            "team__leader__member", "shift", "log", "recorded_by"
        ),
        pk=pk,
    )


@require_GET
@role_required(*VIEWERS)
def case_list(request, pk):
    team = team_for(request, pk)
    if not team.is_mediation:
        raise Http404
    cases = MediationCase.objects.for_user(request.user).filter(team=team)
    if not (team.can_run(request.user) or request.user.role == "street"):
        raise PermissionDenied  # a member of the team who does not lead it
    page = Paginator(cases.select_related("shift").order_by("-held_on", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "duty/case_list.html", {"team": team, "page": page, "can_run": team.can_run(request.user)})


@require_http_methods(["GET", "POST"])
@role_required(*VIEWERS)
def case_create(request, pk):
    """Record a case taken up on a mediation team's shift (from its log, when one is chosen)."""
    shift = shift_for(request, pk, run=True)
    if not shift.team.is_mediation:
        raise Http404
    logs = list(shift.logs.order_by("written_at", "pk"))
    case = MediationCase(team=shift.team, shift=shift, held_on=shift.day, log=logs[-1] if logs else None)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_save(case=form.save(commit=False), by=request.user)
        except ValidationError as error:
            show_errors(request, form, error)
        else:
            messages.success(request, _("The mediation case is recorded."))
            return redirect(case)
    return render(request, "duty/case_form.html", {"form": form, "team": shift.team, "shift": shift, "case": None})


@require_GET
@role_required(*VIEWERS)
def case_detail(request, pk):
    case = _case(request, pk)
    return render(request, "duty/case_detail.html", {"case": case, "can_run": case.team.can_run(request.user)})


@require_http_methods(["GET", "POST"])
@role_required(*VIEWERS)
def case_edit(request, pk):
    case = _case(request, pk)
    if not case.team.can_run(request.user):
        raise PermissionDenied
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_save(case=form.save(commit=False), by=request.user)
        except ValidationError as error:
            show_errors(request, form, error)
        else:
            messages.success(request, _("The mediation case is saved."))
            return redirect(case)
    return render(request, "duty/case_form.html", {"form": form, "team": case.team, "shift": case.shift, "case": case})
