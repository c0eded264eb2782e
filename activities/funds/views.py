"""The party-building funding ledger: the year's entries with the running balance, the summary, the export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from buildingparty import data_cache, registers, submissions
from buildingparty.links import url_maker
from buildingparty.models import Role
from buildingparty.scope import role_required
from buildingparty.selectors import money_history

from . import selectors, services
from .forms import FundEntryForm, LedgerForm
from .models import FundEntry
from .register import NAME as FUNDS_REGISTER
from .templatetags.funds import yuan


def _ledger_scope(request):
    """The ledger a request is about: the form (year, and the building for street viewers), the building, its
    entries in the user's scope, and the year."""
    form = LedgerForm(request.GET, user=request.user)
    building = form.chosen_building()
    entries = FundEntry.objects.for_user(request.user)
    entries = entries.filter(building=building) if building is not None else entries.none()
    return form, building, entries, form.chosen_year()


def _chooser(form, building, year, years) -> dict:
    """What the year (and building) chooser shows."""
    return {
        "form": form,
        "building": building,
        "buildings": list(form.fields["building"].queryset) if "building" in form.fields else None,
        "year": year,
        "year_choices": sorted(set(years) | {year, timezone.localdate().year}, reverse=True),
    }


@role_required(Role.ADMIN, Role.SECRETARY, Role.STREET)
def fund_list(request):
    # The ledger is kept whole, as HTML, under the viewer's scope (``for_user``, the building chosen and the buttons
    # look at the role, building and branch alone), the query (year, page, building), the language and the day,
    # until a table it was read from changes: a new or edited entry shows on the next request, running balance and
    # all. The title's year comes from the same build.
    body, kept = data_cache.page_with(
        request, "funds:list", "funds/_list_body.html", lambda: _fund_list(request), keep=("year",), by="scope"
    )
    return render(request, "funds/list.html", {"body": body, **kept})


def _fund_list(request) -> dict:
    form, building, entries, year = _ledger_scope(request)
    role = request.user.role
    ledger = selectors.ledger(entries, year=year, page_number=request.GET.get("page"))
    _shown(ledger.rows)
    return {
        **_chooser(form, building, year, selectors.ledger_years(entries)),
        "ledger": ledger,
        "page": ledger.page,
        "can_edit": role == Role.ADMIN,
        "can_export": role in (Role.ADMIN, Role.SECRETARY),
    }


def _shown(rows) -> None:
    """What the ledger shows of each entry twice (phone cards and table), worked out once a row: its links, labels
    and amounts (one reverse for the page, not four a row)."""
    history, edit = url_maker("funds:history"), url_maker("funds:edit")
    directions = {value: str(label) for value, label in FundEntry.Direction.choices}
    sources = {value: str(label) for value, label in FundEntry.Source.choices}
    purposes = {value: str(label) for value, label in FundEntry.Purpose.choices}
    for row in rows:
        entry = row.entry
        entry.history_url = history(entry.pk)
        entry.edit_url = edit(entry.pk)
        entry.direction_label = directions.get(entry.direction, entry.direction)
        if entry.direction == FundEntry.Direction.INCOME:
            entry.kind_label = sources.get(entry.source, entry.source)
        else:
            entry.kind_label = purposes.get(entry.purpose, entry.purpose)
        entry.amount_yuan = yuan(entry.amount)
        entry.balance_yuan = yuan(row.balance)


def _fund_form(request, form, *, entry=None):
    if request.method == "POST" and form.is_valid():
        entry = services.fund_entry_save(entry=form.save(commit=False), by=request.user, request=request)
        messages.success(request, _("The ledger entry is saved."))
        return redirect(entry)
    history = money_history(entry) if entry is not None else None
    return render(request, "funds/form.html", {"form": form, "entry": entry, "history": history})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def fund_create(request):
    """A new ledger line, written once however often its form is sent (``buildingparty.submissions``)."""
    if (first := submissions.first_result(request)) is not None:
        return first
    form = FundEntryForm(request.POST or None, building=request.user.building)
    if request.method == "POST" and form.is_valid():
        try:
            with submissions.once(request, form, label="funds.entry") as submission:
                entry = services.fund_entry_save(entry=form.save(commit=False), by=request.user, request=request)
                submission.result_url = entry.get_absolute_url()
        except submissions.AlreadySubmitted as done:
            if done.response is not None:
                return done.response
        else:
            messages.success(request, _("The ledger entry is saved."))
            return redirect(entry)
    return render(request, "funds/form.html", {"form": form, "entry": None})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def fund_edit(request, pk):
    entry = get_object_or_404(FundEntry.objects.for_user(request.user), pk=pk)
    form = FundEntryForm(request.POST or None, instance=entry, building=entry.building)
    return _fund_form(request, form, entry=entry)


@role_required(Role.ADMIN, Role.SECRETARY, Role.STREET)
@require_GET
def fund_history(request, pk):
    """One ledger entry and every recorded change of it, for whoever reads the ledger."""
    entry = get_object_or_404(FundEntry.objects.for_user(request.user).select_related("enterprise", "building"), pk=pk)
    return render(
        request,
        "funds/history.html",
        {"entry": entry, "history": money_history(entry), "can_edit": request.user.role == Role.ADMIN},
    )


@role_required(Role.ADMIN, Role.SECRETARY, Role.STREET)
def fund_summary(request):
    """One year by source and by purpose, and every year's income against expense (chart and table)."""
    form, building, entries, year = _ledger_scope(request)
    summary = selectors.year_summary(entries, year=year)
    years = selectors.yearly_totals(entries)
    chart = {
        "labels": [str(y.year) for y in years],
        "income": [str(y.income) for y in years],
        "expense": [str(y.expense) for y in years],
        "incomeLabel": _("Income"),
        "expenseLabel": _("Expense"),
    }
    return render(
        request,
        "funds/summary.html",
        {
            **_chooser(form, building, year, [y.year for y in years]),
            "summary": summary,
            "years": years,
            "chart": chart,
        },
    )


@role_required(Role.ADMIN, Role.SECRETARY)
@require_GET
def fund_export(request):
    """The funding register of one year as xlsx or CSV; always recorded."""
    user = request.user
    fmt = request.GET.get("format", "xlsx")
    if fmt not in registers.FORMATS:
        return HttpResponseBadRequest(_("Unknown format."))
    register = registers.get(FUNDS_REGISTER, user=user)
    if not register.may_export(user):
        raise PermissionDenied
    year = LedgerForm(request.GET, user=user).chosen_year()
    start, end = selectors.year_bounds(year)
    entries = register.objects(user).filter(date__gte=start, date__lt=end)
    registers.record_export(
        register, actor=user, fmt=fmt, row_count=entries.count(), filters={"year": year}, request=request
    )
    response = registers.export_response(register, entries, fmt)
    response["Content-Disposition"] = registers.content_disposition(
        f"{register.title}-{year}.{fmt}", f"{register.name}-{year}.{fmt}"
    )
    return response
