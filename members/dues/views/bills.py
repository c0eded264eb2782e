"""Party dues pages: a branch's month, one member's dues, recording a payment, excusing a month, arrears.

Secretaries see their branch, admins their building, street viewers everything read-only, members only their
own dues (``my_dues``). Each view: check the role (403), fetch through ``for_user`` (404 out of scope), check
the write permission (403), then call a service from ``members.dues.services``.
"""

import datetime
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, F, Prefetch, Q, Sum
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buildingparty import data_cache, jobs, submissions
from buildingparty.forms import add_service_errors
from buildingparty.links import url_maker
from buildingparty.models import Role
from buildingparty.money import money
from buildingparty.scope import role_required
from members import access
from members.access import can_edit, is_own_record
from members.dues.forms import (
    ArrearsFilterForm,
    ExcuseForm,
    MonthFilterForm,
    PaymentForm,
    bill_state,
    filter_state,
    state_conditions,
)
from members.dues.models import DuesAllocation, DuesBill, DuesPayment, first_of_month, month_end, month_label
from members.dues.selectors import (
    Owed,
    arrears_map,
    members_in_arrears,
    members_without_standard,
    owed_for_months,
    paid_up_to_map,
    paying_by,
    standards_in_force,
)
from members.models import Member, active_q, add_months, in_party_q

from .. import services

PAGE_SIZE = 50
# What a row of the month page shows: the bill, the member's name, the branch's name, who excused it.
MONTH_ROW_FIELDS = (
    "member_id",
    "organization_id",
    "month",
    "amount",
    "paid_amount",
    "paid_on",
    "excused_reason",
    "excused_by",
    "excused_at",
    "member__name",
    "organization__name",
    "excused_by__name",
    "excused_by__username",
)
MEMBER_BILLS = 24
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)


def _members_of(members, organization):
    """Members of a branch or group, including the groups below a branch."""
    if organization is None:
        return members
    return members.filter(Q(organization=organization) | Q(organization__parent=organization))


def _bills_of(bills, organization):
    if organization is None:
        return bills
    return bills.filter(Q(organization=organization) | Q(member__organization=organization))


def _with_state(bills):
    for bill in bills:
        bill.state_colour, bill.state_label = bill_state(bill)
    return bills


def state_badge(bill) -> str:
    """A bill's state badge (``state_colour``/``state_label``), drawn once in the view for its row."""
    badge = format_html(
        '<span class="badge text-bg-{}" data-state="{}">{}</span>', bill.state_colour, bill.state, bill.state_label
    )
    if bill.state != "excused":
        return badge
    by = ""
    if bill.excused_by:
        by = format_html(
            " · {} {}",
            bill.excused_by.name or bill.excused_by.username,
            date_filter(template_localtime(bill.excused_at), "Y-m-d"),
        )
    return format_html('{} <small class="text-body-secondary">{}{}</small>', badge, bill.excused_reason, by)


def _month_rows(page, month: datetime.date, can_record: bool):
    """Each bill of the month page with its links and its state badge, and its row (``row_html``) drawn once
    here rather than by the template a cell at a time. Each cell carries its column's name (``data-label``) for
    the phone's cards."""
    member_url, pay_url = url_maker("dues:member"), url_maker("dues:record_payment")
    query = f"?month={month:%Y-%m}"
    L = {  # noqa: N806 - the column names, escaped once
        key: escape(label)
        for key, label in {
            "member": _("Member"),
            "branch": _("Branch"),
            "due": _("Due (yuan)"),
            "paid": _("Paid (yuan)"),
            "paid_on": _("Paid in full on"),
            "state": _("State"),
            "record": _("Record payment"),
        }.items()
    }

    @functools.cache
    def amount_text(amount):  # localized once an amount: most rows repeat a few
        return escape(localize(amount))

    for bill in _with_state(page):
        bill.member_url = member_url(bill.member_id)
        bill.pay_url = pay_url(bill.member_id) + query if can_record and not bill.is_paid else ""
        bill.state_html = state_badge(bill)
        pay = (
            f'<a class="btn btn-sm btn-outline-primary" href="{escape(bill.pay_url)}" '
            f'data-testid="record-payment-{bill.member_id}">{L["record"]}</a>'
            if bill.pay_url
            else ""
        )
        paid_on = f"{bill.paid_on:%Y-%m-%d}" if bill.paid_on else "—"
        bill.row_html = mark_safe(  # noqa: S308 -- every value is escaped here  # nosec B308 B703
            f'<tr>\n    <td class="text-nowrap" data-label="{L["member"]}"><a href="{escape(bill.member_url)}">'
            f"{escape(bill.member.name)}</a></td>"
            f'\n    <td data-label="{L["branch"]}">{escape(bill.organization.name)}</td>'
            f'\n    <td class="text-md-end" data-label="{L["due"]}">{amount_text(bill.amount)}</td>'
            f'\n    <td class="text-md-end" data-label="{L["paid"]}">{amount_text(bill.paid_amount)}</td>'
            f'\n    <td class="text-nowrap" data-label="{L["paid_on"]}">{paid_on}</td>'
            f'\n    <td data-label="{L["state"]}">{conditional_escape(bill.state_html)}</td>'
            f'\n    <td class="text-md-end">{pay}</td>\n  </tr>'
        )


def _collection(bills, state: str = "") -> dict:
    """Totals of a month's bills: how many, due, paid, paid in full, and the rate (None without dues); with a
    state, ``shown`` is how many bills are in it (the page's count, so the paginator asks no COUNT).
    ``branches`` lists, in the page's order (by branch name), each branch name's organisation ids and how many
    of its bills are shown, so the page sorts only the bills of its own branches. One GROUP BY query."""
    condition = state_conditions().get(state)
    rows = (
        bills.order_by("organization__name", "organization_id")
        .values("organization_id", "organization__name")
        .annotate(
            count=Count("pk"),
            due=Sum("amount"),
            paid=Sum("paid_amount"),
            settled=Count("pk", filter=Q(paid_amount__gte=F("amount"))),
            **({"shown": Count("pk", filter=condition)} if condition is not None else {}),
        )
    )
    totals = {"count": 0, "due": None, "paid": None, "settled": 0, "shown": 0}
    branches = []  # [name, [organisation ids], bills shown]
    for row in rows:
        totals["count"] += row["count"]
        totals["settled"] += row["settled"]
        for key in ("due", "paid"):
            if row[key] is not None:
                totals[key] = (totals[key] or 0) + row[key]
        shown = row.get("shown", row["count"])
        totals["shown"] += shown
        if branches and branches[-1][0] == row["organization__name"]:
            branches[-1][1].append(row["organization_id"])
            branches[-1][2] += shown
        else:
            branches.append([row["organization__name"], [row["organization_id"]], shown])
    for key in ("due", "paid"):
        totals[key] = money(totals[key])
    totals["rate"] = round(100 * totals["paid"] / totals["due"], 1) if totals["due"] else None
    totals["branches"] = branches
    return totals


def _page_bills(shown, branches: list, bottom: int, top: int) -> list:
    """The bills ``bottom``–``top`` of ``shown`` in the page's order (branch name, member name), sorting only
    the bills of the branches that page covers (``branches`` from ``_collection``), not the month's. The
    standards page pages its members the same way (``branches`` from ``selectors.standard_counts``)."""
    position, start, ids = 0, 0, []
    for _name, organization_ids, count in branches:
        if position >= top:
            break
        if position + count > bottom:
            if not ids:
                start = position  # the bills of the branches before it are skipped
            ids.extend(organization_ids)
        position += count
    if not ids:
        return []
    return list(shown.filter(organization_id__in=ids)[bottom - start : top - start])


# --- a branch's month ---------------------------------------------------------------------------------------


@role_required(*READERS)
def dues_month(request):
    """The bills of one month with their state, the totals, and who is missing a standard or a bill."""
    data = request.GET.copy()
    data.setdefault("month", f"{timezone.localdate():%Y-%m}")
    form = MonthFilterForm(data, user=request.user)
    valid = form.is_valid()  # no query unless a branch is asked for (then the same one the page ran anyway)
    month = (form.cleaned_data.get("month") if valid else None) or first_of_month(timezone.localdate())
    # The content is kept whole, as HTML, under the viewer's scope (``for_user`` and the buttons look at role,
    # building and organisation only), the query, the language and the day, until a table it read changes.
    body = data_cache.page(
        request, "dues:month", "dues/_month_body.html", lambda: _dues_month(request, form, valid, month), by="scope"
    )
    return render(request, "dues/month.html", {"body": body, "month_label": month_label(month)})


def _dues_month(request, form, valid: bool, month: datetime.date) -> dict:
    organization = form.cleaned_data.get("organization") if valid else None
    state = form.cleaned_data.get("state") if valid else ""
    bills = _bills_of(DuesBill.objects.for_user(request.user).filter(month=month), organization)
    totals = _collection(bills, state)
    shown = (
        filter_state(bills, state)
        .select_related("member", "organization", "excused_by")
        .only(*MONTH_ROW_FIELDS)
        .order_by("organization__name", "member__name", "pk")
    )
    paginator = Paginator(shown, PAGE_SIZE)
    paginator.count = totals["shown"]  # known from the totals: no COUNT query
    page = paginator.get_page(request.GET.get("page"))
    bottom = (page.number - 1) * PAGE_SIZE
    page.object_list = _page_bills(shown, totals["branches"], bottom, bottom + PAGE_SIZE)
    can_record = request.user.role in access.MANAGERS
    _month_rows(page, month, can_record)
    # ``services.paying_members`` of the month, within the user's reach (one scan of the members, not two).
    in_reach = _members_of(Member.objects.for_user(request.user), organization)
    paying = paying_by(in_reach, month_end(month))
    missing = list(members_without_standard(paying, month.year).only("pk", "name").order_by("name")[:51])
    # One scan of the members in reach for both counts: the paying members with no bill of the month (NOT IN
    # the month's bills, which PostgreSQL hashes once; NOT EXISTS inside a FILTER would probe the index for each
    # member), and 党员 as every page counts them (normal or 停止党籍, not transferred out), beside the paying
    # members.
    no_bill = ~Q(pk__in=DuesBill.objects.filter(month=month).values("member_id"))
    counts = in_reach.aggregate(
        unbilled=Count("pk", filter=active_q() & Q(joined_on__lte=month_end(month)) & no_bill),
        in_party=Count("pk", filter=in_party_q()),
    )
    unbilled, in_party = counts["unbilled"], counts["in_party"]
    return {
        "form": form,
        "month": month,
        "month_label": month_label(month),
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "page": page,
        "totals": totals,
        "missing_standard": missing[:50],
        "missing_more": len(missing) > 50,
        "unbilled": unbilled,
        "in_party": in_party,
        "can_record": can_record,
        "can_generate": request.user.role == Role.ADMIN,
    }


@require_POST
@role_required(Role.ADMIN)
def dues_generate(request):
    """Make a month's missing bills for the admin's building now (the monthly job does it on the 1st)."""
    try:
        month = services.parse_month(request.POST.get("month", ""))
    except ValueError:
        month = first_of_month(timezone.localdate())
    counts = jobs.run_now("members.generate_dues", month=f"{month:%Y-%m}", building_id=request.user.building_id)
    messages.success(
        request,
        _("%(month)s: %(created)s new bills made; %(missing)s members have no confirmed dues standard.")
        % {"month": month_label(month), "created": counts["created"], "missing": counts["missing_standard"]},
    )
    return redirect(f"{reverse('dues:month')}?month={month:%Y-%m}")


# --- one member's dues --------------------------------------------------------------------------------------


def _payment_initial(member: Member, open_months: list[datetime.date], standard, today: datetime.date) -> dict:
    """Start the form at the oldest month still owed, however long ago (more than six months back needs the
    branch's decision, which the form asks for), else the current one."""
    current = first_of_month(today)
    owed = [m for m in open_months if m >= first_of_month(member.joined_on)]
    month = owed[0] if owed else current
    initial = {"first_month": month, "last_month": month, "paid_on": today}
    if standard is not None:
        initial["amount"] = standard.amount
    return initial


def _render_member(request, member: Member):
    """One member's dues page. Its content is kept whole, as HTML, under the viewer (what may be recorded or
    excused, and whether it is their own, depend on the account), the query, the language and the day, until a
    table it read changes; its forms get each request's CSRF token."""
    user = request.user
    may_record = can_edit(user, member) and member.is_active_member
    can_excuse = can_edit(user, member)
    body = data_cache.page(
        request,
        "dues:member",
        "dues/_member_body.html",
        lambda: _member_context(request, member, may_record=may_record, can_excuse=can_excuse),
        by="user",
    )
    return render(request, "dues/member.html", {"body": body, "member": member, "has_payment_form": may_record})


def _member_context(request, member: Member, *, may_record: bool, can_excuse: bool) -> dict:
    today = timezone.localdate()
    standard = standards_in_force([member.pk], today.year).get(member.pk)
    bill_rows = Paginator(member.dues_bills.select_related("excused_by").order_by("-month"), MEMBER_BILLS).get_page(
        request.GET.get("page")
    )
    for bill in _with_state(bill_rows):
        bill.state_html = state_badge(bill)
    payments = (
        DuesPayment.objects.filter(member=member)
        .select_related("recorded_by", "consent_by")
        .prefetch_related(
            Prefetch("allocations", queryset=DuesAllocation.objects.select_related("bill").order_by("bill__month"))
        )
        .order_by("-paid_on", "-pk")[:MEMBER_BILLS]
    )
    form = None
    if may_record:
        # The months still open start the form; only asked for when there is a form (not on a member's own page).
        open_months = sorted(
            DuesBill.objects.filter(member=member, paid_amount__lt=F("amount"), excused_reason="").values_list(
                "month", flat=True
            )
        )
        initial = _payment_initial(member, open_months, standard, today)
        form = PaymentForm(member=member, initial={**initial, submissions.TOKEN_FIELD: data_cache.ONCE_PLACEHOLDER})
    current = first_of_month(today)
    return {
        "member": member,
        "standard": standard,
        "bills": bill_rows,
        "page": bill_rows,
        "payments": payments,
        "paid_up_to": paid_up_to_map([member.pk])[member.pk],
        "arrears": arrears_map([member.pk], today=today).get(member.pk),
        "current_bill": next((b for b in bill_rows if b.month == current), None),
        "current_month": current,
        "form": form,
        "owed": _owed_for_form(member, form) if may_record else None,
        "can_record": may_record,
        "can_excuse": can_excuse,
        "excuse_form": ExcuseForm(),
        "is_own": is_own_record(request.user, member),
    }


def _member_or_404(request, pk):
    return get_object_or_404(
        Member.objects.for_user(request.user).select_related("organization", "enterprise", "user"), pk=pk
    )


@role_required(*READERS, Role.MEMBER)
def member_dues(request, pk):
    """One member's standard, bills, payments and "党费已交到"; a member sees only their own (404 otherwise)."""
    return _render_member(request, _member_or_404(request, pk))


def my_dues(request):
    """The signed-in person's own dues."""
    member = Member.objects.filter(user=request.user).select_related("organization", "enterprise", "user").first()
    if member is None:
        raise Http404
    return _render_member(request, member)


@role_required(*access.MANAGERS)
def record_payment(request, pk):
    """Record dues received (phone friendly): months, amount, method; 代交 names who paid."""
    member = _member_or_404(request, pk)
    if not can_edit(request.user, member):
        raise PermissionDenied
    today = timezone.localdate()
    if request.method == "POST":
        if (first := submissions.first_result(request)) is not None:
            return first
        form = PaymentForm(request.POST, member=member)
        if form.is_valid():
            try:
                with submissions.once(request, form, label="dues.payment") as submission:
                    payment = services.record_payment(
                        member=member, by=request.user, **form.service_arguments(request.user)
                    )
                    submission.result_url = reverse("dues:member", args=[member.pk])
            except submissions.AlreadySubmitted as done:
                if done.response is not None:
                    return done.response
            except ValidationError as error:
                if not add_service_errors(form, error):
                    messages.error(request, " ".join(error.messages))
            except IntegrityError:
                if DuesPayment.objects.filter(receipt_number=form.cleaned_data["receipt_number"]).exists():
                    form.add_error("receipt_number", _("This receipt number is already in the records."))
                else:
                    messages.error(request, _("The dues changed while you were working. Please check and try again."))
            else:
                paid_up_to = paid_up_to_map([member.pk])[member.pk]
                messages.success(
                    request,
                    _(
                        "Recorded: %(amount)s yuan from %(name)s for %(first)s to %(last)s. Dues paid up to "
                        "%(paid_up_to)s."
                    )
                    % {
                        "amount": payment.amount,
                        "name": member.name,
                        "first": month_label(payment.first_month),
                        "last": month_label(payment.last_month),
                        "paid_up_to": month_label(paid_up_to) or "—",
                    },
                )
                return redirect("dues:member", member.pk)
    else:
        standard = standards_in_force([member.pk], today.year).get(member.pk)
        open_months = sorted(
            DuesBill.objects.filter(member=member, paid_amount__lt=F("amount"), excused_reason="").values_list(
                "month", flat=True
            )
        )
        initial = _payment_initial(member, open_months, standard, today)
        if request.GET.get("month"):
            try:
                initial["first_month"] = initial["last_month"] = services.parse_month(request.GET["month"])
            except ValueError:
                pass
        form = PaymentForm(member=member, initial=initial)
    standard = standards_in_force([member.pk], today.year).get(member.pk)
    return render(
        request,
        "dues/payment_form.html",
        {
            "member": member,
            "form": form,
            "owed": _owed_for_form(member, form),
            "standard": standard,
            "paid_up_to": paid_up_to_map([member.pk])[member.pk],
            "window_first": add_months(first_of_month(today), -services.MONTHS_WINDOW),
            "window_last": add_months(first_of_month(today), services.MONTHS_WINDOW),
        },
    )


def _chosen_months(data) -> tuple[datetime.date, datetime.date] | None:
    """The months a payment form (bound or not) names, or None when they are missing or mistyped."""
    field = PaymentForm.base_fields["first_month"]
    try:
        first, last = (field.clean(data.get(name)) for name in ("first_month", "last_month"))
    except ValidationError:
        return None
    if first is None or last is None:
        return None
    return (first_of_month(first), first_of_month(last)) if first <= last else None


def _owed_for_form(member: Member, form) -> Owed | None:
    """What the months chosen on the form owe, computed here so the page shows it before anything is
    recorded (the page's script asks ``payment_owed`` again when the months change)."""
    if form is None:
        return None
    months = _chosen_months(form.data if form.is_bound else form.initial)
    return owed_for_months(member, *months) if months else None


@role_required(*access.MANAGERS)
def payment_owed(request, pk):
    """What the chosen months owe (bills made on demand counted at the standard in force, partly paid months
    what is left), for the payment form: ``{"owed": "840.00", "months": 7, "text": "所选月份应交 840.00 元"}``."""
    member = _member_or_404(request, pk)
    if not can_edit(request.user, member):
        raise PermissionDenied
    months = _chosen_months(request.GET)
    if months is None:
        return JsonResponse({"owed": None, "months": 0, "text": ""})
    owed = owed_for_months(member, *months)
    return JsonResponse({"owed": str(owed.amount), "months": owed.months, "text": owed_text(owed)})


def owed_text(owed: Owed) -> str:
    text = _("The chosen months owe %(owed)s yuan.") % {"owed": owed.amount}
    if owed.without_standard:
        text += " " + _("%(month)s has no confirmed dues standard yet.") % {
            "month": month_label(owed.without_standard[0])
        }
    return text


@require_POST
@role_required(*access.MANAGERS)
def excuse_bill(request, pk):
    """Record (or withdraw) a valid reason for an unpaid month."""
    bill = get_object_or_404(DuesBill.objects.for_user(request.user).select_related("member__organization"), pk=pk)
    if not can_edit(request.user, bill.member):
        raise PermissionDenied
    form = ExcuseForm(request.POST)
    if form.is_valid():
        try:
            services.excuse_bill(bill=bill, reason=form.cleaned_data["excused_reason"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if form.cleaned_data["excused_reason"]:
                messages.success(request, _("%(month)s is excused.") % {"month": month_label(bill.month)})
            else:
                messages.success(
                    request, _("The excuse for %(month)s is withdrawn.") % {"month": month_label(bill.month)}
                )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("dues:member", bill.member_id)


# --- arrears ------------------------------------------------------------------------------------------------


def _arrears_rows(page, members: dict) -> None:
    """Each debt of the arrears page with its member, its links and its oldest month, computed once here rather
    than by the template a row at a time."""
    member_url, pay_url = url_maker("dues:member"), url_maker("dues:record_payment")
    standing_url = url_maker("members:detail")
    for debt in page:
        debt.member = members[debt.member_id]
        debt.member_url = member_url(debt.member_id)
        debt.pay_url = pay_url(debt.member_id)
        debt.standing_url = f"{standing_url(debt.member_id)}#manage"
        debt.oldest_text = date_filter(debt.oldest, "Y年n月")


@role_required(*READERS)
def dues_arrears(request):
    """Members with unpaid months before this one; six consecutive months make a 按自行脱党处理 candidate."""
    # Kept whole under the viewer's scope, the query, the language and the day (arrears count whole months up to
    # last month), until a table it read changes.
    body = data_cache.page(
        request, "dues:arrears", "dues/_arrears_body.html", lambda: _dues_arrears(request), by="scope"
    )
    return render(request, "dues/arrears.html", {"body": body})


def _dues_arrears(request) -> dict:
    today = timezone.localdate()
    form = ArrearsFilterForm(request.GET or None, user=request.user)
    valid = form.is_valid()
    organization = form.cleaned_data.get("organization") if valid else None
    min_months = (form.cleaned_data.get("min_months") if valid else None) or 1
    only_candidates = bool(form.cleaned_data.get("candidates")) if valid else False
    members = _members_of(
        members_in_arrears(
            Member.objects.for_user(request.user).active(),
            today=today,
        ),
        organization,
    )
    lost_contact_since = dict(members.order_by().values_list("pk", "lost_contact_since"))
    debts = arrears_map(lost_contact_since, today=today, lost_contact_since=lost_contact_since)
    rows = [d for d in debts.values() if d.count >= min_months and (d.is_candidate or not only_candidates)]
    candidates = sum(1 for d in debts.values() if d.is_candidate)
    rows.sort(key=lambda d: (not d.is_candidate, -d.longest_run, -d.count, d.member_id))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    by_id = (
        Member.objects.select_related("organization")
        .only("name", "organization", "organization__name")
        .in_bulk([d.member_id for d in page])
    )
    _arrears_rows(page, by_id)
    return {
        "form": form,
        "page": page,
        "total": len(debts),
        "candidates": candidates,
        "can_record": request.user.role in access.MANAGERS,
        "last_month": month_label(add_months(first_of_month(today), -1)),
    }
