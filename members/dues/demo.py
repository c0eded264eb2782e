"""Demo party dues (党费) for `manage.py seed_demo`; imported by members/demo.py so its step registers.

Every demo member in normal standing gets a confirmed standard for last year and this year: most are employed,
the rest self-employed, retired, a student, unemployed, on relief, rural; one has a hardship reduction with its
reason and approver; a few have their dues paid by a relative or another member (代交; never by an enterprise:
公款代交 is forbidden). Then a year of
bills up to the current month, made by the same service as the monthly job, and the payments through the
payment service: most monthly, some quarterly with the branch's consent, the 代交 ones by the payer; a few
members three to five months behind, one seven months behind (a 按自行脱党处理 candidate), one month excused, one
paid in part, and the member who lost contact six or more months behind (on the lost-contact route, not
flagged). member1 has paid every month up to last month.

Deterministic and idempotent: each member's plan comes from a random generator seeded with their ID number, a
standard is added only where none exists, and payments only for members who have none yet.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import User
from members.dues.models import DuesAllocation, DuesBill, DuesPayment, DuesStandard, first_of_month
from members.dues.rules import monthly_dues
from members.dues.selectors import arrears_map
from members.models import Member, add_months

from . import jobs, services

HISTORY_MONTHS = 12  # a year of bills, up to and including the current month
ARREARS_MONTHS = (3, 4, 5)
MEMBERS_PER_UNIT = 52  # members/demo.py PER_SCALE: the arrears above come again with every 52 members
WAGE_BASES = [2800, 3000, 3500, 4200, 5000, 5500, 6200, 6800, 7500, 8000, 9000, 10000, 11000, 12500, 15000]
PENSIONS = [3200, 3900, 4600, 5000, 5400, 6100]
METHODS = [DuesPayment.Method.WECHAT, DuesPayment.Method.CASH, DuesPayment.Method.ALIPAY, DuesPayment.Method.BANK]
METHOD_WEIGHTS = [40, 25, 20, 15]
QUARTERLY_SHARE = 0.15
RELATIVES = ["张建华（配偶）", "李秀英（母亲）", "陈立新（配偶）"]
PROXY_MEMBERS = 2  # members whose dues a fellow member of their branch hands in (代交)
HARDSHIP = {
    "override_amount": Decimal("5.00"),
    "override_reason": "家人重病，医疗费用负担重；经支部党员大会讨论同意减交",
    "approver": "联合党总支 {year}-01-10 批准",
}
EXCUSE = "住院治疗，有正当理由未交（经支部委员会同意）"
QUARTERLY_CONSENT = "支部委员会同意按季度交纳"


@dataclass
class Plan:
    """How one member's dues go: their standard, and how they pay."""

    kind: str = "employed"
    base: Decimal | None = None
    payer: str = DuesStandard.Payer.SELF
    payer_name: str = ""
    override: bool = False
    pattern: str = "monthly"  # monthly, quarterly, relative (代交 by a relative or another member)
    unpaid_from: datetime.date | None = None  # months from here on stay unpaid
    excused: datetime.date | None = None
    partial: datetime.date | None = None
    rng: random.Random = field(default_factory=random.Random)


def _plans(members: list[Member], today: datetime.date) -> dict[int, Plan]:
    """Each member's plan; ``members`` sorted by ID number, so the picks are the same on every run."""
    plans = {m.pk: Plan(rng=random.Random(f"dues-{m.id_number}")) for m in members}
    current = first_of_month(today)
    member1 = next((m for m in members if m.user_id and m.user.username == "member1"), None)
    free = [m for m in members if m is not member1 and not m.lost_contact_since]

    def take(candidates, n=1):
        # By primary key: comparing model instances one by one took seconds at district scale.
        free_ids = {m.pk for m in free}
        chosen = [m for m in candidates if m.pk in free_ids][:n]
        chosen_ids = {m.pk for m in chosen}
        free[:] = [m for m in free if m.pk not in chosen_ids]
        return chosen

    for m in take([m for m in free if m.job_note in ("个体经营", "自由职业")], 4):
        plans[m.pk].kind = "self_employed"
    for m in take([m for m in free if m.job_note == "待业"] or free[-1:]):
        plans[m.pk].kind = "unemployed"
    oldest = sorted(free, key=lambda m: m.birth_date)
    for m in take([m for m in oldest if m.birth_date < datetime.date(today.year - 60, 1, 1)][:2] or oldest[:1], 2):
        plans[m.pk].kind = "retired"
    for m in take(sorted(free, key=lambda m: m.birth_date, reverse=True)):
        plans[m.pk].kind = "student"
    hardship = [m for m in free if m.is_hardship]
    for m in take(hardship or free[:1]):
        plans[m.pk].override = True
    for m in take(hardship or free[1:2]):
        plans[m.pk].kind = "low_income"
    for m in take(free[len(free) // 2 :]):
        plans[m.pk].kind = "rural"

    for m in members:
        plan = plans[m.pk]
        if plan.kind in ("employed", "self_employed"):
            plan.base = Decimal(plan.rng.choice(WAGE_BASES))
        elif plan.kind == "retired":
            plan.base = Decimal(plan.rng.choice(PENSIONS))

    # Who pays for whom, and how.
    for m, name in zip(take([m for m in free if m.is_mobile], 1), RELATIVES):
        plans[m.pk].payer, plans[m.pk].payer_name, plans[m.pk].pattern = DuesStandard.Payer.OTHER, name, "relative"
    for m in take([m for m in free if plans[m.pk].kind == "employed"], PROXY_MEMBERS):
        colleague = next((c for c in members if c.organization_id == m.organization_id and c is not m), None)
        if colleague is not None:
            plan = plans[m.pk]
            plan.payer, plan.payer_name, plan.pattern = (
                DuesStandard.Payer.OTHER,
                f"{colleague.name}（党员）",
                "relative",
            )
    # Behind: three members of every unit of the demo by three to five months; the member out of contact since
    # they were lost.
    units = max(1, round(len(members) / MEMBERS_PER_UNIT))
    for n, m in enumerate(take(free[3:], len(ARREARS_MONTHS) * units)):
        plans[m.pk].unpaid_from = add_months(current, -ARREARS_MONTHS[n % len(ARREARS_MONTHS)])
    for m in members:
        if m.lost_contact_since:
            plans[m.pk].unpaid_from = min(add_months(first_of_month(m.lost_contact_since), 1), add_months(current, -6))
    # Seven months behind without a reason and still in contact: the 按自行脱党处理 candidate (a member out of
    # contact is on the lost-contact route instead, DOMAIN.md §5a).
    for m in take(free[3:]):
        plans[m.pk].unpaid_from = add_months(current, -7)
    for m in take(free[5:]):
        plans[m.pk].excused = add_months(current, -2)
    for m in take(free[6:]):
        plans[m.pk].partial = add_months(current, -1)
    for m in list(free):
        if plans[m.pk].rng.random() < QUARTERLY_SHARE:
            plans[m.pk].pattern = "quarterly"
    if member1 is not None:
        plans[member1.pk] = Plan(kind="employed", base=Decimal("6800"), rng=random.Random("dues-member1"))
    return plans


def _ensure_standards(members: list[Member], plans: dict[int, Plan], *, today: datetime.date, users: dict) -> int:
    """A confirmed standard for last year and this year for every member without one. Returns how many."""
    from members.demo import _recorder

    years = (today.year - 1, today.year)
    have = set(DuesStandard.objects.filter(member__in=members, year__in=years).values_list("member_id", "year"))
    new = []
    for m in members:
        plan = plans[m.pk]
        for year in years:
            if (m.pk, year) in have:
                continue
            base = plan.base
            if base is not None and year < today.year:
                base = (base * Decimal("0.96")).quantize(Decimal("100"))  # last year's pay was a little lower
            confirmed_on = min(datetime.date(year, 1, 10), today)
            standard = DuesStandard(
                member=m,
                year=year,
                kind=plan.kind,
                declared_base=base,
                computed_amount=monthly_dues(base, plan.kind),
                payer=plan.payer,
                payer_name=plan.payer_name,
                status=DuesStandard.Status.CONFIRMED,
                declared_at=timezone.make_aware(datetime.datetime.combine(confirmed_on, datetime.time(9))),
                confirmed_by=_recorder(m.organization.name, users),
                confirmed_at=timezone.make_aware(datetime.datetime.combine(confirmed_on, datetime.time(15))),
            )
            if plan.override:
                standard.override_amount = HARDSHIP["override_amount"]
                standard.override_reason = HARDSHIP["override_reason"]
                standard.override_approved_by = HARDSHIP["approver"].format(year=year)
            new.append(standard)
    DuesStandard.objects.bulk_create(new)
    return len(new)


@dataclass(frozen=True)
class Payment:
    paid_on: datetime.date
    first: datetime.date
    last: datetime.date
    method: str
    partial: bool = False


def _payments(member: Member, plan: Plan, billed: list[datetime.date], today: datetime.date) -> list[Payment]:
    """The payments a member made over the billed months, oldest first."""
    rng = plan.rng
    due = [m for m in billed if m != plan.excused and (plan.unpaid_from is None or m < plan.unpaid_from)]
    payments = []
    if plan.pattern == "quarterly":
        method = rng.choices(METHODS, METHOD_WEIGHTS)[0]
        quarters = sorted({(m.year, (m.month - 1) // 3) for m in due})
        for year, quarter in quarters:
            start = datetime.date(year, quarter * 3 + 1, 1)
            first = max(start, due[0])
            paid_on = start + datetime.timedelta(days=7)
            if paid_on > today:
                continue
            payments.append(Payment(paid_on, first, add_months(start, 2), method))
        return payments
    for month in due:
        day = rng.randint(3, 25)
        paid_on = month.replace(day=day)
        if paid_on > today:
            continue
        method = DuesPayment.Method.PROXY if plan.pattern == "relative" else rng.choices(METHODS, METHOD_WEIGHTS)[0]
        payments.append(Payment(paid_on, month, month, method, partial=month == plan.partial))
    return payments


def _record_all(rows, *, standards: dict) -> int:
    """Write the demo's payment history in bulk: the same rows ``record_payment`` writes one by one (bills made
    for months not yet billed, money allocated oldest bill first, a bill paid in full dated), in a handful of
    queries instead of a dozen per payment, so seeding stays quick.

    ``rows``: (member, plan, payments, amounts by year, recorder) for members with no payments yet."""
    members = [row[0] for row in rows]
    bills = {(b.member_id, b.month): b for b in DuesBill.objects.filter(member__in=members)}
    new_bills, new_keys, touched, records = [], set(), set(), []
    for member, plan, payments, amounts, by in rows:
        for n, p in enumerate(payments, start=1):
            months = services.months_from_to(p.first, p.last)
            amount = sum((amounts[m.year] for m in months), Decimal("0"))
            if p.partial:
                amount = (amount / 2).quantize(Decimal("0.01"))
            for month in months:
                if (member.pk, month) not in bills:
                    standard = standards.get((member.pk, month.year)) or standards.get((member.pk, month.year - 1))
                    bill = DuesBill(
                        member=member,
                        organization_id=member.organization.branch_pk,
                        month=month,
                        amount=amounts[month.year],
                        standard=standard,
                        paid_on=month if amounts[month.year] == 0 else None,
                    )
                    bills[(member.pk, month)] = bill
                    new_bills.append(bill)
                    new_keys.add((member.pk, month))
            left, shares = amount, []
            for month in months:
                bill = bills[(member.pk, month)]
                share = min(left, bill.amount - bill.paid_amount)
                if share <= 0:
                    continue
                bill.paid_amount += share
                if bill.paid_amount >= bill.amount:
                    bill.paid_on = p.paid_on
                touched.add((member.pk, month))
                shares.append((bill, share))
                left -= share
            paid = amount - left
            if paid <= 0:
                continue
            several = p.last > p.first
            proxy = p.method == DuesPayment.Method.PROXY
            payment = DuesPayment(
                member=member,
                amount=paid,
                paid_on=p.paid_on,
                method=p.method,
                receipt_number=f"DF{p.first:%Y%m}-{member.pk:05d}",
                payer_name=plan.payer_name if proxy else "",
                first_month=p.first,
                last_month=p.last,
                consent_by=by if several else None,
                consent_note=QUARTERLY_CONSENT if several else "",
                recorded_by=by,
            )
            recorded_at = timezone.make_aware(datetime.datetime.combine(p.paid_on, datetime.time(16, n % 60)))
            records.append((payment, recorded_at, shares))
    with transaction.atomic():
        DuesBill.objects.bulk_create(new_bills)
        demo.bulk_save(DuesBill, [bills[key] for key in touched - new_keys], ["paid_amount", "paid_on"])
        created = DuesPayment.objects.bulk_create([payment for payment, _at, _shares in records], batch_size=500)
        for payment, (_p, at, _s) in zip(created, records, strict=True):
            payment.recorded_at = at
        demo.bulk_save(DuesPayment, created, ["recorded_at"])
        DuesAllocation.objects.bulk_create(
            [
                DuesAllocation(payment=payment, bill=bill, amount=share)
                for payment, (_p, _at, shares) in zip(created, records, strict=True)
                for bill, share in shares
            ],
            batch_size=500,
        )
    return len(records)


@demo.register(order=25)
def seed_dues(*, building, scale, stdout):
    """Standards, a year of bills and the payments of the demo members; then the arrears look-out.

    1. A confirmed standard for last year and this year for each member in normal standing without one.
    2. The bills of the last twelve months through ``generate_bills`` (the monthly job's service); only the
       current month's tells the members.
    3. Each member without payments pays their plan, written in bulk as ``record_payment`` would write it.
    4. One month excused with its reason; then the arrears job flags the candidate to their secretary.
    """
    today = timezone.localdate()
    current = first_of_month(today)
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "secretary1", "secretary2", "member1"])}
    # Sorted here: the ID number column is encrypted, so its database order is random.
    members = sorted(
        Member.objects.filter(
            organization__building=building, status=Member.Status.NORMAL, whereabouts=Member.Whereabouts.HERE
        ).select_related("organization", "user", "enterprise"),
        key=lambda m: m.id_number,
    )
    plans = _plans(members, today)
    added = _ensure_standards(members, plans, today=today, users=users)

    for offset in range(HISTORY_MONTHS - 1, -1, -1):
        month = add_months(current, -offset)
        services.generate_bills(month=month, building_id=building.pk, notify_members=month == current)

    from members.demo import _recorder

    paid = set(DuesPayment.objects.filter(member__in=members).values_list("member_id", flat=True).distinct())
    billed: dict[int, list[datetime.date]] = {}
    for member_id, month in (
        DuesBill.objects.filter(member__in=members, month__gte=add_months(current, 1 - HISTORY_MONTHS))
        .order_by("month")
        .values_list("member_id", "month")
    ):
        billed.setdefault(member_id, []).append(month)
    amounts = {
        (s.member_id, s.year): s.amount
        for s in DuesStandard.objects.filter(member__in=members, status=DuesStandard.Status.CONFIRMED)
    }
    standards = {
        (s.member_id, s.year): s
        for s in DuesStandard.objects.filter(member__in=members, status=DuesStandard.Status.CONFIRMED)
    }
    rows = []
    for m in members:
        if m.pk in paid or m.pk not in billed:
            continue
        plan = plans[m.pk]
        by = _recorder(m.organization.name, users)
        years = {year: amounts.get((m.pk, year), Decimal("0")) for year in (today.year - 1, today.year, today.year + 1)}
        years[today.year + 1] = years[today.year]  # paying ahead into next year, at this year's amount
        rows.append((m, plan, _payments(m, plan, billed[m.pk], today), years, by))
    payments = _record_all(rows, standards=standards)
    for m, plan, _payments_made, _years, by in rows:
        if plan.excused:
            bill = DuesBill.objects.filter(member=m, month=plan.excused, excused_reason="").first()
            if bill is not None and not bill.is_paid:
                # Recorded at a fixed hour, so seeding again or at a larger scale gives the same rows; yesterday's,
                # as today's 9:00 is still to come when the demo is seeded in the small hours.
                yesterday = today - datetime.timedelta(days=1)
                at = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(9)))
                services.excuse_bill(bill=bill, reason=EXCUSE, by=by, at=at)

    flags = jobs.arrears_flags(today=today.isoformat())

    bills = DuesBill.objects.filter(organization__building=building)
    counts = bills.aggregate(
        total=Count("pk"),
        settled=Count("pk", filter=Q(paid_amount__gte=F("amount"))),
        this_month=Count("pk", filter=Q(month=current)),
    )
    debts = arrears_map([m.pk for m in members], today=today)
    stdout.write(
        f"党费：标准 {DuesStandard.objects.filter(member__organization__building=building).count()} 条"
        f"（本次新增 {added} 条），应交党费记录 {counts['total']} 条（本月 {counts['this_month']} 条，已交清 "
        f"{counts['settled']} 条），本次记录交纳 {payments} 笔；欠交党员 {len(debts)} 名，"
        f"连续六个月未交 {sum(1 for d in debts.values() if d.is_candidate)} 名（已提醒书记 {flags['candidates']} 次）"
    )
