"""Reads for the funding ledger: the ledger of a year with its running balance, the summaries. Everything takes
querysets already scoped with ``for_user`` and runs a fixed number of queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import ExtractYear

from buildingparty.money import money

from .models import FundEntry

ZERO = Decimal("0.00")
INCOME, EXPENSE = FundEntry.Direction.INCOME, FundEntry.Direction.EXPENSE
LEDGER_PAGE_SIZE = 100


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def signed(entry: FundEntry) -> Decimal:
    return entry.amount if entry.direction == INCOME else -entry.amount


@dataclass(frozen=True)
class LedgerRow:
    entry: FundEntry
    balance: Decimal  # after this entry


@dataclass
class Ledger:
    year: int
    carried_over: Decimal  # the balance at the end of the previous year
    income: Decimal  # the whole year's, whatever page is shown
    expense: Decimal
    rows: list[LedgerRow]  # the page's
    page: Page | None = None
    opening: Decimal | None = None  # the balance before the page's first row (``carried_over`` on page 1)

    @property
    def net(self) -> Decimal:
        return self.income - self.expense

    @property
    def closing(self) -> Decimal:
        return self.carried_over + self.net


# An entry's amount with its sign: income adds to the balance, expense takes from it.
SIGNED_AMOUNT = Case(
    When(direction=INCOME, then=F("amount")),
    default=F("amount") * Value(-1),
    output_field=DecimalField(max_digits=14, decimal_places=2),
)


def ledger(entries: QuerySet, *, year: int, page_number=None, per_page: int | None = None) -> Ledger:
    """A page of the year's entries in date order with the running balance, carried over from earlier years.

    Two queries however many entries: one aggregate for the totals and the entry count, one for the page's
    rows, each with the year's running sum up to it (a window over the whole year, so page 3 starts where
    page 2 ended).
    """
    start, end = year_bounds(year)
    in_year = Q(date__gte=start, date__lt=end)
    totals = entries.aggregate(
        income_before=Sum("amount", filter=Q(direction=INCOME, date__lt=start), default=ZERO),
        expense_before=Sum("amount", filter=Q(direction=EXPENSE, date__lt=start), default=ZERO),
        income=Sum("amount", filter=Q(direction=INCOME) & in_year, default=ZERO),
        expense=Sum("amount", filter=Q(direction=EXPENSE) & in_year, default=ZERO),
        count=Count("pk", filter=in_year),
    )
    count = totals.pop("count")
    totals = {key: money(value) for key, value in totals.items()}
    carried_over = totals["income_before"] - totals["expense_before"]
    rows_in_year = (
        entries.filter(in_year)
        .select_related("enterprise")
        .annotate(running=Window(Sum(SIGNED_AMOUNT), order_by=[F("date").asc(), F("pk").asc()]))
        .order_by("date", "pk")
    )
    paginator = Paginator(rows_in_year, per_page or LEDGER_PAGE_SIZE)
    paginator.count = count  # known from the aggregate: no COUNT query
    page = paginator.get_page(page_number)
    rows = [LedgerRow(entry=e, balance=carried_over + money(e.running)) for e in page.object_list]
    opening = rows[0].balance - signed(rows[0].entry) if rows else carried_over
    return Ledger(
        year=year,
        carried_over=carried_over,
        income=totals["income"],
        expense=totals["expense"],
        rows=rows,
        page=page,
        opening=opening,
    )


def ledger_years(entries: QuerySet) -> list[int]:
    """The years with entries, oldest first."""
    return [d.year for d in entries.dates("date", "year")]


@dataclass(frozen=True)
class SummaryLine:
    key: str
    label: str
    count: int
    amount: Decimal
    share: Decimal | None  # percent of the total, one decimal


@dataclass
class YearSummary:
    year: int
    by_source: list[SummaryLine]
    by_purpose: list[SummaryLine]
    sponsors: list[dict]  # {"enterprise": name, "count": n, "amount": Decimal}, largest first
    income: Decimal
    expense: Decimal

    @property
    def net(self) -> Decimal:
        return self.income - self.expense


def _lines(choices, counts: dict, amounts: dict) -> list[SummaryLine]:
    total = sum(amounts.values(), ZERO)
    lines = []
    for key, label in choices:
        amount = amounts.get(key, ZERO)
        share = (amount * 100 / total).quantize(Decimal("0.1")) if total else None
        lines.append(SummaryLine(key=key, label=str(label), count=counts.get(key, 0), amount=amount, share=share))
    return lines


def year_summary(entries: QuerySet, *, year: int) -> YearSummary:
    """Income by source and expense by purpose for one year, and who sponsored how much. Two queries."""
    start, end = year_bounds(year)
    in_year = entries.filter(date__gte=start, date__lt=end)
    counts = {INCOME: {}, EXPENSE: {}}
    amounts = {INCOME: {}, EXPENSE: {}}
    for row in in_year.values("direction", "source", "purpose").annotate(n=Count("pk"), total=Sum("amount")).order_by():
        key = row["source"] if row["direction"] == INCOME else row["purpose"]
        counts[row["direction"]][key] = counts[row["direction"]].get(key, 0) + row["n"]
        amounts[row["direction"]][key] = amounts[row["direction"]].get(key, ZERO) + money(row["total"])
    sponsors = [
        {"enterprise": row["enterprise__name"], "count": row["n"], "amount": money(row["total"])}
        for row in in_year.filter(direction=INCOME, enterprise__isnull=False)
        .values("enterprise__name")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("-total", "enterprise__name")
    ]
    return YearSummary(
        year=year,
        by_source=_lines(FundEntry.Source.choices, counts[INCOME], amounts[INCOME]),
        by_purpose=_lines(FundEntry.Purpose.choices, counts[EXPENSE], amounts[EXPENSE]),
        sponsors=sponsors,
        income=sum(amounts[INCOME].values(), ZERO),
        expense=sum(amounts[EXPENSE].values(), ZERO),
    )


@dataclass(frozen=True)
class YearTotals:
    year: int
    income: Decimal
    expense: Decimal
    closing: Decimal  # the balance at the end of the year

    @property
    def net(self) -> Decimal:
        return self.income - self.expense


def yearly_totals(entries: QuerySet) -> list[YearTotals]:
    """Income and expense per year, oldest first, with the balance at each year's end. One query.

    Years without entries between two that have them are listed with zeros, so a chart's axis has no gaps.
    """
    found = {
        row["year"]: row
        for row in entries.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(
            income=Sum("amount", filter=Q(direction=INCOME), default=ZERO),
            expense=Sum("amount", filter=Q(direction=EXPENSE), default=ZERO),
        )
        .order_by("year")
    }
    totals, balance = [], ZERO
    if found:
        for year in range(min(found), max(found) + 1):
            row = found.get(year, {"income": ZERO, "expense": ZERO})
            income, expense = money(row["income"]), money(row["expense"])
            balance += income - expense
            totals.append(YearTotals(year=year, income=income, expense=expense, closing=balance))
    return totals
