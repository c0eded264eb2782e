"""Reads over party dues (DOMAIN.md §6): the standard in force, "党费已交到", arrears.

Every function here takes member ids (or a queryset already scoped by the caller) and runs a fixed number of
queries however many members it is asked about.
"""

import dataclasses
import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F, Max, Min, Q
from django.utils import timezone

from .dues_models import DuesBill, DuesStandard, first_of_month, month_label, months_inclusive
from .models import Member, add_months


def paying_by(members, day: datetime.date):
    """Of a member queryset, those who owe dues by ``day``: in normal standing and admitted by then. Probationary
    members pay from the branch meeting that admitted them (their ``joined_on``)."""
    return members.filter(status=Member.Status.NORMAL, joined_on__lte=day)


def standards_in_force(member_ids: Iterable[int], year: int) -> dict[int, DuesStandard]:
    """Each member's confirmed standard for ``year``, else their latest confirmed one of an earlier year.

    The amount is set at the start of the year and normally kept (2017 notice), so a standard carries over
    into the following years until a new one is confirmed. Members without any confirmed standard are absent
    from the result. One query.
    """
    member_ids = list(member_ids)
    if not member_ids:
        return {}
    rows = (
        DuesStandard.objects.filter(member_id__in=member_ids, year__lte=year, status=DuesStandard.Status.CONFIRMED)
        .select_related("payer_enterprise")
        .order_by("member_id", "-year")
    )
    result: dict[int, DuesStandard] = {}
    for standard in rows:
        result.setdefault(standard.member_id, standard)
    return result


def standard_in_force(member, year: int) -> DuesStandard | None:
    return standards_in_force([member.pk], year).get(member.pk)


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

    @property
    def count(self) -> int:
        return len(self.months)

    @property
    def oldest(self) -> datetime.date | None:
        return self.months[0] if self.months else None

    @property
    def is_candidate(self) -> bool:
        return self.longest_run >= CANDIDATE_MONTHS

    @property
    def needs_reminder(self) -> bool:
        return self.count >= REMINDER_MONTHS

    @property
    def month_labels(self) -> list[str]:
        return [month_label(m) for m in self.months]


def arrears_map(member_ids: Iterable[int], *, today: datetime.date | None = None) -> dict[int, Arrears]:
    """Arrears of each member who has any, in one query: the open bills (neither paid in full nor excused)
    before the current month, the longest and the current run of consecutive months, the amount owed.

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
    result: dict[int, Arrears] = {}
    run_start: dict[int, datetime.date] = {}
    for member_id, month, amount, paid in rows:
        arrears = result.get(member_id)
        if arrears is None:
            arrears = result[member_id] = Arrears(member_id=member_id)
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
    open_before = DuesBill.objects.filter(OPEN, month__lt=current).values("member_id")
    return members.filter(pk__in=open_before)


def members_without_standard(members, year: int):
    """Of a member queryset, those with no confirmed standard for ``year`` or before: they are not billed."""
    with_standard = DuesStandard.objects.filter(status=DuesStandard.Status.CONFIRMED, year__lte=year).values(
        "member_id"
    )
    return members.exclude(pk__in=with_standard)
