"""Demo points (积分) for `manage.py seed_demo`; imported by members/demo.py so its step registers.

Runs after the dues demo (order 25), whose paid-on-time bills become automatic points. Then a few claims of the
first branch's members, with evidence: approved, waiting and one rejected with a reason; and a deduction.
member1 has points of both kinds. Every claim is known by its text, so a second run adds nothing.
"""

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import PartyOrganization, User
from members.models import Member
from members.points import services as points
from members.points.models import PointEntry, PointRule, PointYear

BASE_SCORE = 60
EVIDENCE_DIR = "points/demo"


@dataclass(frozen=True)
class ClaimPlan:
    who: str  # "member1", or the n-th member (0-based, by record) of a branch without an account: "第一党支部:1"
    rule: str
    note: str
    occurred: int  # days ago
    evidence: str
    decision: str = ""  # "approve", "reject", or waiting
    decided: int = 0  # days ago
    reason: str = ""


CLAIMS = [
    ClaimPlan(
        "member1",
        "honour",
        "获评浒山街道2025年度“优秀志愿者”",
        occurred=40,
        evidence="volunteer-award.pdf",
        decision="approve",
        decided=37,
    ),
    ClaimPlan(
        "member1",
        "study_claimed",
        "参加慈溪市委党校“两新”组织党员专题培训班（2天）",
        occurred=21,
        evidence="training-certificate.pdf",
        decision="approve",
        decided=18,
    ),
    ClaimPlan(
        "member1",
        "volunteer_claimed",
        "周末在白沙路街道社区参加垃圾分类宣传志愿服务",
        occurred=5,
        evidence="volunteer-photo.pdf",
    ),
    ClaimPlan(
        f"{demo.BRANCH_1}:0",
        "volunteer_claimed",
        "参加慈溪市无偿献血志愿服务活动",
        occurred=30,
        evidence="blood-donation.pdf",
        decision="approve",
        decided=28,
    ),
    ClaimPlan(
        f"{demo.BRANCH_1}:1",
        "study_claimed",
        "自学“学习强国”专题课程",
        occurred=25,
        evidence="study-screenshot.pdf",
        decision="reject",
        decided=23,
        reason="截图看不出学习时长和课程名称，请补充完整的学习记录后重新申报",
    ),
    ClaimPlan(
        f"{demo.BRANCH_1}:2",
        "suggestion_adopted",
        "建议在大厦一楼设置党员志愿服务岗，已被物业采纳",
        occurred=9,
        evidence="suggestion.pdf",
    ),
    ClaimPlan(
        f"{demo.BRANCH_2}:0",
        "honour",
        "所在企业年度“先进工作者”",
        occurred=12,
        evidence="company-award.pdf",
    ),
]


@dataclass(frozen=True)
class DeductionPlan:
    who: str
    rule: str
    note: str
    occurred: int


DEDUCTIONS = [
    DeductionPlan(f"{demo.BRANCH_1}:3", "meeting_absent", "未请假缺席本月主题党日活动", occurred=14),
]

# A PDF small enough to keep in the source: one blank page.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _day(today: datetime.date, days_ago: int) -> datetime.date:
    """A day this year (the ledgers show this year first), ``days_ago`` before today at most."""
    return max(today - datetime.timedelta(days=days_ago), today.replace(month=1, day=1))


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _evidence(name: str):
    """The demo's evidence file, written once and shared by every run (nothing piles up in the media folder)."""
    path = f"{EVIDENCE_DIR}/{name}"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(PDF))
    return PointEntry(evidence=path).evidence


def _cast(building) -> dict:
    """who → Member: member1, and per branch the members without an account in normal standing, by record."""
    cast = {}
    member1 = Member.objects.filter(user__username="member1").select_related("organization").first()
    if member1 is not None:
        cast["member1"] = member1
    for name in (demo.BRANCH_1, demo.BRANCH_2):
        branch = PartyOrganization.objects.filter(building=building, name=name).first()
        if branch is None:
            continue
        members = (
            Member.objects.filter(
                organization_id__in=branch.subtree_ids(),
                status=Member.Status.NORMAL,
                whereabouts=Member.Whereabouts.HERE,
                user__isnull=True,
            )
            .select_related("organization")
            .order_by("pk")[:4]
        )
        for index, member in enumerate(members):
            cast[f"{name}:{index}"] = member
    return cast


@demo.register(order=26)
def seed_points(*, building, scale, stdout):
    """1. The default rules and this year's base score (an admin's changes stay).
    2. Automatic points: the dues bills paid on time (the dues demo's) become entries, once each.
    3. The claims and the deduction not made before, each dated as planned and decided by the secretary.
    """
    today = timezone.localdate()
    points.ensure_default_rules(building)
    PointYear.objects.get_or_create(building=building, year=today.year, defaults={"base_score": BASE_SCORE})
    counts = points.credit_automatic(building_id=building.pk)

    rules = {r.code: r for r in PointRule.objects.filter(building=building)}
    notes = [plan.note for plan in CLAIMS] + [plan.note for plan in DEDUCTIONS]
    done = set(PointEntry.objects.filter(rule__building=building, note__in=notes).values_list("rule__code", "note"))
    cast = _cast(building)
    secretaries = {u.organization.name: u for u in User.objects.filter(username__in=["secretary1", "secretary2"])}
    claims = 0
    for plan in CLAIMS:
        member, rule = cast.get(plan.who), rules.get(plan.rule)
        if member is None or rule is None or (plan.rule, plan.note) in done or not rule.is_active:
            continue
        occurred = _day(today, plan.occurred)
        entry = points.claim_submit(
            member=member,
            rule=rule,
            occurred_on=occurred,
            note=plan.note,
            evidence=_evidence(plan.evidence),
            by=member.user,
        )
        PointEntry.objects.filter(pk=entry.pk).update(created_at=_at(occurred, 20))
        claims += 1
        secretary = secretaries.get(member.organization.branch.name)
        if plan.decision and secretary is not None:
            points.claim_decide(entry=entry, approve=plan.decision == "approve", decided_by=secretary, note=plan.reason)
            decided = max(_day(today, plan.decided), occurred)
            PointEntry.objects.filter(pk=entry.pk).update(decided_at=_at(decided, 9))
    for plan in DEDUCTIONS:
        member, rule = cast.get(plan.who), rules.get(plan.rule)
        if member is None or rule is None or (plan.rule, plan.note) in done or not rule.is_active:
            continue
        secretary = secretaries.get(member.organization.branch.name)
        occurred = _day(today, plan.occurred)
        entry = points.deduction_record(member=member, rule=rule, occurred_on=occurred, note=plan.note, by=secretary)
        recorded = _at(min(occurred + datetime.timedelta(days=1), today), 9)
        PointEntry.objects.filter(pk=entry.pk).update(created_at=recorded, decided_at=recorded)
        claims += 1

    entries = PointEntry.objects.filter(rule__building=building)
    stdout.write(
        f"积分：规则 {len(rules)} 条，{today.year} 年基础分 "
        f"{points.base_score(building.pk, today.year)} 分；本次自动计分 {counts['credited']} 条，"
        f"申报和扣分 {claims} 条；待审核申报 {entries.filter(status=PointEntry.Status.PENDING).count()} 条"
    )


@demo.register(order=49)  # after every step whose records earn automatic points (meetings 35, study 47, …, 48)
def credit_activity_points(*, building, scale, stdout):
    """The automatic points of organisational life, study and volunteering, credited once when all are seeded:
    each credit runs every source over the whole building, which at district scale took a minute a time."""
    counts = points.credit_automatic(building_id=building.pk)
    stdout.write(f"积分：三会一课、学习和志愿服务本次自动计入 {counts.get('credited', 0)} 条")
