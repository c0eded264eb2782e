"""Home visits and the hardship register: the visit list, recording (after a bounded search for whom to visit),
one visit and its follow-up, a member's visits and help, the hardship register with opening and closing a record,
and the counts.

Who may: visits and the register hold personal data (health, family, money), so a member's visits are for her
secretary and the admin only. Members, liaisons and contacts get 403 on every page, a member on pages about
herself too (a visit's notes are the secretary's working notes, not a record kept for the member). The street
sees the counts page only (``selectors.summary``: no names, no notes) and 403 elsewhere. Each view: check the role
(403), fetch through ``for_user`` (404 out of scope), then call ``services``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buildingparty import data_cache, submissions
from buildingparty.forms import add_service_errors
from buildingparty.links import url_maker
from buildingparty.models import Role
from buildingparty.scope import role_required
from enterprises.models import Enterprise
from members.models import Member, in_party_q

from . import selectors, services
from .forms import (
    AssistanceForm,
    FollowUpDoneForm,
    HardshipCloseForm,
    HardshipFilterForm,
    HardshipForm,
    PickForm,
    SummaryForm,
    VisitFilterForm,
    VisitForm,
)
from .models import HardshipRecord, HomeVisit

PAGE_SIZE = 25
MEMBER_VISITS_PAGE_SIZE = 20
SUMMARY_PAGE_SIZE = 50
OFFICERS = (Role.ADMIN, Role.SECRETARY)
# What the visit list reads of a visit and whom it was to.
LIST_FIELDS = (
    "organization",
    "member",
    "enterprise",
    "whom",
    "kind",
    "visited_on",
    "visitors",
    "help_amount",
    "follow_up_on",
    "follow_up_done_at",
    "organization__name",
    "member__name",
    "enterprise__name",
)
# What the hardship register's table reads of a record and its member.
HARDSHIP_FIELDS = (
    "member",
    "since",
    "kind",
    "description",
    "status",
    "resolved_on",
    "member__name",
    "member__organization__name",
)
COUNTERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)


def _show_errors(request, form, error: ValidationError) -> None:
    if form is None or not add_service_errors(form, error):
        messages.error(request, " ".join(error.messages))


def _member(request, pk, *, in_party: bool = True) -> Member:
    """A member in the officer's reach (404 otherwise); to record something new, in the party and still here."""
    members = Member.objects.for_user(request.user).select_related("organization")
    if in_party:
        members = members.filter(in_party_q())
    return get_object_or_404(members, pk=pk)


def _visit(request, pk) -> HomeVisit:
    return get_object_or_404(
        HomeVisit.objects.for_user(request.user).select_related(
            "organization", "member", "member__organization", "enterprise", "recorded_by", "follow_up_done_by"
        ),
        pk=pk,
    )


# --- the visits ---------------------------------------------------------------------------------------------


@require_GET
@role_required(*OFFICERS)
def visit_list(request):
    """The visits in reach, newest first, by name, kind, whom and the state of the follow-up."""
    # Kept whole, as HTML, under the viewer's scope (all ``for_user`` and the filter's choices look at for the
    # admin and the secretaries), the query, the language and the day (the follow-up states), until a table it was
    # read from changes.
    body = data_cache.page(request, "visits:list", "visits/_list_body.html", lambda: _visit_list(request), by="scope")
    return render(request, "visits/list.html", {"body": body})


def _visit_list(request) -> dict:
    form = VisitFilterForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    visits = form.filter(HomeVisit.objects.for_user(request.user), today=today)
    # The page's visits are chosen by pk alone, then read with only what the rows show: joining the members'
    # and enterprises' wide rows before ORDER BY … LIMIT read far more than the 25 rows.
    # One query for both: the page's pks as a subquery, its rows read in the same order.
    ordered = visits.order_by("-visited_on", "-pk").values_list("pk", flat=True)
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(
        HomeVisit.objects.select_related("organization", "member", "enterprise")
        .only(*LIST_FIELDS)
        .filter(pk__in=page.object_list)
        .order_by("-visited_on", "-pk")
    )
    # One reverse for the page, not one a row: the links differ only in the visit's id.
    detail_url = url_maker("visits:detail")
    for visit in page.object_list:
        visit.list_url = detail_url(visit.pk)
    return {"form": form, "page": page, "today": today}


def _target(request, source) -> HomeVisit | None:
    """The new visit the request names (``whom`` and ``member`` or ``enterprise``), fetched in scope (404), or
    None when it names nobody yet."""
    whom = source.get("whom") or HomeVisit.Whom.MEMBER
    if whom not in HomeVisit.Whom.values:
        whom = HomeVisit.Whom.MEMBER
    user = request.user
    if whom == HomeVisit.Whom.ENTERPRISE:
        pk = source.get("enterprise")
        if not pk:
            return None
        enterprise = get_object_or_404(
            Enterprise.objects.for_user(user).filter(status=Enterprise.Status.ACTIVE), pk=_digits(pk)
        )
        organization = services.visit_organization(user=user)
        if organization is None:
            raise PermissionDenied
        return HomeVisit(organization=organization, whom=whom, enterprise=enterprise)
    pk = source.get("member")
    if not pk:
        return None
    member = get_object_or_404(
        Member.objects.for_user(user).filter(in_party_q()).select_related("organization"), pk=_digits(pk)
    )
    return HomeVisit(organization=services.visit_organization(user=user, member=member), whom=whom, member=member)


def _digits(value) -> int:
    """An id from a query string; anything else finds nothing (404)."""
    return int(value) if str(value).isdigit() else 0


def _visit_form(request, visit: HomeVisit):
    is_new = visit.pk is None
    if is_new and (first := submissions.first_result(request)) is not None:
        return first
    form = VisitForm(request.POST or None, instance=visit, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with submissions.once(request, form, label="visits.visit") as submission:
                visit = services.visit_save(visit=form.save(commit=False), by=request.user)
                submission.result_url = visit.get_absolute_url()
        except submissions.AlreadySubmitted as done:
            if done.response is not None:
                return done.response
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(
                request, _("The visit is recorded.") if is_new else _("The visit is saved."), extra_tags="visit"
            )
            return redirect(visit)
    return render(request, "visits/form.html", {"form": form, "visit": visit})


@role_required(*OFFICERS)
@require_http_methods(["GET", "POST"])
def visit_create(request):
    """First whom (a search of at most 20 names of the secretary's own branch, or of the building's enterprises),
    then the visit."""
    source = request.POST if request.method == "POST" else request.GET
    visit = _target(request, source)
    if visit is not None:
        return _visit_form(request, visit)
    pick = PickForm(request.GET or None)
    whom, q = pick.choice()
    if whom == HomeVisit.Whom.ENTERPRISE:
        matches = selectors.enterprise_matches(request.user, q)
    else:
        matches = selectors.member_matches(request.user, q)
    found = list(matches[: selectors.PICK_LIMIT + 1])
    return render(
        request,
        "visits/pick.html",
        {
            "pick": pick,
            "whom": whom,
            "q": q,
            "matches": found[: selectors.PICK_LIMIT],
            "more": len(found) > selectors.PICK_LIMIT,
            "limit": selectors.PICK_LIMIT,
        },
    )


@role_required(*OFFICERS)
@require_http_methods(["GET", "POST"])
def visit_edit(request, pk):
    return _visit_form(request, _visit(request, pk))


@require_GET
@role_required(*OFFICERS)
def visit_detail(request, pk):
    visit = _visit(request, pk)
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "state": visit.follow_up_state(),
            "done_form": FollowUpDoneForm() if visit.follow_up_on and not visit.follow_up_done else None,
        },
    )


@require_POST
@role_required(*OFFICERS)
def follow_up_done(request, pk):
    """Mark the visit's follow-up done, with what came of it."""
    visit = _visit(request, pk)
    form = FollowUpDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(visit)
    try:
        services.follow_up_done(visit=visit, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        _show_errors(request, None, error)
    else:
        messages.success(request, _("The follow-up is marked done."))
    return redirect(visit)


# --- a member's visits and help -----------------------------------------------------------------------------


def _render_member(request, member: Member, *, assistance_form=None, close_form=None, status=200):
    year = timezone.localdate().year
    visits = (
        HomeVisit.objects.filter(member=member)
        .select_related("organization", "recorded_by")
        .order_by("-visited_on", "-pk")
    )
    page = Paginator(visits, MEMBER_VISITS_PAGE_SIZE).get_page(request.GET.get("page"))
    records = list(HardshipRecord.objects.filter(member=member).select_related("opened_by", "closed_by"))
    current = next((r for r in records if r.is_current), None)
    history = selectors.help_history([member.pk]).get(member.pk, [])
    return render(
        request,
        "visits/member.html",
        {
            "member": member,
            "page": page,
            "current": current,
            "past": [r for r in records if not r.is_current],
            "history": history,
            "year": year,
            "year_total": selectors.help_total(history, year),
            "total": selectors.help_total(history),
            "assistance_form": assistance_form or AssistanceForm(),
            "close_form": (close_form or HardshipCloseForm()) if current else None,
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_GET
@role_required(*OFFICERS)
def member_visits(request, pk):
    """A member's visits, her hardship records and the help she received: for her secretary and the admin."""
    return _render_member(request, _member(request, pk, in_party=False))


@require_POST
@role_required(*OFFICERS)
def assistance_create(request, pk):
    """Record help the member received outside a visit."""
    member = _member(request, pk)
    if (first := submissions.first_result(request)) is not None:
        return first
    form = AssistanceForm(request.POST, instance=None)
    if form.is_valid():
        assistance = form.save(commit=False)
        assistance.member = member
        try:
            with submissions.once(request, form, label="visits.assistance") as submission:
                services.assistance_record(assistance=assistance, by=request.user)
                submission.result_url = reverse("visits:member", args=[member.pk])
        except submissions.AlreadySubmitted as done:
            if done.response is not None:
                return done.response
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(request, _("The help is recorded in the member's help history."))
            return redirect("visits:member", member.pk)
    return _render_member(request, member, assistance_form=form)


# --- the hardship register ----------------------------------------------------------------------------------


@require_GET
@role_required(*OFFICERS)
def hardship_list(request):
    """The members in hardship (or resolved, or all), branch by branch, each with the latest help and this year's
    amount; above, the members marked in hardship on the member register without a record here."""
    # Kept whole under the viewer's scope (``for_user`` of the records and the members looks at role, building and
    # organisation only), the query, the language and the day (the year), until a table it was read from changes.
    body = data_cache.page(
        request, "visits:hardship", "visits/_hardship_list_body.html", lambda: _hardship_list(request), by="scope"
    )
    return render(request, "visits/hardship_list.html", {"body": body})


def _hardship_list(request) -> dict:
    form = HardshipFilterForm(request.GET or None)
    records = form.filter(HardshipRecord.objects.for_user(request.user))
    # The page's records are chosen by pk alone, then read with their members: joining the members' wide rows
    # before ORDER BY … LIMIT made PostgreSQL read every member of the building in full.
    # One query for both: the page's pks as a subquery (ORDER BY … LIMIT over the narrow rows), its rows read
    # and put in the same order.
    order = ("member__organization__name", "member__name", "-since", "-pk")
    ordered = records.order_by(*order).values_list("pk", flat=True)
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(
        HardshipRecord.objects.select_related("member__organization")
        .only(*HARDSHIP_FIELDS)
        .filter(pk__in=page.object_list)
        .order_by(*order)
    )
    # One reverse for the page, not one a row: the links differ only in the member's id.
    member_url = url_maker("visits:member")
    for record in page.object_list:
        record.member.visits_url = member_url(record.member_id)
    year = timezone.localdate().year
    unrecorded = selectors.unrecorded_hardship(request.user)
    rows = selectors.register_rows(page.object_list, year)
    _row_html(rows)
    return {
        "form": form,
        "page": page,
        "rows": rows,
        "year": year,
        "unrecorded": list(unrecorded.only("name", "hardship_note", "organization__name")[: selectors.PICK_LIMIT]),
    }


def _row_html(rows) -> None:
    """Each register row's markup (``row.html``), written once in Python as the template wrote it: the member and
    her branch, the difficulty, the help cell (her latest lines, or none yet, and a link to all of them) and the
    year's amount. Twenty-five rows through the template, three help lines each with ``|truncatechars``, cost
    more than the rest of the page. Every value is escaped."""
    esc = conditional_escape
    # The texts outside the f-strings: makemessages (xgettext) does not look inside an f-string's fields.
    none_yet, resolved_label, all_lines = (
        _("No help recorded yet."),
        pgettext("hardship", "Resolved"),
        _("all %(n)s lines"),
    )
    empty = f'<span class="text-body-secondary">{esc(none_yet)}</span>'
    resolved = f' <span class="badge text-bg-success">{esc(resolved_label)}</span>'
    for row in rows:
        record = row.record
        member = record.member
        visits_url = esc(member.visits_url)
        lines = "".join(
            f"<div>{line.date.isoformat()} {esc(truncatechars(line.what, 40))}"
            f"{f' ¥{esc(localize(line.amount))}' if line.amount else ''} "
            f'<span class="text-body-secondary">· {esc(line.source)}</span></div>'
            for line in row.latest
        )
        more = ""
        if len(row.history) > selectors.HISTORY_SHOWN:
            more = f'<a href="{visits_url}">{esc(all_lines % {"n": len(row.history)})}</a>'
        until = f" – {record.resolved_on:%Y-%m-%d}" if record.resolved_on else ""
        row.html = mark_safe(  # noqa: S308 -- every value in it is escaped  # nosec B308 B703
            '\n  <tr data-testid="hardship-row">\n'
            f'    <td class="text-nowrap"><a href="{visits_url}">{esc(member.name)}</a>'
            f"{'' if record.is_current else resolved}</td>\n"
            f'    <td class="small">{esc(member.organization)}</td>\n'
            f"    <td><strong>{esc(record.get_kind_display())}</strong> "
            f'<span class="small text-body-secondary text-nowrap">{record.since:%Y-%m-%d}{until}</span>'
            f'<div class="small">{esc(record.description)}</div></td>\n'
            f'    <td class="small">{lines or empty}\n      {more}</td>\n'
            f'    <td class="text-end text-nowrap" data-testid="year-total">¥{esc(localize(row.year_total))}</td>\n'
            "  </tr>"
        )


@role_required(*OFFICERS)
@require_http_methods(["GET", "POST"])
def hardship_open(request):
    """Put a member on the register: first the member (a bounded search), then since when, the kind and what."""
    source = request.POST if request.method == "POST" else request.GET
    if not source.get("member"):
        pick = PickForm(request.GET or None)
        _whom, q = pick.choice()
        found = list(selectors.member_matches(request.user, q)[: selectors.PICK_LIMIT + 1])
        return render(
            request,
            "visits/hardship_pick.html",
            {
                "pick": pick,
                "q": q,
                "matches": found[: selectors.PICK_LIMIT],
                "more": len(found) > selectors.PICK_LIMIT,
                "limit": selectors.PICK_LIMIT,
            },
        )
    member = _member(request, _digits(source["member"]))
    form = HardshipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hardship_open(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(
                request, _("%(name)s is on the hardship register; the member register shows it.") % {"name": member}
            )
            return redirect("visits:member", member.pk)
    return render(request, "visits/hardship_form.html", {"form": form, "member": member})


@require_POST
@role_required(*OFFICERS)
def hardship_close(request, pk):
    """Close a current record as resolved."""
    record = get_object_or_404(
        HardshipRecord.objects.for_user(request.user).select_related("member__organization"), pk=pk
    )
    member = record.member
    form = HardshipCloseForm(request.POST)
    if form.is_valid():
        try:
            services.hardship_close(record=record, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, " ".join(error.messages))
                return redirect("visits:member", member.pk)
        else:
            messages.success(request, _("The hardship record is closed as resolved."))
            return redirect("visits:member", member.pk)
    return _render_member(request, member, close_form=form)


# --- counts -------------------------------------------------------------------------------------------------


@require_GET
@role_required(*COUNTERS)
def summary(request):
    """Per organisation: the year's visits by kind, follow-ups overdue, members in hardship, help given. Counts
    only: the street's view of the work."""
    # Kept whole under the viewer's scope (the three roles' reach is role, building and organisation), the query,
    # the language and the day (the overdue follow-ups), until a table it was read from changes.
    body = data_cache.page(
        request, "visits:summary", "visits/_summary_body.html", lambda: _summary(request), by="scope"
    )
    return render(request, "visits/summary.html", {"body": body})


def _summary(request) -> dict:
    form = SummaryForm(request.GET or None)
    year = form.chosen_year()
    rows = selectors.summary(request.user, year)
    page = Paginator(rows, SUMMARY_PAGE_SIZE).get_page(request.GET.get("page"))
    totals = {
        field: sum(getattr(row, field) for row in rows)
        for field in ("visits", "help", "mentor", "enquire", "overdue", "hardship", "amount")
    }
    return {
        "form": form,
        "year": year,
        "page": page,
        "totals": totals,
        "show_building": request.user.role == Role.STREET,
        "can_open": request.user.role in OFFICERS,
        "kinds": dict(HomeVisit.Kind.choices),
    }
