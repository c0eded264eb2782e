"""Demo funding ledger for `manage.py seed_demo`.

The ledger (党建经费) follows the seed's "街道拨付一点、企业资助一点": the street allocates twice a year, a few
supportive enterprises sponsor, and the money goes on activities, study, the activity room, volunteering, help
for members in hardship and publicity, each with its voucher and the approver. Last year in full and this
year up to the demo day (the day the demo was first seeded), so a re-run on a later day adds nothing; an
entry is known by its date and voucher number.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import User
from enterprises import demo as enterprise_demo
from enterprises.models import Enterprise

from .models import FundEntry

VOUCHER = "记-{year}-{number:03d}"
SPONSORS = 3  # a year


@dataclass(frozen=True)
class EntryPlan:
    month: int
    day: int
    amount: str
    description: str
    source: str = ""  # income
    purpose: str = ""  # expense
    sponsor: int | None = None  # which of the year's sponsors


_S, _P = FundEntry.Source, FundEntry.Purpose

# One year's ledger; {year} and {party_age} are filled in. Money comes in before it goes out.
YEAR = [
    EntryPlan(3, 18, "20000", "浒山街道党工委拨付 {year} 年上半年楼宇党建工作经费", source=_S.STREET),
    EntryPlan(
        3, 28, "3260", "购买学习资料（党章、《习近平新时代中国特色社会主义思想学习纲要》等 60 册）", purpose=_P.STUDY
    ),
    EntryPlan(4, 20, "5000", "资助 {year} 年楼宇党建活动", source=_S.ENTERPRISE, sponsor=0),
    EntryPlan(4, 29, "1850", "“五一”党员志愿服务日活动物资（马甲、横幅、饮用水）", purpose=_P.VOLUNTEER),
    EntryPlan(5, 14, "6800", "组织党员赴嘉兴南湖开展红色教育（交通、讲解）", purpose=_P.ACTIVITIES),
    EntryPlan(5, 22, "4680", "党支部活动室（物业公司会议室）投影仪、书柜购置", purpose=_P.ROOM),
    EntryPlan(6, 26, "2000", "资助“七一”主题党日活动", source=_S.ENTERPRISE, sponsor=1),
    EntryPlan(6, 30, "2360", "庆祝建党 {party_age} 周年主题党日活动（场地布置、党旗党徽）", purpose=_P.ACTIVITIES),
    EntryPlan(7, 16, "1200", "党建宣传栏版面设计制作与更换", purpose=_P.PUBLICITY),
    EntryPlan(8, 21, "1580", "群防群治队夏季装备（反光背心、手电、灭火毯）", purpose=_P.VOLUNTEER),
    EntryPlan(9, 12, "15000", "浒山街道党工委拨付 {year} 年下半年楼宇党建工作经费", source=_S.STREET),
    EntryPlan(9, 26, "1500", "走访慰问困难党员 3 名", purpose=_P.HARDSHIP),
    EntryPlan(10, 15, "960", "党员亮相胸牌、党员示范岗标牌制作", purpose=_P.PUBLICITY),
    EntryPlan(10, 22, "1000", "党课：邀请市委党校教师授课讲课费", purpose=_P.STUDY),
    EntryPlan(11, 12, "1500", "资助年度党员志愿服务表彰", source=_S.ENTERPRISE, sponsor=2),
    EntryPlan(11, 19, "1860", "党员创先争优积分表彰奖品", purpose=_P.ACTIVITIES),
    EntryPlan(12, 10, "1200", "年末走访慰问困难党员和老党员", purpose=_P.HARDSHIP),
    EntryPlan(12, 18, "620", "年终党员大会会务（茶歇、资料印制）", purpose=_P.OTHER),
]


@demo.register(order=40)
def seed_funds(*, building, scale, stdout):
    """Insert the missing ledger entries."""
    admin = User.objects.filter(username="admin").first()
    added = _seed_ledger(building, by=admin)
    entries = FundEntry.objects.filter(building=building)
    totals = entries.aggregate(
        income=Sum("amount", filter=Q(direction=FundEntry.Direction.INCOME), default=Decimal(0)),
        expense=Sum("amount", filter=Q(direction=FundEntry.Direction.EXPENSE), default=Decimal(0)),
    )
    stdout.write(
        f"党建经费：{entries.count()} 笔（本次新增 {added} 笔），结余 {totals['income'] - totals['expense']:.2f} 元"
    )


@dataclass(frozen=True)
class Entry:
    date: datetime.date
    voucher_number: str
    plan: EntryPlan
    sponsor: str | None  # credit code


def demo_ledger(*, day: datetime.date, sponsors: list[str]) -> list[Entry]:
    """Last year's ledger and this year's up to ``day``, in date order, vouchers numbered through each year.

    The property company (``sponsors[0]``) sponsors every year; two others each year, from ``sponsors[1:]``.
    """
    ledger = []
    for offset, year in enumerate((day.year - 1, day.year)):
        own = [sponsors[0], *sponsors[1 + 2 * offset : 3 + 2 * offset]]
        for number, plan in enumerate(YEAR, start=1):
            date = datetime.date(year, plan.month, plan.day)
            date -= datetime.timedelta(days=max(0, date.weekday() - 4))  # a weekend's entry on the Friday
            if date <= day:
                sponsor = own[plan.sponsor] if plan.sponsor is not None and plan.sponsor < len(own) else None
                ledger.append(Entry(date, VOUCHER.format(year=year, number=number), plan, sponsor))
    return ledger


def _seed_ledger(building, *, by) -> int:
    day = enterprise_demo.demo_day()
    sponsors = _sponsors(day)
    enterprises = Enterprise.objects.in_bulk(sponsors, field_name="credit_code")
    approver = by.name if by is not None else ""
    existing = set(FundEntry.objects.filter(building=building).values_list("date", "voucher_number"))
    new = []
    for entry in demo_ledger(day=day, sponsors=sponsors):
        plan = entry.plan
        if (entry.date, entry.voucher_number) in existing:
            continue
        sponsor = enterprises.get(entry.sponsor) if plan.sponsor is not None else None
        if plan.sponsor is not None and sponsor is None:
            continue  # the sponsor is no longer in the registry
        income = bool(plan.source)
        new.append(
            FundEntry(
                building=building,
                date=entry.date,
                direction=FundEntry.Direction.INCOME if income else FundEntry.Direction.EXPENSE,
                source=plan.source,
                enterprise=sponsor,
                purpose=plan.purpose,
                amount=Decimal(plan.amount),
                description=plan.description.format(year=entry.date.year, party_age=entry.date.year - 1921),
                voucher_number=entry.voucher_number,
                # The general branch's secretary signs off expenses; the admin account is theirs in the demo.
                approver="" if income else approver,
                recorded_by=by,
            )
        )
    for row in new:
        row.full_clean()
    FundEntry.objects.bulk_create(new)
    # Entered the afternoon the money moved, not when the seed ran.
    for row in new:
        row.recorded_at = timezone.make_aware(datetime.datetime.combine(row.date, datetime.time(16, 30)))
    FundEntry.objects.bulk_update(new, ["recorded_at"])
    return len(new)


def _sponsors(day: datetime.date) -> list[str]:
    """Five supportive enterprises of the first unit in the building since before last year: the property
    company first, then the units of the joint branches, then others."""
    specs = enterprise_demo.demo_enterprises(1)
    since = datetime.date(day.year - 1, 1, 1)
    candidates = [
        s
        for s in specs
        if s.attitude == Enterprise.Attitude.SUPPORTIVE
        and s.status == Enterprise.Status.ACTIVE
        and s.moved_in_on < since
    ]
    candidates.sort(key=lambda s: s.party_org_status == Enterprise.PartyOrgStatus.NONE)  # stable: keeps spec order
    return [s.credit_code for s in candidates[: 1 + 2 * (SPONSORS - 1)]]
