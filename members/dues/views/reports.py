"""Dues standards and reports: the standards of a year, one member's standard, the member's own declaration,
the yearly round; the ledger (党费交纳台账) and its export, collection by branch and month, the yearly
publication report.

Secretaries work on their branch, admins on their building, street viewers read everything and change nothing,
members see only their own declaration. Each view: check the role (403), fetch through ``for_user`` (404 out
of scope), check the write permission (403), then call a service from ``members.dues.services``.
"""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buildingparty import data_cache, registers
from buildingparty.links import ROW, url_maker
from buildingparty.models import Role
from buildingparty.redirects import safe_next
from buildingparty.scope import organization_ids, role_required
from members import access
from members.dues.forms import (
    DeclareForm,
    LedgerFilterForm,
    OverrideForm,
    RoundForm,
    StandardFilterForm,
    StandardForm,
    YearForm,
    add_errors,
    year_choices,
)
from members.dues.models import DuesStandard
from members.dues.register import NAME as DUES_REGISTER
from members.dues.selectors import (
    annual_report,
    attach_standards,
    branches_for,
    collection,
    ledger,
    ledger_filter,
    paying_in_year,
    report_bills,
    standard_counts,
)
from members.models import Member

from .. import services
from .bills import _page_bills

PAGE_SIZE = 50
CONFIRMED, DECLARED = DuesStandard.Status.CONFIRMED, DuesStandard.Status.DECLARED
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)


def _standard_url(member_pk: int, year: int) -> str:
    return reverse("dues:standard", args=[member_pk, year])


def _service_error(request, form, error: ValidationError):
    """A service's field errors go next to their fields; an error about the step itself is a message."""
    if hasattr(error, "error_dict"):
        add_errors(form, error)
    else:
        messages.error(request, " ".join(error.messages))


# --- the standards of a year --------------------------------------------------------------------------------


def _standard_rows(members: list, year: int, *, request, can_manage: bool) -> None:
    """Each row of the standards page (``row_html``) drawn once here rather than by the template a cell at a
    time: the member with the link to their standard (and the month they pay from, when they joined during the
    year), the branch, the standard's terms or what carries over, the status badge, and for a manager the
    confirm and edit buttons. Each cell carries its column's name (``data-label``) for the phone's cards."""
    standard_url, confirm_url = url_maker("dues:standard", ROW, year), url_maker("dues:standard_confirm")
    badges = {
        None: format_html('<span class="badge text-bg-danger" data-status="missing">{}</span>', _("No standard")),
        CONFIRMED: format_html('<span class="badge text-bg-success" data-status="confirmed">{}</span>', _("Confirmed")),
        DECLARED: format_html(
            '<span class="badge text-bg-warning" data-status="declared">{}</span>', _("Awaiting confirmation")
        ),
    }
    by_rule = _("Amount by the rule")
    L = {  # noqa: N806 - the column names and the buttons, escaped once
        key: escape(label)
        for key, label in {
            "branch": _("Branch"),
            "kind": _("Kind"),
            "base": _("Monthly base (yuan)"),
            "amount": _("Monthly amount (yuan)"),
            "agreed": _("Agreed amount"),
            "payer": _("Who pays"),
            "status": _("Status"),
            "behalf": _("On their behalf"),
            "themself": _("The member themself"),
            "confirm": _("Confirm"),
            "edit": _("Edit"),
            "set": _("Set"),
            "none": _("No confirmed standard: this member is not billed."),
        }.items()
    }
    confirm_form = ""
    if can_manage:
        # What {% csrf_token %} and the ``next`` field write, the same in every row (the token as a placeholder,
        # filled with each request's own by ``data_cache.page``).
        confirm_form = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{data_cache.CSRF_PLACEHOLDER}">'
            f'<input type="hidden" name="next" value="{escape(request.get_full_path())}">'
        )
    for member in members:
        s = member.standard
        member.standard_url = url = standard_url(member.pk)
        member.status_html = badges[s.status if s else None]
        name = escape(member.name)
        pays_from = ""
        if member.starts and member.starts.month != 1 and member.starts.year == year:
            pays_from = '<div class="small text-body-secondary">{}</div>'.format(
                escape(_("pays from %(month)s") % {"month": f"{member.starts:%Y-%m}"})
            )
        if s is None:
            member.amount_html = "—"
            if member.carried:
                carried = _("Carried over from %(y)s: %(amount)s a month") % {
                    "y": localize(member.carried.year),
                    "amount": localize(member.carried.amount),
                }
                terms = f'\n    <td colspan="5" class="small">{escape(carried)}</td>'
            else:
                terms = f'\n    <td colspan="5" class="small">{L["none"]}</td>'
        else:
            if s.override_amount is not None:
                member.amount_html = format_html(
                    '<span class="fw-semibold">{}</span> <span class="text-body-secondary '
                    'text-decoration-line-through small" title="{}">{}</span>',
                    localize(s.override_amount),
                    by_rule,
                    localize(s.computed_amount),
                )
                agreed = format_html(
                    '{}<div class="text-body-secondary">{}</div>', s.override_reason, s.override_approved_by
                )
            else:
                member.amount_html = localize(s.computed_amount)
                agreed = "—"
            payer = f"{L['behalf']}：{escape(s.payer_name)}" if s.payer == "other" else L["themself"]
            base = "—" if s.declared_base is None else escape(localize(s.declared_base))
            terms = (
                f'\n    <td data-label="{L["kind"]}">{escape(s.get_kind_display())}</td>'
                f'\n    <td class="text-md-end" data-label="{L["base"]}">{base}</td>'
                f'\n    <td class="text-md-end text-nowrap" data-label="{L["amount"]}">'
                f"{conditional_escape(member.amount_html)}</td>"
                f'\n    <td class="small" data-label="{L["agreed"]}">{agreed}</td>'
                f'\n    <td class="small" data-label="{L["payer"]}">{payer}</td>'
            )
        actions = ""
        if can_manage:
            if s is not None and s.status == DECLARED:
                actions = (
                    f'<form method="post" action="{confirm_url(s.pk)}" class="d-inline">'
                    f'{confirm_form}<button class="btn btn-sm btn-success" type="submit" data-testid="confirm-{s.pk}">'
                    f"{L['confirm']}</button></form>"
                )
            actions += f'<a class="btn btn-sm btn-outline-secondary" href="{url}">{L["edit" if s else "set"]}</a>'
        row_class = "" if s else ' class="table-warning"'
        member.row_html = mark_safe(  # noqa: S308 -- every value is escaped here  # nosec B308 B703
            f'<tr{row_class} data-member="{name}">'
            f'\n    <td class="text-nowrap"><a href="{url}">{name}</a>{pays_from}</td>'
            f'\n    <td data-label="{L["branch"]}">{escape(member.organization)}</td>'
            f"{terms}"
            f'\n    <td class="text-nowrap" data-label="{L["status"]}">{member.status_html}</td>'
            f'\n    <td class="text-nowrap text-md-end">{actions}</td>\n  </tr>'
        )


@role_required(*READERS)
def standard_list(request):
    """Every paying member of the year with their standard; those without one stand out."""
    user = request.user
    if request.GET.get("branch"):
        _branches(request)  # another branch's standards are not found
    form = StandardFilterForm(request.GET or None, user=user)
    year = form.chosen_year()
    # Kept whole under the viewer's scope (``for_user`` and the buttons look at role, building and organisation
    # only), the query, the language and the day, until a table it read changes; the confirm buttons get each
    # request's CSRF token.
    body = data_cache.page(
        request,
        "dues:standards",
        "dues/reports/_standard_list_body.html",
        lambda: _standard_list(request, form, year),
        by="scope",
    )
    return render(request, "dues/reports/standard_list.html", {"body": body, "year": year})


def _standard_list(request, form, year: int) -> dict:
    user = request.user
    paying = paying_in_year(Member.objects.for_user(user), year)
    counts = standard_counts(paying, year)
    members = form.filter(paying, year)
    ordered = (
        # The columns a row shows (name, branch, the month they pay from): PostgreSQL sorts narrow rows.
        members.select_related("organization")
        .only("name", "joined_on", "organization", "organization__name")
        .order_by("organization__name", "name", "pk")
    )
    paginator = Paginator(ordered, PAGE_SIZE)
    narrowed = form.narrows()
    if not narrowed:
        paginator.count = counts["total"]  # every paying member: counted already, no COUNT query
    page = paginator.get_page(request.GET.get("page"))
    if not narrowed:
        # Every paying member: the counts by branch tell which branches the page falls in; only their members
        # are sorted.
        bottom = (page.number - 1) * PAGE_SIZE
        page.object_list = _page_bills(ordered, counts["branches"], bottom, bottom + PAGE_SIZE)
    page.object_list = attach_standards(list(page.object_list), year)
    _standard_rows(page.object_list, year, request=request, can_manage=user.role in access.MANAGERS)
    return {
        "form": form,
        "page": page,
        "year": year,
        "years": year_choices(year),
        "counts": counts,
        "can_manage": user.role in access.MANAGERS,
        "can_open_round": user.role in access.MANAGERS and year >= timezone.localdate().year,
    }


def _member_standard(request, member: Member, year: int, *, form=None, override_form=None):
    """One member's standard page. Its content is kept whole on a GET, under the viewer (whether they may change
    it depends on the account), the address, the language and the day, until a table it read changes; a form
    sent back with its errors is rendered each time. Its forms get each request's CSRF token."""
    manage = access.can_edit(request.user, member)
    body = data_cache.page(
        request,
        "dues:standard",
        "dues/reports/_standard_detail_body.html",
        lambda: _member_standard_context(member, year, manage, form=form, override_form=override_form),
        by="user",
    )
    return render(
        request,
        "dues/reports/standard_detail.html",
        {"body": body, "member": member, "year": year, "can_manage": manage},
    )


def _member_standard_context(member: Member, year: int, manage: bool, *, form=None, override_form=None) -> dict:
    attach_standards([member], year)
    standard = member.standard
    context = {
        "member": member,
        "year": year,
        "standard": standard,
        "can_manage": manage,
        "starts": member.starts,
        "years": year_choices(year),
    }
    if manage:
        context["form"] = form or StandardForm(
            initial=StandardForm.initial_for(standard or member.carried), member=member, year=year, with_note=True
        )
        if standard is not None:
            context["override_form"] = override_form or OverrideForm(
                standard=standard,
                initial={
                    "amount": standard.override_amount,
                    "reason": standard.override_reason,
                    "approved_by": standard.override_approved_by,
                },
            )
    return context


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def standard_detail(request, member_pk, year):
    """One member's standard for a year. The secretary sets it here (or confirms a declaration with or
    without corrections: the form starts with what the member declared)."""
    member = get_object_or_404(
        Member.objects.for_user(request.user).select_related("organization", "user"), pk=member_pk
    )
    if not 2000 <= year <= 2100:
        return HttpResponseBadRequest(_("Choose a year between 2000 and 2100."))
    if request.method != "POST":
        return _member_standard(request, member, year)
    if not access.can_edit(request.user, member):
        raise PermissionDenied
    form = StandardForm(request.POST, member=member, year=year, with_note=True)
    if form.is_valid():
        existing = DuesStandard.objects.filter(member=member, year=year).first()
        try:
            if existing is not None and not existing.is_confirmed:
                services.confirm_standard(
                    standard=existing, by=request.user, note=form.cleaned_data["note"], **form.terms()
                )
            else:
                services.set_standard(
                    member=member, year=year, by=request.user, note=form.cleaned_data["note"], **form.terms()
                )
        except ValidationError as error:
            _service_error(request, form, error)
        else:
            messages.success(
                request, _("%(name)s's %(year)s standard is confirmed.") % {"name": member.name, "year": year}
            )
            return redirect(_standard_url(member.pk, year))
    return _member_standard(request, member, year, form=form)


def _managed_standard(request, pk) -> DuesStandard:
    standard = get_object_or_404(
        DuesStandard.objects.for_user(request.user).select_related("member__organization", "member__user"), pk=pk
    )
    if not access.can_edit(request.user, standard.member):
        raise PermissionDenied
    return standard


@require_POST
@role_required(*access.MANAGERS)
def standard_confirm(request, pk):
    """Confirm a declaration as it stands (the list's one-click button)."""
    standard = _managed_standard(request, pk)
    try:
        services.confirm_standard(standard=standard, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s's %(year)s standard is confirmed.") % {"name": standard.member.name, "year": standard.year},
        )
    return redirect(safe_next(request, _standard_url(standard.member_id, standard.year)))


@require_POST
@role_required(*access.MANAGERS)
def standard_override(request, pk):
    """Record an agreed amount (hardship reduction, exemption, a rural amount), or withdraw it."""
    standard = _managed_standard(request, pk)
    member = standard.member
    if request.POST.get("withdraw"):
        services.override_standard(standard=standard, amount=None, by=request.user)
        messages.success(request, _("The agreed amount is withdrawn; the amount by the rule applies."))
        return redirect(_standard_url(member.pk, standard.year))
    form = OverrideForm(request.POST, standard=standard)
    if form.is_valid():
        try:
            services.override_standard(standard=standard, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _service_error(request, form, error)
        else:
            messages.success(request, _("The agreed amount is recorded."))
            return redirect(_standard_url(member.pk, standard.year))
    return _member_standard(request, member, standard.year, override_form=form)


@require_POST
@role_required(*access.MANAGERS)
def declaration_round(request):
    """Ask the members in the user's scope to declare their base for the year (each once a year)."""
    user = request.user
    form = RoundForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a year between 2000 and 2100."))
    year = form.cleaned_data["year"]
    scope = {"organization_ids": organization_ids(user)} if user.role == Role.SECRETARY else {"building": user.building}
    try:
        counts = services.open_declaration_round(year=year, by=user, **scope)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "The %(year)s declaration round is open: %(notified)s members were asked to declare; %(already)s "
                "have a standard already; %(without)s have no account (set their standard here)."
            )
            % {
                "year": year,
                "notified": counts["notified"],
                "already": counts["already"],
                "without": counts["without_account"],
            },
        )
    return redirect(reverse("dues:standards") + f"?year={year}")


# --- the member's own declaration ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def declare(request):
    """A member declares their kind and base; they see their own standards and nobody else's."""
    member = Member.objects.filter(user=request.user).select_related("organization").first()
    if member is None:
        raise PermissionDenied
    this_year = timezone.localdate().year
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    if not this_year <= year <= this_year + services.DECLARE_AHEAD_YEARS:
        year = this_year
    standards = list(member.dues_standards.select_related("confirmed_by").order_by("-year"))
    current = next((s for s in standards if s.year == year), None)
    form = DeclareForm(
        request.POST or None, member=member, year=year, initial=DeclareForm.initial_for(current) | {"year": year}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_standard(member=member, year=form.cleaned_data["year"], by=request.user, **form.terms())
        except ValidationError as error:
            _service_error(request, form, error)
        else:
            messages.success(
                request,
                _("Your %(year)s declaration is sent. Your branch secretary will confirm it.")
                % {"year": form.cleaned_data["year"]},
            )
            return redirect(reverse("dues:declare") + f"?year={form.cleaned_data['year']}")
    return render(
        request,
        "dues/reports/declare.html",
        {
            "member": member,
            "form": form,
            "year": year,
            "current": current,
            "standards": standards,
            "starts": services.applies_from(member, year),
            "locked": current is not None and current.is_confirmed,
            "declare_years": range(this_year, this_year + services.DECLARE_AHEAD_YEARS + 1),
        },
    )


# --- reports ------------------------------------------------------------------------------------------------


def _branches(request) -> tuple[list, object]:
    """The branches the user may report on, and the one asked for (None when none is). Another branch's, or
    another building's, is not found."""
    branches = list(branches_for(request.user))
    value = request.GET.get("branch")
    if not value:
        return branches, None
    branch = next((b for b in branches if str(b.pk) == value), None)
    if branch is None:
        raise Http404
    return branches, branch


def _report_context(year: int, branches: list, branch) -> dict:
    return {"year": year, "years": year_choices(year), "branches": branches, "branch": branch}


def _ledger_rows(result, *, month) -> None:
    """Each ledger row's cells (``row_html``), drawn once here rather than by the template a cell at a time: the
    member, the month (for a whole year), due, paid, the day paid, the methods, receipts and payers joined, the
    state badge (``dues/reports/_state.html``) and the branch decisions. Each cell carries its column's name
    (``data-label``) for the phone's cards."""
    badges = {
        "paid": format_html('<span class="badge text-bg-success" data-state="paid">{}</span>', _("Paid")),
        "partial": format_html('<span class="badge text-bg-warning" data-state="partial">{}</span>', _("Partly paid")),
        "unpaid": format_html('<span class="badge text-bg-danger" data-state="unpaid">{}</span>', _("Unpaid")),
    }
    excused = _("Excused")
    L = {  # noqa: N806 - the column names, escaped once
        key: escape(label)
        for key, label in {
            "name": pgettext("person", "Name"),
            "month": _("Month"),
            "due": _("Due (yuan)"),
            "paid": _("Paid (yuan)"),
            "paid_on": _("Paid on"),
            "method": _("Method"),
            "receipt": _("Receipt number"),
            "payer": _("Paid on their behalf by"),
            "state": _("State"),
            "decision": _("Branch decision"),
        }.items()
    }
    method_text = {}  # the methods of a bill, joined, by their codes: most rows repeat a few

    @functools.cache
    def amount_text(amount):  # localized once an amount: most rows repeat a few
        return escape(localize(amount))

    month_label = f'data-label="{L["month"]}"'
    decision_open = f'<div class="small text-body-secondary" data-testid="ledger-decision">{L["decision"]}：'
    for section in result.sections:
        for bill in section.rows:
            state, details = bill.state, bill.details
            if state == "excused":
                state_html = format_html(
                    '<span class="badge text-bg-secondary" data-state="excused" title="{}">{}</span>',
                    bill.excused_reason,
                    excused,
                )
            else:
                state_html = badges[state]
            name = escape(bill.member.name)
            paid_on = f"{details.paid_on:%Y-%m-%d}" if details.paid_on else "—"
            methods = method_text.get(tuple(details.methods))
            if methods is None:
                methods = method_text[tuple(details.methods)] = escape("、".join(details.method_labels) or "—")
            receipts = escape("、".join(details.receipts) or "—")
            payers = escape("、".join(details.payers) or "—")
            month_cell = "" if month else f'\n      <td class="text-nowrap" {month_label}>{bill.month:%Y-%m}</td>'
            decisions = "".join(f"{decision_open}{escape(d)}</div>" for d in details.decisions)
            bill.row_html = mark_safe(  # noqa: S308 -- every value is escaped above  # nosec B308 B703
                f'<tr data-member="{name}">\n      <td class="text-nowrap" data-label="{L["name"]}">{name}</td>'
                f"{month_cell}"
                f'\n      <td class="text-md-end" data-label="{L["due"]}">{amount_text(bill.amount)}</td>'
                f'\n      <td class="text-md-end" data-label="{L["paid"]}">{amount_text(bill.paid_amount)}</td>'
                f'\n      <td class="text-nowrap" data-label="{L["paid_on"]}">{paid_on}</td>'
                f'\n      <td class="small" data-label="{L["method"]}">{methods}</td>'
                f'\n      <td class="small font-monospace" data-label="{L["receipt"]}">{receipts}</td>'
                f'\n      <td class="small" data-label="{L["payer"]}">{payers}</td>'
                f'\n      <td data-label="{L["state"]}">{state_html}{decisions}</td>\n    </tr>'
            )


@role_required(*READERS)
@require_GET
def ledger_page(request):
    """党费交纳台账: each member's bill of the month (or the year) by branch, with what was paid."""
    # A branch asked for is looked up first (another branch's is not found, cache or not); without one the branches
    # are read only when the content is computed.
    chosen = _branches(request) if request.GET.get("branch") else None
    form = LedgerFilterForm(request.GET or None)
    year, month = form.chosen_year(), form.chosen_month()
    # Kept whole under the viewer's scope (``report_bills``, the branches and the export button look at role,
    # building and organisation only), the query, the language and the day, until a table it read changes.
    body = data_cache.page(
        request,
        "dues:ledger",
        "dues/reports/_ledger_body.html",
        lambda: _ledger_page(request, chosen or _branches(request), form, year, month),
        by="scope",
    )
    return render(request, "dues/reports/ledger.html", {"body": body, "year": year, "month": month})


def _ledger_page(request, chosen: tuple, form, year: int, month: int | None) -> dict:
    branches, branch = chosen
    bills = ledger_filter(report_bills(request.user), year=year, month=month, branch=branch)
    result = ledger(bills, page_number=request.GET.get("page"))
    _ledger_rows(result, month=month)
    query = {"year": year, "month": month or "", **({"branch": branch.pk} if branch else {})}
    return {
        **_report_context(year, branches, branch),
        "form": form,
        "month": month,
        "ledger": result,
        "page": result.page,
        "query": urlencode(query),
        "can_export": registers.get(DUES_REGISTER, user=request.user).may_export(request.user),
        "is_street": request.user.role == Role.STREET,
    }


@role_required(*READERS)
@require_GET
def ledger_export(request):
    """The ledger as the page shows it (year, month, branch) as xlsx or CSV; always recorded."""
    user = request.user
    fmt = request.GET.get("format", "xlsx")
    if fmt not in registers.FORMATS:
        return HttpResponseBadRequest(_("Unknown format."))
    register = registers.get(DUES_REGISTER, user=user)
    if not register.may_export(user):
        raise PermissionDenied
    branch = _branches(request)[1]
    form = LedgerFilterForm(request.GET)
    year, month = form.chosen_year(), form.chosen_month()
    bills = ledger_filter(register.objects(user), year=year, month=month, branch=branch)
    registers.record_export(
        register, actor=user, fmt=fmt, row_count=bills.count(), filters=form.filters(branch), request=request
    )
    response = registers.export_response(register, bills, fmt)
    span = f"{year}-{month:02d}" if month else str(year)
    suffix = f"-{branch.name}" if branch else ""
    response["Content-Disposition"] = registers.content_disposition(
        f"{register.title}-{span}{suffix}.{fmt}", f"{register.name}-{span}.{fmt}"
    )
    return response


@role_required(*READERS)
@require_GET
def collection_page(request):
    """Due against collected, by branch and month over a year: a chart and the same numbers in tables."""
    branches, branch = _branches(request)
    year = YearForm(request.GET or None).chosen_year()
    result = collection(report_bills(request.user), year=year, branch=branch)
    return render(
        request,
        "dues/reports/collection.html",
        {**_report_context(year, branches, branch), "collection": result, "chart": result.chart()},
    )


@role_required(*READERS)
@require_GET
def annual_report_page(request):
    """The yearly publication report of one branch, on one A4 page to print and put up."""
    branches, branch = _branches(request)
    year = YearForm(request.GET or None).chosen_year()
    branch = branch or (branches[0] if branches else None)
    if branch is None:
        context = {**_report_context(year, branches, None), "report": None}
        return render(request, "dues/reports/annual.html", context)
    report = annual_report(report_bills(request.user), branch=branch, year=year)
    return render(
        request,
        "dues/reports/annual.html",
        {
            **_report_context(year, branches, branch),
            "report": report,
            "prepared_by": request.user.display_name,
            "prepared_on": timezone.localdate(),
        },
    )
