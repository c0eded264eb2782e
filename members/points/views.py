"""Points pages: my points, a member's ledger, claiming, the claims queue, deductions, the leaderboard, and the
admin's rules and base scores.

Each view: check the role (403), fetch through ``for_user`` (404 out of scope), check the write permission
(403), then call ``members.points``. Street viewers read ledgers, boards and rules and change nothing.
"""

import os

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from buildingparty import data_cache
from buildingparty.forms import add_service_errors
from buildingparty.models import PartyOrganization, Role
from buildingparty.scope import role_required
from buildingparty.uploads import private_file_response
from members import access
from members.access import can_edit
from members.models import Member
from members.points import selectors
from members.points import services as points
from members.points.forms import BoardForm, ClaimForm, DecisionForm, DeductionForm, PointYearForm, RuleForm
from members.points.models import PointEntry, PointRule, PointYear

PAGE_SIZE = 25
DECIDED_SHOWN = 20
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)
BOARD_ROLES = (Role.ADMIN, Role.SECRETARY, Role.STREET, Role.MEMBER)


def _own_member(request) -> Member:
    """The member record linked to the signed-in account; without one these pages are not for them (403)."""
    member = Member.objects.filter(user=request.user).select_related("organization", "organization__parent").first()
    if member is None:
        raise PermissionDenied
    return member


def _year(request) -> int:
    return selectors.default_year(request.GET.get("year"))


# --- ledgers ------------------------------------------------------------------------------------------------


def _ledger(request, member: Member, *, own: bool) -> dict:
    """What the ledger's content (``points/_ledger_body.html``) shows: nothing of the viewer but these flags."""
    year = _year(request)
    ledger = selectors.member_ledger(member, year)
    # How each entry came about, worked out once a row here rather than with a {% blocktranslate %} a row.
    automatic, claimed, recorded = _("Automatic"), _("Claimed, approved by %(who)s"), _("Recorded by %(who)s")
    for entry in ledger.entries:
        kind = entry.rule.kind
        if kind == PointRule.Kind.AUTOMATIC:
            entry.how = automatic
        else:
            who = entry.decided_by if kind == PointRule.Kind.CLAIMED else entry.created_by
            entry.how = (claimed if kind == PointRule.Kind.CLAIMED else recorded) % {"who": who or "—"}
    return {
        "ledger": ledger,
        "member": member,
        "own": own,
        "years": selectors.years_offered(member.organization.building_id),
        "can_claim": own
        and PointRule.objects.filter(
            building_id=member.organization.building_id, kind=PointRule.Kind.CLAIMED, is_active=True
        ).exists(),
        "can_deduct": can_edit(request.user, member),
    }


@require_GET
def my_points(request):
    """The member's own points for a year: base score, approved entries, total; claims waiting or rejected.

    The content is kept, as HTML, under the account (``data_cache.page``) until a table it was read from changes;
    the member record is read inside, so that a record changed, linked or unlinked shows at once (403 without one,
    never kept)."""
    body = data_cache.page(
        request,
        "points:mine",
        "points/_ledger_body.html",
        lambda: _ledger(request, _own_member(request), own=True),
        by="user",
    )
    return render(request, "points/ledger.html", {"body": body, "own": True})


@require_GET
@role_required(*BOARD_ROLES)
def member_points(request, pk):
    member = get_object_or_404(
        Member.objects.for_user(request.user).select_related("organization", "organization__parent"), pk=pk
    )
    own = member.user_id == request.user.pk
    # Not kept: the record is read before the content (the title names the member), so the tables the content
    # was read from would not hold it. Rendered as the kept ledger is, from the same template.
    body = data_cache.render("points/_ledger_body.html", _ledger(request, member, own=own), request)
    # our own template's output, every value escaped (data_cache.render)
    body = mark_safe(body)  # noqa: S308  # nosec B308 B703
    return render(request, "points/ledger.html", {"body": body, "member": member, "own": own})


# --- claims -------------------------------------------------------------------------------------------------


def claim_create(request):
    member = _own_member(request)
    form = ClaimForm(request.POST or None, request.FILES or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            entry = points.claim_submit(
                member=member,
                rule=form.cleaned_data["rule"],
                occurred_on=form.cleaned_data["occurred_on"],
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data["evidence"],
                by=request.user,
            )
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Your claim for %(rule)s is with your branch secretary; you will be told the decision.")
                % {"rule": entry.rule.name},
            )
            return redirect(reverse("points:mine") + f"?year={entry.year}")
    return render(request, "points/claim_form.html", {"form": form, "member": member})


@require_GET
@role_required(*READERS)
def claim_queue(request):
    """Claims waiting for a decision (oldest first), and the latest decided.

    The content is kept, as HTML, under the account (``data_cache.page``: the claims in reach include the
    viewer's own) until a table it was read from changes; its decision forms get each request's CSRF token."""
    body = data_cache.page(
        request, "points:claims", "points/_claim_queue_body.html", lambda: _claim_queue(request), by="user"
    )
    return render(request, "points/claim_queue.html", {"body": body})


def _claim_queue(request) -> dict:
    pending = Paginator(selectors.pending_claims(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    decided = list(selectors.decided_claims(request.user)[:DECIDED_SHOWN])
    return {"page": pending, "decided": decided, "can_decide": request.user.role in access.MANAGERS}


@require_POST
@role_required(*access.MANAGERS)
def claim_decide(request, pk):
    entry = get_object_or_404(selectors.claims_for(request.user), pk=pk)
    if not can_edit(request.user, entry.member):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject."))
        return redirect("points:claims")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        entry = points.claim_decide(
            entry=entry, approve=approve, decided_by=request.user, note=form.cleaned_data["decision_note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if approve:
            messages.success(
                request,
                _("Approved: %(points)+d points for %(name)s.") % {"points": entry.points, "name": entry.member.name},
            )
        else:
            messages.success(request, _("Rejected; %(name)s is told why.") % {"name": entry.member.name})
    return redirect("points:claims")


@require_GET
def evidence(request, pk):
    """A claim's evidence, only to those who can see the entry; files are never served from /media."""
    entry = get_object_or_404(PointEntry.objects.for_user(request.user).exclude(evidence=""), pk=pk)
    extension = os.path.splitext(entry.evidence.name)[1].lower()
    # Shown in the browser (a photo or a PDF the secretary looks at), not downloaded; only the checked types are stored.
    return private_file_response(
        entry.evidence,
        content_type=points.evidence_content_type(entry.evidence.name),
        filename=f"{entry.member.name}-{entry.occurred_on:%Y%m%d}{extension}",
        as_attachment=False,
    )


# --- deductions ---------------------------------------------------------------------------------------------


@role_required(*access.MANAGERS)
def deduct(request, pk):
    member = get_object_or_404(
        Member.objects.for_user(request.user).select_related("organization", "organization__parent"), pk=pk
    )
    if not can_edit(request.user, member):
        raise PermissionDenied
    form = DeductionForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            entry = points.deduction_record(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Recorded: %(points)+d points for %(name)s.") % {"points": entry.points, "name": member.name},
            )
            return redirect(reverse("points:member", args=[member.pk]) + f"?year={entry.year}")
    return render(request, "points/deduction_form.html", {"form": form, "member": member})


# --- leaderboard (创先争优) -----------------------------------------------------------------------------------


@require_GET
@role_required(*BOARD_ROLES)
def board(request):
    """Members ranked by total in one branch; for admins and street viewers, any branch or all branches'
    averages. Members see their own branch's board, secretaries their branch's.

    The content is kept whole, as HTML, with the chart's data (the page's scripts need it), under the account
    (the viewer's own row is marked), the query, the language and the day, until a table it was read from changes
    (``data_cache.page_with``)."""
    body, kept = data_cache.page_with(
        request, "points:board", "points/_board_body.html", lambda: _board(request), keep=("chart_data",)
    )
    return render(request, "points/board.html", {"body": body, "chart_data": kept["chart_data"]})


def _board(request) -> dict:
    """The content's context, with the chart's data: everything it shows, nothing of the viewer
    (``data_cache.render``)."""
    user = request.user
    branch = None
    if user.role == Role.MEMBER:
        branch = _own_member(request).organization.branch
        building_id = branch.building_id
        choices = None
    elif user.role == Role.SECRETARY:
        branch = user.organization.branch
        building_id = branch.building_id
        choices = None
    else:
        building_id = user.building_id  # None for a street viewer: every building
        choices = PartyOrganization.objects.for_user(user).branches()
    years = selectors.years_offered(building_id)
    form = BoardForm(request.GET or None, years=years, branches=choices)
    year = years[0]
    if form.is_valid():
        year = form.cleaned_data["year"]
        if choices is not None:
            branch = form.cleaned_data["branch"]
    elif request.GET:
        form = BoardForm(years=years, branches=choices)
    context = {"form": form, "year": year, "branch": branch}
    if branch is not None:
        board = selectors.branch_board(branch, year, page_number=request.GET.get("page"))
        mine = Member.objects.filter(user=user).values_list("pk", flat=True).first()
        context.update(
            board=board,
            page=board.rows,
            my_member_id=mine,
            # The whole branch, from the board's one GROUP BY: how many members have each band of totals.
            chart_data={
                "labels": [f"{low}–{low + selectors.BAND - 1}" for low, _n in board.bands],
                "values": [n for _low, n in board.bands],
                "base": board.base,
            },
            can_open_ledgers=user.role in READERS,
        )
    else:
        averages = selectors.branch_averages(choices, year)
        context.update(
            averages=averages,
            show_building=user.role == Role.STREET,
            chart_data={
                "labels": [row.branch.name for row in averages],
                "values": [row.average or 0 for row in averages],
                "base": None,
            },
        )
    return context


# --- rules and base scores (admins) -------------------------------------------------------------------------


@require_GET
@role_required(*BOARD_ROLES)
def rule_list(request):
    """The rules members earn and lose points by; admins change them here."""
    rules = (
        PointRule.objects.for_user(request.user)
        .select_related("building")
        .order_by("building__name", "kind", "-is_active", "code")
    )
    sources = points.registered_sources()
    rules = list(rules)
    for rule in rules:
        rule.has_source = rule.code in sources
    is_admin = request.user.role == Role.ADMIN
    missing_defaults = []
    if is_admin:
        codes = {r.code for r in rules}
        missing_defaults = [d for d in points.DEFAULT_RULES if d.code not in codes]
    return render(
        request,
        "points/rule_list.html",
        {
            "rules": rules,
            "is_admin": is_admin,
            "missing_defaults": missing_defaults,
            "show_building": request.user.role == Role.STREET,
        },
    )


def _rule_form(request, rule: PointRule):
    in_use = rule.pk is not None and rule.entries.exists()
    form = RuleForm(request.POST or None, instance=rule, building=request.user.building, in_use=in_use)
    if request.method == "POST" and form.is_valid():
        rule = form.save(commit=False)
        rule.building = request.user.building
        try:
            points.rule_save(rule=rule)
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, " ".join(error.messages))
        except IntegrityError:
            form.add_error("code", _("Another rule of the building has this code."))
        else:
            messages.success(request, _("The rule “%(name)s” is saved.") % {"name": rule.name})
            return redirect("points:rules")
    return render(request, "points/rule_form.html", {"form": form, "rule": rule, "in_use": in_use})


@role_required(Role.ADMIN)
def rule_create(request):
    return _rule_form(request, PointRule(building=request.user.building))


@role_required(Role.ADMIN)
def rule_edit(request, pk):
    return _rule_form(request, get_object_or_404(PointRule.objects.for_user(request.user), pk=pk))


@require_POST
@role_required(Role.ADMIN)
def rule_retire(request, pk):
    rule = get_object_or_404(PointRule.objects.for_user(request.user), pk=pk)
    if points.rule_retire(rule=rule):
        messages.success(request, _("The rule “%(name)s” is deleted.") % {"name": rule.name})
    else:
        messages.success(
            request,
            _("Members have points from “%(name)s”, so it is kept and taken out of use.") % {"name": rule.name},
        )
    return redirect("points:rules")


@require_POST
@role_required(Role.ADMIN)
def rules_defaults(request):
    added = points.ensure_default_rules(request.user.building)
    messages.success(request, _("Default rules added: %(n)d.") % {"n": added})
    return redirect("points:rules")


@role_required(Role.ADMIN)
def point_years(request):
    """The base score of each year for the building."""
    building = request.user.building
    form = PointYearForm(request.POST or None, initial={"year": selectors.current_year()})
    if request.method == "POST" and form.is_valid():
        point_year = points.point_year_set(building=building, **form.cleaned_data)
        messages.success(
            request,
            _("Base score for %(year)d: %(score)d.") % {"year": point_year.year, "score": point_year.base_score},
        )
        return redirect("points:years")
    years = PointYear.objects.filter(building=building).order_by("-year")
    return render(
        request,
        "points/years.html",
        {"form": form, "years": years, "default_score": settings.POINTS_BASE_SCORE},
    )
