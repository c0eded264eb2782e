"""Reads over party dues (DOMAIN.md §6).

- the standard in force, "党费已交到", arrears;
- the standards of a year: each paying member with their standard, or the one carried over, or none;
- the ledger (党费交纳台账) of a branch and month: each bill with what was paid, when, how, the receipt and
  who paid on the member's behalf (代交: a relative or another member, never a unit) and the branch's decision
  for a payment beyond six months;
- collection by branch and month over a year: due against collected, the rate; the current month, still
  open, is shown apart and left out of the totals and the rate;
- the yearly publication report of one branch (the branch publishes its collection once a year).

Every function here takes member ids (or a queryset already scoped by the caller) and runs a fixed number of
queries however many members it is asked about. Sums of money come back as yuan and fen (``money``), on SQLite
as on PostgreSQL.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext as _

from buildingparty.models import PartyOrganization
from buildingparty.money import money
from buildingparty.scope import by_organization
from members.dues.models import (
    DuesAllocation,
    DuesBill,
    DuesPayment,
    DuesStandard,
    first_of_month,
    month_label,
    months_inclusive,
)
from members.models import Member, add_months


def months_from_to(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    months, month = [], first_of_month(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def paying_by(members, day: datetime.date):
    """Of a member queryset, those who owe dues by ``day``: in normal standing and admitted by then. Probationary
    members pay from the branch meeting that admitted them (their ``joined_on``)."""
    return members.active().filter(joined_on__lte=day)


def standards_in_force(member_ids: Iterable[int], year: int) -> dict[int, DuesStandard]:
    """Each member's confirmed standard for ``year``, else their latest confirmed one of an earlier year.

    The amount is set at the start of the year and normally kept (2017 notice), so a standard carries over
    into the following years until a new one is confirmed. Members without any confirmed standard are absent
    from the result. One query.
    """
    member_ids = list(member_ids)
    if not member_ids:
        return {}
    standards = DuesStandard.objects.filter(member_id__in=member_ids)
    # No order (a dict by member): the default order would join every member for their names.
    return {s.member_id: s for s in in_force(standards, year, member_ids=member_ids).order_by()}


def in_force(standards, year: int, *, member_ids: list[int] | None = None):
    """Of a ``DuesStandard`` queryset, the standards in force in ``year``: confirmed, of ``year`` or earlier,
    with no confirmed one of the same member after it up to ``year``. At most one per member; the one
    definition, for ``standards_in_force`` and the monthly bills' INSERT … SELECT. ``member_ids``, when the
    standards are of those members only, narrows the later ones too (else PostgreSQL hashes every standard)."""
    later = DuesStandard.objects.filter(
        member_id=OuterRef("member_id"),
        status=DuesStandard.Status.CONFIRMED,
        year__gt=OuterRef("year"),
        year__lte=year,
    )
    if member_ids is not None:
        later = later.filter(member_id__in=member_ids)
    return standards.filter(status=DuesStandard.Status.CONFIRMED, year__lte=year).filter(~Exists(later))


# ``DuesStandard.amount`` in SQL: the agreed amount when there is one, else the rule's (both stored when the
# standard is set, by ``monthly_dues`` and ``check_override``).
STANDARD_AMOUNT = Coalesce("override_amount", "computed_amount")


def standard_in_force(member, year: int) -> DuesStandard | None:
    return standards_in_force([member.pk], year).get(member.pk)


@dataclass(frozen=True)
class Owed:
    """What the chosen months of one member still owe: the bills' outstanding amounts, and for months not yet
    billed (paying ahead, or a month the job has not reached) the standard in force, as the payment would
    bill them. ``without_standard`` lists months that cannot be billed."""

    amount: Decimal
    months: int
    without_standard: list[datetime.date]


def owed_for_months(member, first: datetime.date, last: datetime.date) -> Owed:
    """What ``member`` owes for the months ``first``–``last`` (partly paid months count what is left). Two
    queries."""
    months = months_from_to(first, last)
    if not months:
        return Owed(amount=money(0), months=0, without_standard=[])
    outstanding = {
        month: amount - paid
        for month, amount, paid in DuesBill.objects.filter(member=member, month__in=months).values_list(
            "month", "amount", "paid_amount"
        )
    }
    missing = [m for m in months if m not in outstanding]
    standards = []
    if missing:
        standards = list(
            DuesStandard.objects.filter(
                member=member, status=DuesStandard.Status.CONFIRMED, year__lte=missing[-1].year
            ).order_by("-year")
        )
    total, without = sum(outstanding.values(), Decimal("0")), []
    for month in missing:
        standard = next((s for s in standards if s.year <= month.year), None)
        if standard is None:
            without.append(month)
        else:
            total += standard.amount
    return Owed(amount=money(total), months=len(months), without_standard=without)


# A bill is open (arrears once its month is over) unless paid in full or excused with a valid reason.
OPEN = Q(paid_amount__lt=F("amount"), excused_reason="")
PAID = Q(paid_amount__gte=F("amount"))
UNPAID = Q(paid_amount__lt=F("amount"))


def paid_up_to_map(member_ids: Iterable[int]) -> dict[int, datetime.date | None]:
    """ "党费已交到" for each member, in one query.

    The month before the member's first bill not paid in full; when every bill is paid, the latest month;
    None for a member without bills. Months are first days of the month. An excused month (an approved
    deferral) is not arrears but is not paid either, so it stops "paid up to"; an exemption is a bill of 0,
    paid when it is made.
    """
    member_ids = list(member_ids)
    result: dict[int, datetime.date | None] = dict.fromkeys(member_ids)
    if not member_ids:
        return result
    rows = (
        DuesBill.objects.filter(member_id__in=member_ids)
        .values("member_id")
        .annotate(first_open=Min("month", filter=UNPAID), last_settled=Max("month", filter=PAID))
        .order_by()
    )
    for row in rows:
        if row["first_open"] is not None:
            result[row["member_id"]] = add_months(row["first_open"], -1)
        else:
            result[row["member_id"]] = row["last_settled"]
    return result


def paid_up_to(member) -> datetime.date | None:
    """ "党费已交到" for one member (see ``paid_up_to_map``)."""
    return paid_up_to_map([member.pk])[member.pk]


def applies_from(member: Member, year: int) -> datetime.date | None:
    """The first month of ``year`` the member pays dues for: January, or the month the branch meeting
    admitted them (probationary members pay from admission). None when they joined after the year."""
    if member.joined_on.year > year:
        return None
    return max(datetime.date(year, 1, 1), first_of_month(member.joined_on))


def paying_in_year(members, year: int):
    """Of a member queryset, those who pay dues in ``year``: normal standing, admitted by the year's end."""
    return paying_by(members, datetime.date(year, 12, 31))


# --- arrears ------------------------------------------------------------------------------------------------

# Six consecutive months unpaid without a valid reason: a 按自行脱党处理 candidate (a person decides).
CANDIDATE_MONTHS = 6
# Three unpaid months: remind the member and their secretary.
REMINDER_MONTHS = 3


@dataclasses.dataclass
class Arrears:
    """One member's unpaid months up to last month (the current month is not yet arrears)."""

    member_id: int
    months: list[datetime.date] = dataclasses.field(default_factory=list)
    owed: Decimal = Decimal("0")
    longest_run: int = 0
    longest_run_start: datetime.date | None = None
    current_run: int = 0
    current_run_start: datetime.date | None = None
    # A member out of contact goes the lost-contact route (停止党籍), never this one as well (DOMAIN.md §5a).
    lost_contact: bool = False

    @property
    def count(self) -> int:
        return len(self.months)

    @property
    def oldest(self) -> datetime.date | None:
        return self.months[0] if self.months else None

    @property
    def is_candidate(self) -> bool:
        return self.longest_run >= CANDIDATE_MONTHS and not self.lost_contact

    @property
    def needs_reminder(self) -> bool:
        return self.count >= REMINDER_MONTHS

    @property
    def month_labels(self) -> list[str]:
        return [month_label(m) for m in self.months]


def arrears_map(
    member_ids: Iterable[int],
    *,
    today: datetime.date | None = None,
    lost_contact_since: dict[int, datetime.date | None] | None = None,
) -> dict[int, Arrears]:
    """Arrears of each member who has any, in one query: the open bills (neither paid in full nor excused)
    before the current month, the longest and the current run of consecutive months, the amount owed.
    ``lost_contact_since`` (member id: the day, for every member asked about), when the caller read it already,
    spares the query joining every member.

    A partly paid month is still unpaid. An excused month, or a month without a bill, breaks a run."""
    member_ids = list(member_ids)
    if not member_ids:
        return {}
    current = first_of_month(today or timezone.localdate())
    last_month = add_months(current, -1)
    rows = (
        DuesBill.objects.filter(OPEN, member_id__in=member_ids, month__lt=current)
        .order_by("member_id", "month")
        .values_list("member_id", "month", "amount", "paid_amount")
    )
    if lost_contact_since is None:
        rows = rows.values_list("member_id", "month", "amount", "paid_amount", "member__lost_contact_since")
    else:
        rows = ((*row, lost_contact_since[row[0]]) for row in rows)
    result: dict[int, Arrears] = {}
    run_start: dict[int, datetime.date] = {}
    for member_id, month, amount, paid, lost_since in rows:
        arrears = result.get(member_id)
        if arrears is None:
            arrears = result[member_id] = Arrears(member_id=member_id, lost_contact=lost_since is not None)
        follows = bool(arrears.months) and add_months(arrears.months[-1], 1) == month
        if not follows:
            run_start[member_id] = month
        arrears.months.append(month)
        arrears.owed += amount - paid
        run = months_inclusive(run_start[member_id], month)
        if run > arrears.longest_run:
            arrears.longest_run, arrears.longest_run_start = run, run_start[member_id]
    for member_id, arrears in result.items():
        if arrears.months[-1] == last_month:
            arrears.current_run_start = run_start[member_id]
            arrears.current_run = months_inclusive(run_start[member_id], last_month)
    return result


def members_in_arrears(members, *, today: datetime.date | None = None):
    """Of a (scoped) member queryset, those with an open bill before the current month."""
    current = first_of_month(today or timezone.localdate())
    open_before = DuesBill.objects.filter(OPEN, member_id=OuterRef("pk"), month__lt=current)
    return members.filter(Exists(open_before))


def members_without_standard(members, year: int):
    """Of a member queryset, those with no confirmed standard for ``year`` or before: they are not billed.
    (NOT EXISTS: an anti-join on each member's standards, not a scan of every standard.)"""
    with_standard = DuesStandard.objects.filter(
        member_id=OuterRef("pk"), status=DuesStandard.Status.CONFIRMED, year__lte=year
    )
    return members.filter(~Exists(with_standard))


# --- the standards page and the reports ---------------------------------------------------------------
# Bills are counted where they were made (``DuesBill.organization``, the member's branch at the time), so the
# reports are scoped by that branch, not by where the member is now.

ZERO = Decimal("0.00")
CONFIRMED, DECLARED = DuesStandard.Status.CONFIRMED, DuesStandard.Status.DECLARED


def report_bills(user):
    """The bills a user may report on: admins their building's, secretaries their branch's, street all."""
    return by_organization(user, DuesBill.objects.all(), "organization")


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 1)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` of ``whole`` in percent, to one decimal; None when nothing was due."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def branches_for(user):
    """The branches (not groups, not the general branch) a user may report on."""
    return (
        PartyOrganization.objects.for_user(user)
        .branches()
        .select_related("building")
        .order_by("building__name", "kind", "name")
    )


def in_branch(branch: PartyOrganization, field: str = "organization") -> Q:
    """Rows of a branch and of its party groups."""
    return Q(**{field: branch}) | Q(**{f"{field}__parent": branch, f"{field}__kind": PartyOrganization.Kind.GROUP})


# --- standards of a year ------------------------------------------------------------------------------------


def attach_standards(members: list, year: int) -> list:
    """Set ``standard`` (of the year, any status), ``carried`` (the confirmed standard in force from an
    earlier year, when the year has none confirmed) and ``starts`` on each member. Two queries."""
    ids = [m.pk for m in members]
    of_year = {
        s.member_id: s
        for s in DuesStandard.objects.filter(member_id__in=ids, year=year)
        .select_related("declared_by", "confirmed_by")
        .order_by()  # a dict by member: no join of every member for the default order
    }
    in_force = standards_in_force(ids, year)
    for member in members:
        member.standard = of_year.get(member.pk)
        carried = in_force.get(member.pk)
        member.carried = carried if carried is not None and carried.year != year else None
        member.starts = applies_from(member, year)
    return members


def standard_counts(members, year: int) -> dict:
    """How many paying members have a confirmed, a declared or no standard for the year; and ``branches``: in
    branch name order, each branch name's organisation ids and how many members it has (so a page ordered by
    branch sorts only the members of its own branches). One query."""
    # Each member joined to their standard of the year (at most one: one per member and year), not four
    # subqueries over every standard.
    rows = (
        members.annotate(of_year=FilteredRelation("dues_standards", condition=Q(dues_standards__year=year)))
        .order_by("organization__name", "organization_id")
        .values("organization_id", "organization__name")
        .annotate(
            total=Count("pk"),
            confirmed=Count("pk", filter=Q(of_year__status=CONFIRMED)),
            declared=Count("pk", filter=Q(of_year__status=DECLARED)),
            missing=Count("pk", filter=Q(of_year__id__isnull=True)),
            overridden=Count("pk", filter=Q(of_year__override_amount__isnull=False)),
        )
    )
    counts = dict.fromkeys(("total", "confirmed", "declared", "missing", "overridden"), 0)
    branches = []  # [name, [organisation ids], members]
    for row in rows:
        for key in counts:
            counts[key] += row[key]
        if branches and branches[-1][0] == row["organization__name"]:
            branches[-1][1].append(row["organization_id"])
            branches[-1][2] += row["total"]
        else:
            branches.append([row["organization__name"], [row["organization_id"]], row["total"]])
    counts["branches"] = branches
    return counts


# --- the ledger ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentDetails:
    """What the ledger shows of the payments towards one bill."""

    paid_on: datetime.date | None  # the day it became fully paid, else the latest payment
    methods: list[str]  # method codes, in payment order, each once
    receipts: list[str]
    payers: list[str]  # who paid on the member's behalf (代交: a relative or another member)
    decisions: list[str]  # the branch decisions for payments beyond six months: who, when, why

    @property
    def method_labels(self) -> list[str]:
        return [str(DuesPayment.Method(m).label) for m in self.methods]


def payment_details(bill: DuesBill, payments: list | None = None, standard=None) -> PaymentDetails:
    """From the bill's prefetched allocations (``ledger_bills``); no query. Or from ``payments`` (anything with a
    payment's ``paid_on``, ``method``, ``receipt_number``, ``payer_display`` and ``decision_*``, in payment
    order) and ``standard`` (its ``payer`` and ``payer_name``; None: ``bill.standard``) read already."""
    if payments is None:
        payments = [a.payment for a in bill.allocations.all()]
    methods, receipts, payers, decisions = [], [], [], []
    for payment in payments:
        if payment.method not in methods:
            methods.append(payment.method)
        if payment.receipt_number and payment.receipt_number not in receipts:
            receipts.append(payment.receipt_number)
        payer = payment.payer_display
        if payer and payer not in payers:
            payers.append(payer)
        decision = decision_text(payment)
        if decision and decision not in decisions:
            decisions.append(decision)
    if not payers and bill.standard_id:
        standard = standard or bill.standard
        if standard.payer == DuesStandard.Payer.OTHER:
            payers.append(standard.payer_name)
    paid_on = bill.paid_on or max((p.paid_on for p in payments), default=None)
    return PaymentDetails(paid_on=paid_on, methods=methods, receipts=receipts, payers=payers, decisions=decisions)


def decision_text(payment: DuesPayment) -> str:
    """The branch decision kept with a payment beyond six months, in one line: 支委会 2026-11-20：理由."""
    if not payment.decision_by:
        return ""
    return f"{payment.decision_by} {payment.decision_on:%Y-%m-%d}：{payment.decision_reason}"


def ledger_filter(bills, *, year: int | None = None, month: int | None = None, branch: PartyOrganization | None = None):
    """Bills (already scoped) of a year, a month of it, a branch and its groups."""
    if year is not None:
        first, last = year_bounds(year)
        bills = bills.filter(month__gte=first, month__lte=last)
        if month:
            bills = bills.filter(month=datetime.date(year, month, 1))
    if branch is not None:
        bills = bills.filter(in_branch(branch))
    return bills


LEDGER_ALLOCATIONS = DuesAllocation.objects.select_related("payment").order_by("payment__paid_on", "payment_id")


def with_details(bills):
    """Bills in ledger order with everything a row shows, in two queries however many."""
    return (
        bills.select_related("member", "organization__building", "standard")
        .prefetch_related(Prefetch("allocations", queryset=LEDGER_ALLOCATIONS))
        .order_by("organization__building__name", "organization__name", "month", "member__name", "pk")
    )


def ledger_bills(bills, **filters):
    """The ledger's bills: ``ledger_filter`` then ``with_details``."""
    return with_details(ledger_filter(bills, **filters))


LEDGER_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class LedgerPayment:
    """What ``payment_details`` reads of a payment, for the ledger's page (read as values, not as models)."""

    paid_on: datetime.date
    method: str
    receipt_number: str
    payer_display: str
    decision_by: str
    decision_on: datetime.date | None
    decision_reason: str


@dataclass(frozen=True, slots=True)
class LedgerPayer:
    """A bill's standard as ``payment_details`` reads it: who pays."""

    payer: str
    payer_name: str


UNPAID = Q(paid_amount__lt=F("amount"), excused_reason="")  # ``DuesBill.state`` unpaid or partial


@dataclass
class LedgerSection:
    """The bills of one branch on the page, with the branch's totals over the whole filter."""

    branch: PartyOrganization
    rows: list = field(default_factory=list)
    due: Decimal = ZERO
    paid: Decimal = ZERO
    unpaid_count: int = 0
    bill_count: int = 0

    @property
    def rate(self) -> Decimal | None:
        return percent(self.paid, self.due)


@dataclass
class Ledger:
    sections: list[LedgerSection]  # the branches with bills on the page
    due: Decimal = ZERO
    paid: Decimal = ZERO
    page: object = None  # the ``Page`` of bills shown

    @property
    def rate(self) -> Decimal | None:
        return percent(self.paid, self.due)

    @property
    def row_count(self) -> int:
        return self.page.paginator.count if self.page is not None else sum(len(s.rows) for s in self.sections)


def ledger_totals(bills) -> dict[int, dict]:
    """Due, paid, bills and bills not paid in full per branch (organisation) over ``ledger_filter`` bills,
    whatever page is shown. One GROUP BY query."""
    rows = (
        bills.order_by()
        .prefetch_related(None)
        .values("organization_id")
        .annotate(due=Sum("amount"), paid=Sum("paid_amount"), bills=Count("pk"), unpaid=Count("pk", filter=UNPAID))
    )
    return {row.pop("organization_id"): row for row in rows}


def _ledger_groups(totals: dict[int, dict]) -> list[tuple[list[PartyOrganization], int]]:
    """The branches with bills in ledger order (building, then name: the database's order, so its collation),
    as runs of branches the order cannot tell apart (same building and name), each with its bill count."""
    groups: list[tuple[list[PartyOrganization], int]] = []
    last = None
    for org in (
        PartyOrganization.objects.filter(pk__in=list(totals))
        .select_related("building")
        .order_by("building__name", "name", "pk")
    ):
        key = (org.building.name if org.building_id else None, org.name)
        count = totals[org.pk]["bills"]
        if groups and key == last:
            groups[-1][0].append(org)
            groups[-1] = (groups[-1][0], groups[-1][1] + count)
        else:
            groups.append(([org], count))
        last = key
    return groups


def ledger(bills, *, page_number=None, per_page: int | None = None) -> Ledger:
    """A page of the ledger. ``bills`` are ``ledger_filter`` bills; the page's rows are grouped by branch and
    each gets ``details`` (``PaymentDetails``); every total comes from ``ledger_totals`` over all the bills.
    Four queries however many bills: the totals (which also give each branch's bill count), the branches in
    ledger order, the page's bills with their members' names, their payments (as values); a fifth for the payer
    of the standards of bills whose payments name no payer, when there are any. The ledger
    orders by branch first, so the branch counts tell which branches the page falls in: only their bills are
    sorted (not every bill of the filter joined to every member), from the offset within them."""
    totals = ledger_totals(bills)
    per_page = per_page or LEDGER_PAGE_SIZE
    paginator = Paginator(range(0), per_page)
    paginator.count = sum(t["bills"] for t in totals.values())  # known already: no COUNT query
    page = paginator.get_page(page_number)
    start = (page.number - 1) * per_page
    end = start + per_page
    orgs: dict[int, PartyOrganization] = {}
    before = seen = 0
    for group, count in _ledger_groups(totals) if totals else ():
        if seen + count > start and seen < end:
            if not orgs:
                before = seen
            orgs.update((org.pk, org) for org in group)
        seen += count
    rows, payments, standards = [], {}, {}
    if orgs:
        rows = list(
            bills.filter(organization_id__in=list(orgs))
            .prefetch_related(None)
            .select_related(None)
            .annotate(member_name=F("member__name"))
            .order_by("organization__building__name", "organization__name", "month", "member__name", "pk")[
                start - before : end - before
            ]
        )
        db = bills.db
        for bill in rows:
            bill.organization = orgs[bill.organization_id]
            bill.member = Member.from_db(db, ["id", "name"], (bill.member_id, bill.member_name))
        # The page's payments and payers as values: no model for each allocation, payment and standard.
        payments = defaultdict(list)
        for bill_id, *values in (
            DuesAllocation.objects.filter(bill_id__in=[b.pk for b in rows])
            .order_by("payment__paid_on", "payment_id")
            .values_list(
                "bill_id",
                "payment__paid_on",
                "payment__method",
                "payment__receipt_number",
                "payment__payer_name",
                "payment__decision_by",
                "payment__decision_on",
                "payment__decision_reason",
            )
        ):
            payments[bill_id].append(LedgerPayment(*values))
        # ``payment_details`` names the standard's payer when no payment names one.
        standard_ids = {
            b.standard_id for b in rows if b.standard_id and not any(p.payer_display for p in payments.get(b.pk, ()))
        }
        standards = {}
        if standard_ids:
            standards = {
                pk: LedgerPayer(payer, name)
                for pk, payer, name in DuesStandard.objects.filter(pk__in=standard_ids)
                .order_by()
                .values_list("pk", "payer", "payer_name")
            }
    page.object_list = rows
    sections: dict[int, LedgerSection] = {}
    for bill in rows:
        section = sections.get(bill.organization_id)
        if section is None:
            branch_totals = totals.get(bill.organization_id, {})
            section = sections[bill.organization_id] = LedgerSection(
                branch=bill.organization,
                due=money(branch_totals.get("due") or 0),
                paid=money(branch_totals.get("paid") or 0),
                unpaid_count=branch_totals.get("unpaid", 0),
                bill_count=branch_totals.get("bills", 0),
            )
        bill.details = payment_details(bill, payments.get(bill.pk, []), standards.get(bill.standard_id))
        section.rows.append(bill)
    return Ledger(
        sections=list(sections.values()),
        due=money(sum((t["due"] or 0 for t in totals.values()), ZERO)),
        paid=money(sum((t["paid"] or 0 for t in totals.values()), ZERO)),
        page=page,
    )


# --- collection by branch and month -------------------------------------------------------------------------


@dataclass
class Cell:
    """Due against collected, for a month, a branch or a year. Collected is what was paid towards those
    months' bills, whenever it was paid."""

    due: Decimal = ZERO
    collected: Decimal = ZERO
    bills: int = 0
    paid_bills: int = 0
    is_open: bool = False  # a month not over yet: shown apart, not added to any total

    def add(self, other: "Cell") -> None:
        self.due += other.due
        self.collected += other.collected
        self.bills += other.bills
        self.paid_bills += other.paid_bills

    @property
    def rate(self) -> Decimal | None:
        return percent(self.collected, self.due)

    @property
    def outstanding(self) -> Decimal:
        return self.due - self.collected


@dataclass
class MonthLine:
    month: int
    label: str
    cell: Cell
    is_open: bool = False  # the current month (or a later one, paid ahead): still open, not in the totals


@dataclass
class BranchLine:
    branch: PartyOrganization
    label: str
    months: list[Cell]
    total: Cell  # the closed months only


@dataclass
class Collection:
    year: int
    months: list[MonthLine]
    branches: list[BranchLine]
    total: Cell  # the closed months only
    open_from: datetime.date | None = None  # the first open month of the year, when the year has one

    @property
    def open_months(self) -> list[MonthLine]:
        return [line for line in self.months if line.is_open]

    def chart(self) -> dict:
        """Due and collected by month, and the rate (the table beside the chart has the same numbers)."""
        return {
            "labels": [line.label for line in self.months],
            "due": [str(line.cell.due) for line in self.months],
            "collected": [str(line.cell.collected) for line in self.months],
            "rate": [None if line.cell.rate is None else float(line.cell.rate) for line in self.months],
            "dueLabel": _("Due (yuan)"),
            "collectedLabel": _("Collected (yuan)"),
            "rateLabel": _("Collection rate (%)"),
        }


def _open_from(year: int, today: datetime.date | None) -> datetime.date | None:
    """The first month of ``year`` that is not over yet: the current month, January of a later year, or None
    for a past year. Its bills are still being paid, so the totals and the rate leave it (and any later
    month) out and the pages show it apart."""
    current = first_of_month(today or timezone.localdate())
    if current.year > year:
        return None
    return current if current.year == year else datetime.date(year, 1, 1)


def _months(year: int, open_from: datetime.date | None) -> list[MonthLine]:
    return [
        MonthLine(
            month=m,
            label=str(MONTH_NAMES[m]),
            cell=Cell(),
            is_open=open_from is not None and datetime.date(year, m, 1) >= open_from,
        )
        for m in range(1, 13)
    ]


def _cell(row) -> Cell:
    return Cell(
        due=money(row["due"]), collected=money(row["collected"]), bills=row["bills"], paid_bills=row["paid_bills"]
    )


def _closed_total(cells) -> Cell:
    total = Cell()
    for cell in cells:
        total.add(cell)
    return total


def _by_month(bills):
    return (
        bills.values("organization_id", "month")
        .annotate(
            due=Sum("amount"),
            collected=Sum("paid_amount"),
            bills=Count("pk"),
            paid_bills=Count("pk", filter=Q(paid_amount__gte=F("amount"))),
        )
        .order_by()
    )


def collection(
    bills, *, year: int, branch: PartyOrganization | None = None, today: datetime.date | None = None
) -> Collection:
    """Collection of ``year`` by branch and month, of bills already scoped. Two queries. The current month
    (and any later one) is open: shown, but left out of every total and rate."""
    open_from = _open_from(year, today)
    first, last = year_bounds(year)
    bills = bills.filter(month__gte=first, month__lte=last)
    if branch is not None:
        bills = bills.filter(in_branch(branch))
    rows = list(_by_month(bills))
    organizations = {
        o.pk: o
        for o in PartyOrganization.objects.filter(pk__in={r["organization_id"] for r in rows}).select_related(
            "building", "parent__building"
        )
    }
    months = _months(year, open_from)
    per_branch: dict[int, list[Cell]] = defaultdict(lambda: [Cell() for _ in range(12)])
    branches: dict[int, PartyOrganization] = {}
    for row in rows:
        cell = _cell(row)
        owner = organizations[row["organization_id"]].branch
        branches[owner.pk] = owner
        per_branch[owner.pk][row["month"].month - 1].add(cell)
        months[row["month"].month - 1].cell.add(cell)
    several_buildings = len({b.building_id for b in branches.values()}) > 1
    lines = []
    for pk, owner in branches.items():
        for cell, line in zip(per_branch[pk], months, strict=True):
            cell.is_open = line.is_open
        total = _closed_total(cell for cell, line in zip(per_branch[pk], months, strict=True) if not line.is_open)
        label = f"{owner.building.name} · {owner.name}" if several_buildings else owner.name
        lines.append(BranchLine(branch=owner, label=label, months=per_branch[pk], total=total))
    lines.sort(key=lambda line: line.label)
    total = _closed_total(line.cell for line in months if not line.is_open)
    return Collection(year=year, months=months, branches=lines, total=total, open_from=open_from)


# --- the yearly publication report --------------------------------------------------------------------------


@dataclass
class AnnualReport:
    branch: PartyOrganization
    year: int
    months: list[MonthLine]
    total: Cell  # the closed months only
    members_paying: int
    members_in_arrears: int
    exemptions: int
    reductions: int
    rural_amounts: int
    open_from: datetime.date | None = None

    @property
    def open_months(self) -> list[MonthLine]:
        return [line for line in self.months if line.is_open]


def annual_report(bills, *, branch: PartyOrganization, year: int, today: datetime.date | None = None) -> AnnualReport:
    """One branch's collection over ``year``, month by month, for it to publish. Four queries.

    Members in arrears: with a month of the year before the current one neither paid in full nor excused.
    Exemptions (0) and hardship reductions are the year's standards with an agreed amount; a rural member's
    agreed amount (0.20–1.00) is neither and is counted apart. The current month (and any later one) is still
    open: its line is shown apart and left out of the total and the rate.
    """
    current = first_of_month(today or timezone.localdate())
    open_from = _open_from(year, today)
    first, last = year_bounds(year)
    bills = bills.filter(in_branch(branch), month__gte=first, month__lte=last)
    months = _months(year, open_from)
    for row in _by_month(bills):
        months[row["month"].month - 1].cell.add(_cell(row))
    total = _closed_total(line.cell for line in months if not line.is_open)
    people = bills.aggregate(
        paying=Count("member", distinct=True),
        arrears=Count("member", distinct=True, filter=OPEN & Q(month__lt=current)),
    )
    agreed = DuesStandard.objects.filter(
        in_branch(branch, "member__organization"),
        year=year,
        status=DuesStandard.Status.CONFIRMED,
        override_amount__isnull=False,
    ).aggregate(
        exemptions=Count("pk", filter=Q(override_amount=0)),
        reductions=Count("pk", filter=Q(override_amount__gt=0, override_amount__lt=F("computed_amount"))),
        rural=Count("pk", filter=Q(override_amount__gt=0, override_amount__gte=F("computed_amount"))),
    )
    return AnnualReport(
        branch=branch,
        year=year,
        months=months,
        total=total,
        members_paying=people["paying"],
        members_in_arrears=people["arrears"],
        exemptions=agreed["exemptions"],
        reductions=agreed["reductions"],
        rural_amounts=agreed["rural"],
        open_from=open_from,
    )
