"""Reads for letters and the funding ledger: who gets a letter and what it says, the ledger of a year, the
summaries. Everything takes querysets already scoped with ``for_user`` and runs a fixed number of queries."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from enterprises.models import Enterprise
from members.models import Member

from .models import MERGE_FIELD, FundEntry, LetterTemplate

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
INCOME, EXPENSE = FundEntry.Direction.INCOME, FundEntry.Direction.EXPENSE

# Members who no longer belong here get no letter, whatever the filters say.
LETTERLESS_STATUSES = (Member.Status.TRANSFERRED_OUT, Member.Status.DECEASED)


# --- letters ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    salutation: str  # the letter's first line, e.g. 张三同志：
    values: dict  # merge values by field name
    label: str  # how the recipient is listed on screen


@dataclass
class Letter:
    recipient: Recipient
    paragraphs: list[str]
    missing: list[str] = field(default_factory=list)  # merge fields the text uses that are empty for them


def letters_for(user) -> QuerySet:
    return LetterTemplate.objects.for_user(user).select_related("updated_by")


def owner_candidates(user) -> QuerySet:
    """The enterprises an owners' letter can go to, in building order, with what the merge needs."""
    return Enterprise.objects.for_user(user).select_related("liaison").order_by("floor", "room", "name", "pk")


def member_candidates(user) -> QuerySet:
    """The members a members' letter can go to (secretaries: their branch), with what the merge needs."""
    return (
        Member.objects.for_user(user)
        .exclude(status__in=LETTERLESS_STATUSES)
        .select_related("organization", "enterprise__liaison")
        .order_by("organization__name", "name", "pk")
    )


def _liaison_values(enterprise: Enterprise | None) -> dict:
    liaison = enterprise.liaison if enterprise is not None else None
    return {
        "联络员": liaison.display_name if liaison else "",
        "联络员电话": liaison.phone if liaison else "",
    }


def owner_values(enterprise: Enterprise) -> dict:
    """The letter goes to the legal representative, or the contact person when none is recorded."""
    return {
        "姓名": enterprise.legal_representative or enterprise.contact_name,
        "企业": enterprise.name,
        "房间": enterprise.room,
        **_liaison_values(enterprise),
    }


def member_values(member: Member) -> dict:
    enterprise = member.enterprise if member.enterprise_id else None
    return {
        "姓名": member.name,
        "企业": enterprise.name if enterprise else "",
        "房间": member.workplace_room,
        **_liaison_values(enterprise),
        "支部": member.organization.name,
    }


def owner_recipient(enterprise: Enterprise) -> Recipient:
    values = owner_values(enterprise)
    # The letter is Chinese whatever the interface language, like the transfer letter.
    salutation = f"尊敬的{values['姓名']}：" if values["姓名"] else f"尊敬的{enterprise.name}负责人："
    label = f"{values['姓名'] or '—'} · {enterprise.name}（{enterprise.room}）"
    return Recipient(salutation=salutation, values=values, label=label)


def member_recipient(member: Member) -> Recipient:
    values = member_values(member)
    label = " · ".join(filter(None, [member.name, values["支部"], values["企业"]]))
    return Recipient(salutation=f"{member.name}同志：", values=values, label=label)


def recipients(letter: LetterTemplate, candidates) -> list[Recipient]:
    make = owner_recipient if letter.audience == LetterTemplate.Audience.OWNERS else member_recipient
    return [make(obj) for obj in candidates]


def used_fields(body: str) -> list[str]:
    return list(dict.fromkeys(MERGE_FIELD.findall(body or "")))


def compose(letter: LetterTemplate, to: list[Recipient]) -> list[Letter]:
    """One letter per recipient: the merged text as paragraphs (one per non-empty line), plain text."""
    fields = used_fields(letter.body)
    letters = []
    for recipient in to:
        text = letter.render(recipient.values)
        paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
        missing = [f for f in fields if f in recipient.values and not recipient.values[f]]
        letters.append(Letter(recipient=recipient, paragraphs=paragraphs, missing=missing))
    return letters


# --- the funding ledger -------------------------------------------------------------------------------------


def money(value) -> Decimal:
    """A sum from the database as yuan with two decimals (SQLite hands back 1000 for 1000.00)."""
    return Decimal(value or 0).quantize(CENT)


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
    income: Decimal
    expense: Decimal
    rows: list[LedgerRow]

    @property
    def net(self) -> Decimal:
        return self.income - self.expense

    @property
    def closing(self) -> Decimal:
        return self.carried_over + self.net


def ledger(entries: QuerySet, *, year: int) -> Ledger:
    """The year's entries in date order with the running balance, carried over from earlier years.

    Two queries: one aggregate for the totals, one for the rows.
    """
    start, end = year_bounds(year)
    in_year = Q(date__gte=start, date__lt=end)
    totals = entries.aggregate(
        income_before=Sum("amount", filter=Q(direction=INCOME, date__lt=start), default=ZERO),
        expense_before=Sum("amount", filter=Q(direction=EXPENSE, date__lt=start), default=ZERO),
        income=Sum("amount", filter=Q(direction=INCOME) & in_year, default=ZERO),
        expense=Sum("amount", filter=Q(direction=EXPENSE) & in_year, default=ZERO),
    )
    totals = {key: money(value) for key, value in totals.items()}
    carried_over = totals["income_before"] - totals["expense_before"]
    rows, balance = [], carried_over
    for entry in entries.filter(in_year).select_related("enterprise").order_by("date", "pk"):
        balance += signed(entry)
        rows.append(LedgerRow(entry=entry, balance=balance))
    return Ledger(year=year, carried_over=carried_over, income=totals["income"], expense=totals["expense"], rows=rows)


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
