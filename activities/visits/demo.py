"""Demo home visits and the hardship register for `manage.py seed_demo`, after the members (20) and the enterprises.

Over the last twelve months each branch visits, in the three ways of the seed (帮一帮、带一带、问一问): its members
in hardship every quarter, with help given (money at some visits) and a follow-up a month later; the families of
its mobile members twice a year; its probationary members twice a year (带一带); its oldest member once; and the
enterprises its members work for twice a year. Follow-ups already due are done; besides, the first branch has one
follow-up overdue and one due within the week, so the secretary's home panel and the reminder job have something
to show.

The hardship register holds the members the member register already marks in hardship (so the two agree), each
with the street's Spring Festival 慰问金 and the branch's 七一 visit money, and one enterprise's donation; the
first branch also has one record resolved last year (a member back at work).

Visits are known by organisation, whom, date and kind; records by member; assistance by member, date and what:
a second run adds nothing.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from buildingparty import demo
from buildingparty.models import PartyOrganization, User
from members.models import Member

from .models import Assistance, HardshipRecord, HomeVisit

Kind, Whom = HomeVisit.Kind, HomeVisit.Whom

HELP_MONTHS, HELP_DAY = (1, 4, 7, 10), 18
FAMILY_MONTHS, FAMILY_DAY = (2, 8), 10
MENTOR_MONTHS, MENTOR_DAY = (3, 9), 22
ELDER_MONTH, ELDER_DAY = 6, 12
ENTERPRISE_MONTHS, ENTERPRISE_DAY = (5, 11), 15
FOLLOW_UP_DAYS = 30

HELP_NEEDS = ["希望协助申请大病医疗救助", "需要就业岗位信息", "孩子暑期需要课业辅导", "家中电器老化需要维修"]
HELP_GIVEN = [
    ("送去慰问金和米、油", Decimal("500.00")),
    ("帮助联系楼宇企业的招聘岗位", None),
    ("联系社区办理医疗救助申请", None),
    ("党员志愿者上门维修家电，送去生活用品", Decimal("300.00")),
]
ENTERPRISE_NEEDS = ["希望协助员工子女入学咨询", "希望提供招商和政策解读", "希望对接人才招聘", ""]
NOTE_KINDS = [
    ("失业", HardshipRecord.Kind.UNEMPLOYMENT),
    ("慢性病", HardshipRecord.Kind.ILLNESS),
    ("重病", HardshipRecord.Kind.FAMILY),
    ("抚养", HardshipRecord.Kind.FAMILY),
]
STREET = "浒山街道党工委"
STREET_GIFT, BRANCH_GIFT, ENTERPRISE_GIFT = "春节慰问金", "“七一”走访慰问金", "企业爱心捐助"


def _months_back(today: datetime.date, months: int = 12):
    """(year, month) of the last ``months`` months, this one included."""
    year, month = today.year, today.month
    for _i in range(months):
        yield year, month
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


def _kind_of(note: str) -> str:
    return next((kind for word, kind in NOTE_KINDS if word in note), HardshipRecord.Kind.OTHER)


class _Plan:
    """The visits of one branch, collected; only those not yet in the database are written."""

    def __init__(self, branch, recorder, visitors, existing, today):
        self.branch, self.recorder, self.visitors, self.existing, self.today = (
            branch,
            recorder,
            visitors,
            existing,
            today,
        )
        self.rows: list[HomeVisit] = []

    def add(self, day, kind, *, member=None, enterprise=None, whom=Whom.MEMBER, follow_up=False, **fields):
        if day > self.today or day <= self.today - datetime.timedelta(days=365):
            return
        key = (self.branch.pk, whom, member.pk if member else None, enterprise.pk if enterprise else None, day, kind)
        if key in self.existing:
            return
        self.existing.add(key)
        visit = HomeVisit(
            organization=self.branch,
            whom=whom,
            member=member,
            enterprise=enterprise,
            kind=kind,
            visited_on=day,
            visitors=self.visitors,
            recorded_by=self.recorder,
            recorded_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 0))),
            **fields,
        )
        if follow_up:
            visit.follow_up_on = day + datetime.timedelta(days=FOLLOW_UP_DAYS)
            if visit.follow_up_on < self.today:  # the regular follow-ups are done; the demo's overdue one is apart
                visit.follow_up_done_at = timezone.make_aware(
                    datetime.datetime.combine(visit.follow_up_on, datetime.time(16, 0))
                )
                visit.follow_up_done_by = self.recorder
                visit.follow_up_note = "已电话回访，情况好转"
        self.rows.append(visit)


def _branch_plan(plan: _Plan, members: list[Member], today: datetime.date) -> None:
    hardship = [m for m in members if m.is_hardship]
    mobile = [m for m in members if m.is_mobile]
    probationary = [m for m in members if m.category == Member.Category.PROBATIONARY]
    enterprises = list({m.enterprise.pk: m.enterprise for m in members if m.enterprise_id}.values())[:2]
    others = [m for m in members if not m.is_hardship and not m.is_mobile]
    elder = min(others, key=lambda m: (m.birth_date, m.pk)) if others else None
    for year, month in _months_back(today):
        for i, member in enumerate(hardship):
            if month in HELP_MONTHS:
                quarter = HELP_MONTHS.index(month)
                given, amount = HELP_GIVEN[(quarter + i) % len(HELP_GIVEN)]
                plan.add(
                    datetime.date(year, month, HELP_DAY),
                    Kind.HELP,
                    member=member,
                    follow_up=True,
                    found=f"了解近况：{member.hardship_note or '生活有一定困难'}，情绪稳定，感谢组织关心。",
                    needs=HELP_NEEDS[(quarter + i) % len(HELP_NEEDS)],
                    help_given=given,
                    help_amount=amount,
                )
        for member in mobile:
            if month in FAMILY_MONTHS:
                plan.add(
                    datetime.date(year, month, FAMILY_DAY),
                    Kind.ENQUIRE,
                    member=member,
                    whom=Whom.FAMILY,
                    family_contact=f"配偶 · 电话 1385741{member.pk % 10000:04d}",
                    found=(
                        f"家人身体健康；{member.name}在{member.mobile_destination or '外地'}工作顺利，"
                        "按时参加当地组织生活。"
                    ),
                    needs="家中老人希望节日前后有人探望" if month == FAMILY_MONTHS[0] else "",
                    help_given="转达支部关心，留下支部联系方式",
                )
        for member in probationary:
            if month in MENTOR_MONTHS:
                plan.add(
                    datetime.date(year, month, MENTOR_DAY),
                    Kind.MENTOR,
                    member=member,
                    found="预备期思想汇报按时提交，工作表现积极，对党的理论学习还需加强。",
                    needs="希望多参加志愿服务，得到老党员指导",
                    help_given="讲解党章和入党誓词，商定下季度学习计划，安排一名老党员结对",
                )
        if elder is not None and month == ELDER_MONTH:
            plan.add(
                datetime.date(year, month, ELDER_DAY),
                Kind.ENQUIRE,
                member=elder,
                found="身体状况良好，关心支部活动，愿意为年轻党员讲党史。",
                needs="希望送学上门",
            )
        for i, enterprise in enumerate(enterprises):
            if month in ENTERPRISE_MONTHS:
                plan.add(
                    datetime.date(year, month, ENTERPRISE_DAY),
                    Kind.ENQUIRE,
                    enterprise=enterprise,
                    whom=Whom.ENTERPRISE,
                    found="企业经营正常，负责人支持党建工作，党员在岗位上发挥作用。",
                    needs=ENTERPRISE_NEEDS[(i + month) % len(ENTERPRISE_NEEDS)],
                )


def _hardship_register(building, members_by_branch, users, today) -> tuple[int, int]:
    """Records for the members the member register marks in hardship, one resolved record in the first branch,
    and their assistance. Returns (records, assistance rows) added."""
    in_building = {"member__organization__building": building}
    recorded = set(HardshipRecord.objects.filter(**in_building).values_list("member_id", flat=True))
    given = set(Assistance.objects.filter(**in_building).values_list("member_id", "given_on", "what"))
    records, assistance = [], []
    opener = users.get("admin")
    for branch_name, members in members_by_branch.items():
        hardship = [m for m in members if m.is_hardship]
        for i, member in enumerate(hardship):
            if member.pk not in recorded:
                records.append(
                    HardshipRecord(
                        member=member,
                        since=datetime.date(today.year - 1, 3, 1),
                        kind=_kind_of(member.hardship_note),
                        description=member.hardship_note or "生活困难",
                        opened_by=opener,
                        opened_at=timezone.make_aware(datetime.datetime(today.year - 1, 3, 1, 10)),
                    )
                )
            for year in (today.year - 1, today.year):
                gifts = [
                    (datetime.date(year, 1, 20), STREET_GIFT, Decimal("800.00"), Assistance.Source.STREET, STREET),
                    (datetime.date(year, 6, 28), BRANCH_GIFT, Decimal("500.00"), Assistance.Source.BRANCH, branch_name),
                ]
                if i == 0 and member.enterprise_id:
                    gifts.append(
                        (
                            datetime.date(year, 9, 1),
                            ENTERPRISE_GIFT,
                            Decimal("1000.00"),
                            Assistance.Source.ENTERPRISE,
                            member.enterprise.name,
                        )
                    )
                for day, what, amount, source, name in gifts:
                    if day > today or (member.pk, day, what) in given:
                        continue
                    given.add((member.pk, day, what))
                    assistance.append(
                        Assistance(
                            member=member,
                            given_on=day,
                            what=what,
                            amount=amount,
                            source=source,
                            source_name=name,
                            recorded_by=opener,
                        )
                    )
    first = members_by_branch.get(demo.BRANCH_1, [])
    back_at_work = next((m for m in first if not m.is_hardship and not m.user_id and not m.is_mobile), None)
    if back_at_work is not None and back_at_work.pk not in recorded:
        records.append(
            HardshipRecord(
                member=back_at_work,
                since=datetime.date(today.year - 2, 9, 1),
                kind=HardshipRecord.Kind.UNEMPLOYMENT,
                description="原单位歇业后失业，家庭收入下降",
                status=HardshipRecord.Status.RESOLVED,
                resolved_on=datetime.date(today.year - 1, 4, 30),
                resolution="经支部推荐，已在楼宇企业重新就业",
                opened_by=opener,
                closed_by=users.get("secretary1") or opener,
            )
        )
    HardshipRecord.objects.bulk_create(records)
    Assistance.objects.bulk_create(assistance)
    return len(records), len(assistance)


def _ensure_follow_ups(building, branch, members, recorder, visitors, today) -> int:
    """The first branch has a follow-up overdue and one due within the week, whatever day the demo runs."""
    if not members:
        return 0
    visits = HomeVisit.objects.filter(organization__building=building)
    someone = next((m for m in members if m.is_hardship), members[0])
    made = []
    if not visits.follow_up_overdue(today).exists():
        made.append(
            HomeVisit(
                organization=branch,
                member=someone,
                kind=Kind.HELP,
                visited_on=today - datetime.timedelta(days=20),
                visitors=visitors,
                found="家中老人住院，本人请假照顾，经济压力较大。",
                needs="希望协助联系医院床位和医保报销",
                help_given="联系社区了解医保报销流程",
                follow_up_on=today - datetime.timedelta(days=6),
                recorded_by=recorder,
            )
        )
    if not visits.follow_up_due(today).exists():
        made.append(
            HomeVisit(
                organization=branch,
                member=members[-1],
                kind=Kind.ENQUIRE,
                visited_on=today - datetime.timedelta(days=5),
                visitors=visitors,
                found="近期工作繁忙，未能参加上月主题党日。",
                needs="希望活动安排在周末",
                follow_up_on=today + datetime.timedelta(days=3),
                recorded_by=recorder,
            )
        )
    HomeVisit.objects.bulk_create(made)
    return len(made)


@demo.register(order=48)  # after the members (20), the enterprises (10) and organisational life
def seed_visits(*, building, scale, stdout):
    """1. For each branch, the visits of the last twelve months that are missing (``_branch_plan``).
    2. The hardship register and its assistance (``_hardship_register``).
    3. The first branch's follow-up overdue and follow-up due soon (``_ensure_follow_ups``)."""
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "secretary1", "secretary2"])}
    secretaries = {demo.BRANCH_1: users.get("secretary1"), demo.BRANCH_2: users.get("secretary2")}
    existing = set(
        HomeVisit.objects.filter(organization__building=building).values_list(
            "organization_id", "whom", "member_id", "enterprise_id", "visited_on", "kind"
        )
    )
    members_by_branch, added = {}, 0
    for branch in PartyOrganization.objects.filter(building=building).branches().order_by("name"):
        members = list(
            Member.objects.active()
            .filter(organization_id__in=branch.subtree_ids())
            .select_related("enterprise")
            .order_by("pk")
        )
        members_by_branch[branch.name] = members
        recorder = secretaries.get(branch.name) or users.get("admin")
        companion = next((m.name for m in members if m.posts and (recorder is None or m.name != recorder.name)), "")
        lead = recorder.display_name if recorder is not None and recorder.role == "secretary" else "支部书记"
        visitors = f"{lead}、{companion}" if companion else lead
        plan = _Plan(branch, recorder, visitors, existing, today)
        _branch_plan(plan, members, today)
        HomeVisit.objects.bulk_create(plan.rows, batch_size=500)
        added += len(plan.rows)
        if branch.name == demo.BRANCH_1:
            added += _ensure_follow_ups(building, branch, members, recorder, visitors, today)
    records, assistance = _hardship_register(building, members_by_branch, users, today)
    stdout.write(f"入户走访：本次新增走访 {added} 次；困难党员台账新增 {records} 条，帮扶记录 {assistance} 条")
