"""Pages of the democratic appraisal: the rounds, one round (grades and the cap on 优秀), opening and closing a round,
the export, and the member's own page (her self-assessment and her peer assessments, on her phone).

Each view: check the role (403), fetch through ``for_user`` (404 out of scope), check the write permission
(403), then call ``activities.appraisal.services``. Street viewers read rounds and change nothing.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buildingparty import data_cache, registers
from buildingparty.forms import add_service_errors
from buildingparty.models import Role
from buildingparty.scope import in_reach, role_required

from . import selectors, services
from .forms import GRADE_CHOICES, GradeForm, PeerForm, RoundFilterForm, RoundOpenForm, SelfAssessmentForm
from .models import Appraisal, AppraisalRound, Grade
from .register import NAME as APPRAISAL_REGISTER

ROUND_PAGE_SIZE = 20
MEMBER_PAGE_SIZE = 50
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)
WRITERS = (Role.ADMIN, Role.SECRETARY)


def _can_write(user, round: AppraisalRound) -> bool:
    return user.role in WRITERS and in_reach(user, round.organization_id)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- rounds -------------------------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
def round_list(request):
    """The rounds in the user's reach, newest year first, with how far each has come. Kept whole, as HTML
    (data_cache.page), under the viewer's scope (all ``for_user`` and the button look at for these three roles)
    until a table it was read from changes."""
    body = data_cache.page(
        request, "appraisal:list", "appraisal/_list_body.html", lambda: _round_list(request), by="scope"
    )
    return render(request, "appraisal/list.html", {"body": body})


def _round_list(request) -> dict:
    form = RoundFilterForm(request.GET or None, user=request.user)
    rounds = selectors.round_list(request.user)
    year = form.chosen_year()
    if year:
        rounds = rounds.filter(year=year)
    page = Paginator(rounds, ROUND_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_counts(page.object_list)
    return {"form": form, "page": page, "year": year, "can_open": request.user.role in WRITERS}


@require_http_methods(["GET", "POST"])
@role_required(*WRITERS)
def round_open(request):
    form = RoundOpenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            round = services.round_open(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("The appraisal of %(year)d is open: %(n)d members of %(branch)s take part.")
                % {"year": round.year, "n": round.appraisals.count(), "branch": round.organization},
            )
            return redirect(round)
    return render(request, "appraisal/open.html", {"form": form})


@require_GET
@role_required(*READERS)
def round_detail(request, pk):
    """Each member: her self-assessment, how many peers suggested each grade, her grade; the cap on 优秀."""
    round = get_object_or_404(
        AppraisalRound.objects.for_user(request.user).select_related(
            "organization", "life_meeting", "opened_by", "closed_by"
        ),
        pk=pk,
    )
    page = Paginator(selectors.round_rows(round), MEMBER_PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.peer_counts = selectors.peer_summary(row)
    can_write = round.is_open and _can_write(request.user, round)
    return render(
        request,
        "appraisal/detail.html",
        {
            "round": round,
            "page": page,
            "cap": selectors.cap_of(round),
            "can_grade": can_write,
            "grade_choices": GRADE_CHOICES,
            "unqualified": Grade.UNQUALIFIED,
            "can_export": registers.get(APPRAISAL_REGISTER, user=request.user).may_export(request.user),
        },
    )


@require_POST
@role_required(*WRITERS)
def grade(request, pk):
    appraisal = get_object_or_404(Appraisal.objects.for_user(request.user).select_related("round", "member"), pk=pk)
    if not _can_write(request.user, appraisal.round):
        raise PermissionDenied
    form = GradeForm(request.POST, appraisal=appraisal)
    if not form.is_valid():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, f"{appraisal.member.name}：{' '.join(errors)}")
    else:
        try:
            appraisal = services.grade(
                appraisal=appraisal,
                grade=form.cleaned_data["grade"],
                follow_up=form.cleaned_data["follow_up"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, f"{appraisal.member.name}：{_error_text(error)}")
        else:
            messages.success(
                request,
                _("%(name)s: graded %(grade)s.")
                % {"name": appraisal.member.name, "grade": appraisal.get_grade_display()},
            )
    page = request.POST.get("page", "")
    query = f"?page={page}" if page.isdigit() else ""
    return redirect(f"{reverse('appraisal:detail', args=[appraisal.round_id])}{query}#appraisal-{appraisal.pk}")


@require_POST
@role_required(*WRITERS)
def round_close(request, pk):
    round = get_object_or_404(AppraisalRound.objects.for_user(request.user), pk=pk)
    if not _can_write(request.user, round):
        raise PermissionDenied
    try:
        round = services.round_close(round=round, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The appraisal of %(year)d is closed.") % {"year": round.year})
    return redirect(round)


@require_GET
@role_required(*READERS)
def export(request, pk):
    """One round as xlsx or CSV through the ``appraisal`` register; always recorded."""
    user = request.user
    round = get_object_or_404(AppraisalRound.objects.for_user(user).select_related("organization"), pk=pk)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in registers.FORMATS:
        return HttpResponseBadRequest(_("Unknown format."))
    register = registers.get(APPRAISAL_REGISTER, user=user)
    if not register.may_export(user):
        raise PermissionDenied
    appraisals = register.objects(user).filter(round=round)
    registers.record_export(
        register,
        actor=user,
        fmt=fmt,
        row_count=appraisals.count(),
        filters={"year": round.year, "organization": round.organization_id},
        request=request,
    )
    response = registers.export_response(register, appraisals, fmt)
    response["Content-Disposition"] = registers.content_disposition(
        f"{register.title}-{round.year}-{round.organization.name}.{fmt}",
        f"{register.name}-{round.year}-{round.organization_id}.{fmt}",
    )
    return response


# --- the member's own ---------------------------------------------------------------------------------------


def _own_member(request):
    """The member record linked to the signed-in account; without one this page is not for them (403)."""
    member = selectors.own_member(request.user)
    if member is None:
        raise PermissionDenied
    return member


# Peers a page: a branch of district size must not become one form of a thousand fields (issue 15).
PEERS_PER_PAGE = 30


def _peer_page(appraisal, number):
    """The page of her peers (``number`` from ?page= or the form's ``page``), each with ``mine``. Paginated in
    SQL: a branch's round holds every member, and only the page's rows are loaded."""
    peers = selectors.peer_queryset(appraisal)
    page = Paginator(peers.values_list("pk", flat=True), PEERS_PER_PAGE).get_page(number)
    # Sort and limit the narrow rows, then load the page's 30: sorting ~1,400 full member rows to keep 30 cost
    # more than the query it now is. Only what the rows show: the members' other columns (an encrypted ID number
    # decrypted 30 times among them) cost more than the query.
    rows = peers.filter(pk__in=page.object_list).only(
        "round_id",
        "member_id",
        "takes_grade",
        "member__name",
        "member__organization__name",
        "member__organization__kind",
    )
    page.object_list = selectors.mark_mine(appraisal, rows)
    return page


def _render_mine(request, build, *, status=200):
    """Her page: kept whole, as HTML (data_cache.page), under her account until a table it was read from changes (a
    POST's form with its errors is rendered each time, never kept)."""
    body = data_cache.page(request, "appraisal:mine", "appraisal/_mine_body.html", build, by="user")
    return render(request, "appraisal/mine.html", {"body": body}, status=status)


def _mine_context(request, member, appraisal, *, self_form=None, peer_form=None, page=None) -> dict:
    context = {"member": member, "appraisal": appraisal}
    if appraisal is not None:
        page = page or _peer_page(appraisal, request.GET.get("page"))
        context.update(
            self_form=self_form or SelfAssessmentForm(initial={"self_assessment": appraisal.self_assessment}),
            peer_form=peer_form or PeerForm(peers=list(page)),
            peer_page=page,
            assessed=selectors.peers_assessed(appraisal),
            peer_count=page.paginator.count,
        )
    context["history"] = (
        Appraisal.objects.filter(member=member, round__status=AppraisalRound.Status.CLOSED)
        .select_related("round", "round__organization")
        .order_by("-round__year")
    )
    return context


def _own_context(request) -> dict:
    member = _own_member(request)
    return _mine_context(request, member, selectors.open_appraisal(member))


@require_http_methods(["GET", "POST"])
def mine(request):
    """The member's appraisal this round: her self-assessment first, then her peers; past grades below."""
    if request.method == "GET":
        return _render_mine(request, lambda: _own_context(request))
    member = _own_member(request)
    appraisal = selectors.open_appraisal(member)
    if request.method == "POST":
        if appraisal is None:
            raise Http404
        form = SelfAssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.self_assess(appraisal=appraisal, text=form.cleaned_data["self_assessment"])
            except ValidationError as error:
                if not add_service_errors(form, error):
                    messages.error(request, _error_text(error))
            else:
                messages.success(request, _("Your self-assessment is saved; your branch secretary can read it."))
                return redirect(reverse("appraisal:mine") + "#peers")
        return _render_mine(request, lambda: _mine_context(request, member, appraisal, self_form=form))


@require_POST
def peer(request):
    """Her suggestions for the other members of her round, all at once; a peer left blank is skipped."""
    member = _own_member(request)
    appraisal = selectors.open_appraisal(member)
    if appraisal is None:
        raise Http404
    page = _peer_page(appraisal, request.POST.get("page"))
    form = PeerForm(request.POST, peers=list(page))
    if form.is_valid():
        saved = 0
        try:
            with transaction.atomic():  # all of them or none: the page shows what was refused
                for target, grade, comment in form.entries():
                    mine = target.mine
                    if mine is not None and mine.grade == grade and mine.comment == comment:
                        continue
                    services.peer_assess(assessor=member, appraisal=target, grade=grade, comment=comment)
                    saved += 1
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Peer assessments saved: %(n)d.") % {"n": saved})
            after = f"?page={page.number}" if page.number > 1 else ""
            return redirect(reverse("appraisal:mine") + after + "#peers")
    return _render_mine(request, lambda: _mine_context(request, member, appraisal, peer_form=form, page=page))
