"""The demo building survey (调查摸底) for `manage.py seed_demo`: this year's round part-way through, last
year's closed.

The joint working group has called on about three in five of the enterprises in the building. Most visits
established all five clears; the recent ones still missing one have a follow-up due, and one or two older ones
are overdue. Six party members whose relationships are elsewhere (隐形党员) were found: five leads wait for a
secretary, one was closed. Whoever looks after an enterprise records its visits: its liaison, else the admin.

Everything is dated back from ``demo_day`` (the day the demo was first seeded), and a visit is known by its
campaign, enterprise and day, so a re-run on any later day makes the same visits and inserts none.
"""

import datetime
import random
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import Role, User
from enterprises import demo as enterprise_demo
from enterprises.models import Enterprise, EnterpriseChange
from enterprises.selectors import FORM_BRANCH_MIN_FULL, MEMBER_FULL, MEMBER_HERE, MEMBER_NORMAL

from . import services
from .models import FollowUp, SurveyCampaign, SurveyLead, SurveyVisit

SURVEY_SEED = "survey-{unit}"
CAMPAIGN_NAME = "{year} 年度调查摸底"
# The name demos were seeded with before the survey had one name everywhere; a re-seed renames those rounds.
OLD_CAMPAIGN_NAME = "{year} 年度楼宇排摸"
WORKING_GROUP = "浒山街道党工委 周敏、中央社区 徐丽君、物业公司 陈国华"
STARTED_DAYS_AGO = 88  # this year's round began about three months before the demo day
PREVIOUS_ROUND_DAYS = 75  # last year's took about ten weeks
VISIT_SHARE = 0.58
INCOMPLETE_SHARE = 0.06
OVERDUE_PER_UNIT = (1, 2)  # incomplete visits whose follow-up is past due
VISITED_TWICE = 3
PREVIOUS_VISITS = 6
SERVICE_FOLLOW_UPS = 5
LEADS_PER_UNIT = 6  # the last is closed
LONG_STANDING = datetime.date(2024, 1, 1)  # last year's round visited units in the building before this

_A = Enterprise.Attitude
ATTITUDE_NOTES = {
    _A.SUPPORTIVE: [
        "支持员工党员参加组织活动，愿意提供会议室",
        "认为党建工作对企业发展有帮助，愿意资助支部活动",
        "支持在前台设立党员示范岗",
    ],
    _A.NEUTRAL: ["不反对员工参加活动，希望不占用工作时间", "表示业务忙，对楼宇党建了解不多"],
    _A.RESERVED: ["担心占用工作时间，对在企业内开展活动有顾虑", "认为企业规模小，暂无必要"],
    _A.OPPOSED: ["明确表示不希望在企业内开展党建活动，不愿提供员工信息"],
}
BUSINESS_NOTES = {
    Enterprise.Kind.COMPANY: [
        "经营正常",
        "经营稳定",
        "业务增长较快，正在招聘",
        "受订单影响，业务有所收缩",
        "准备扩租隔壁房间",
        "今年新设了杭州办事处",
    ],
    Enterprise.Kind.SOCIAL_ORG: ["活动正常开展", "会员单位有所增加", "承接了街道的两个服务项目"],
}
PROPERTY_NOTE = "负责全楼物业服务，党支部活动室设在公司会议室"
THINKING = [
    "思想稳定，愿意参加楼宇支部活动，希望活动安排在下班后",
    "工作节奏快，参加集中学习有困难，希望多安排线上学习和送学上门",
    "希望支部多组织业务交流和技能培训",
    "愿意亮明党员身份，报名参加志愿服务",
    "入职不久，对楼宇党组织了解不多，愿意参加活动",
]
LEAD_THINKING = "未转入的党员表示愿意把组织关系转到楼宇，担心手续麻烦"
# Where a member's relationship stayed, and why (the usual stories of 隐形党员).
LEAD_ORIGINS = [
    ("中共宁波市海曙区南门街道工作委员会", "从原单位离职后组织关系未转出"),
    ("安徽省临泉县杨桥镇刘庄村党支部", "外出务工多年，组织关系仍在老家村党支部"),
    ("宁波市人才服务中心流动党员党支部", "档案存放在人才中心，组织关系随档案"),
    ("宁波大学信息科学与工程学院学生党支部", "毕业后组织关系一直留在学校"),
    ("河南省固始县陈淋子镇张湾村党支部", "组织关系在老家，每年回去参加一次组织生活"),
    ("中共慈溪市观海卫镇委员会", "原在镇里企业工作，跳槽后未办理转接"),
]
LEAD_CLOSE_REASON = "回访时本人已离职，不在本楼宇工作"
# Services the building offers enterprises and their staff (DOMAIN.md §9): what was asked, and what was done.
SERVICES = [
    ("协助咨询员工子女入学", "已联系街道社会事务办，告知入学材料清单"),
    ("协助办理员工居住证", "已协助 3 名员工在社区警务室办理"),
    ("对接扩租需求，提供楼内空置房源", "已对接物业公司招商部，提供两处空置房源"),
    ("法律咨询：劳动合同纠纷", "已约楼宇党员律师免费咨询一次"),
    ("员工集体户口落户咨询", "已告知派出所办理流程和所需材料"),
    ("招聘信息发布", "已在楼宇党建宣传栏和公众号发布"),
]
GAP_FOLLOW_UPS = {
    "thinking": ("补充了解党员思想状况（走访时党员外出）", 14),
    "relationships": ("核实党员组织关系所在", 14),
    "members": ("向企业人事核实党员人数", 10),
    "attitude": ("再次拜访企业负责人，了解对党建工作的态度", 21),
}


@dataclass(frozen=True)
class VisitPlan:
    current: bool  # this year's round, else last year's
    credit_code: str
    days_ago: int  # before the demo day
    incomplete: bool = False  # one of the five clears is still missing (which one depends on the register)
    owner_away: bool = False  # the first of two visits: the owner was out
    thinking_gap: bool = True  # when members were registered: their thinking is missing, else where they are
    attitude: str = ""  # found on last year's visit, when it differs from the enterprise's
    leads: tuple = ()  # (name, phone, location index)
    lead_closed: bool = False
    service: int | None = None  # index into SERVICES
    service_done: bool = False
    revisit_days_ago: int | None = None  # the owner-away visit: when the working group came back


def plan_unit(unit_specs: list[enterprise_demo.EnterpriseSpec], *, unit: int) -> list[VisitPlan]:
    """The visits to one unit of 241, drawn from the unit's own stream, in no particular order.

    1. This year's: the property company and the joint branches' units, and a little over half the rest.
    2. Incomplete visits are recent (their follow-ups are not yet due), except one or two older ones.
    3. Three enterprises were visited twice: the owner was out the first time.
    4. Leads come from complete visits to companies without a joint branch, or (first unit) from the two
       extra units of the e-commerce branch, whose members have not transferred in yet.
    5. Last year's round: six complete visits to units already in the building then.
    """
    rng = random.Random(SURVEY_SEED.format(unit=unit))
    active = [s for s in unit_specs if s.status == Enterprise.Status.ACTIVE]
    joint = enterprise_demo.joint_branch_units(unit_specs, unit=unit)
    extra = joint[demo.ECOMMERCE_BRANCH][enterprise_demo.JOINT_BRANCH_UNITS :]
    covered = {s.credit_code for s in active if s.party_org_status != Enterprise.PartyOrgStatus.NONE}
    visited = [s for s in active if s.credit_code in covered or rng.random() < VISIT_SHARE]

    # Credit codes, by what happened on the visit.
    unknown = [s.credit_code for s in visited if s.attitude == Enterprise.Attitude.UNKNOWN]
    # Members were out at two of the joint branches' units: their thinking is what is missing there.
    members_out = rng.sample(joint[demo.ECOMMERCE_BRANCH][:2] + joint[demo.SOCIAL_ORG_BRANCH][:2], 2)
    others = [s.credit_code for s in visited if s.credit_code not in covered and s.credit_code not in unknown]
    incomplete = set(unknown + members_out + [code for code in others if rng.random() < INCOMPLETE_SHARE])
    known = [code for code in others if code not in incomplete]
    twice = set(rng.sample(known, VISITED_TWICE))
    complete = [code for code in known if code not in twice]
    companies = {s.credit_code for s in active if s.kind == Enterprise.Kind.COMPANY}
    lead_at = extra + rng.sample([code for code in complete if code in companies], LEADS_PER_UNIT - len(extra))
    overdue = set(rng.sample(sorted(incomplete), rng.choice(OVERDUE_PER_UNIT)))
    services_at = rng.sample([code for code in complete if code not in lead_at], SERVICE_FOLLOW_UPS)

    plans = []
    for code in (s.credit_code for s in visited):
        days_ago = 2 + int(rng.random() * (STARTED_DAYS_AGO - 5))
        if code in incomplete:
            # A recent one's follow-up (due ten days or more after the visit) is not yet due.
            days_ago = 30 + int(rng.random() * 30) if code in overdue else 2 + int(rng.random() * 6)
            plans.append(VisitPlan(True, code, days_ago, incomplete=True, thinking_gap=rng.random() < 0.7))
        elif code in twice:
            first = 30 + int(rng.random() * 50)
            second = first - 7 - int(rng.random() * 14)
            plans.append(VisitPlan(True, code, first, owner_away=True, revisit_days_ago=second))
            plans.append(VisitPlan(True, code, second))
        elif code in lead_at:
            n = lead_at.index(code)
            closed = n == LEADS_PER_UNIT - 1
            days_ago = 20 + int(rng.random() * 20) if closed else 5 + int(rng.random() * 35)
            lead = (enterprise_demo.draw_person(rng), _draw_mobile(rng), n % len(LEAD_ORIGINS))
            plans.append(VisitPlan(True, code, days_ago, leads=(lead,), lead_closed=closed))
        elif code in services_at:
            n = services_at.index(code)
            done = n < SERVICE_FOLLOW_UPS - 1  # the last one was asked for recently
            days_ago = 30 + int(rng.random() * 50) if done else 3 + int(rng.random() * 10)
            plans.append(VisitPlan(True, code, days_ago, service=(unit + n) % len(SERVICES), service_done=done))
        else:
            plans.append(VisitPlan(True, code, days_ago))

    # Last year: the first three covered units (the property company first) and three more, all here then;
    # one of those owners was reserved then and, visited again this year, is supportive now.
    older = [s for s in active if s.moved_in_on < LONG_STANDING]
    again = [s for s in older if s.credit_code in set(complete)]
    changed = rng.choice([s for s in again if s.attitude == Enterprise.Attitude.SUPPORTIVE])
    picked = [s for s in older if s.credit_code in covered][:3] + [changed]
    picked += rng.sample([s for s in again if s is not changed], PREVIOUS_VISITS - len(picked))
    for spec in picked:
        days_ago = 365 + STARTED_DAYS_AGO - 3 - int(rng.random() * (PREVIOUS_ROUND_DAYS - 5))
        attitude = Enterprise.Attitude.RESERVED if spec is changed else ""
        plans.append(VisitPlan(False, spec.credit_code, days_ago, attitude=attitude))
    return plans


@demo.register(order=30)  # after the members: a visit counts the members registered at the enterprise
def seed_survey(*, building, scale, stdout):
    """Create the two rounds of the survey and insert their missing visits.

    1. The rounds, by name: this year's under way, last year's closed.
    2. For each planned visit not yet made (campaign, enterprise, day), in date order: the visit through
       ``services.visit_record`` (which keeps the enterprise's attitude and its history) when it found a new
       attitude or leads, else in bulk; its leads and follow-ups, all stamped with the day they happened.
    """
    day = enterprise_demo.demo_day()
    admin = User.objects.filter(username="admin").first()
    current, previous = _ensure_campaigns(building, day=day, by=admin)
    campaigns = {True: current, False: previous}

    specs = enterprise_demo.demo_enterprises(scale)
    size = enterprise_demo.PER_SCALE
    plans = [plan for unit in range(scale) for plan in plan_unit(specs[unit * size : (unit + 1) * size], unit=unit)]
    by_code = {s.credit_code: s for s in specs}
    enterprises = Enterprise.objects.select_related("liaison").in_bulk(
        {p.credit_code for p in plans}, field_name="credit_code"
    )
    done = set(
        SurveyVisit.objects.filter(campaign__in=[current, previous]).values_list(
            "campaign_id", "enterprise_id", "visited_on"
        )
    )
    todo = [
        p
        for p in plans
        if (enterprise := enterprises.get(p.credit_code)) is not None
        and enterprise.status == Enterprise.Status.ACTIVE  # not one somebody has since marked moved out
        and (campaigns[p.current].pk, enterprise.pk, _visit_day(day, p.days_ago)) not in done
    ]
    todo.sort(key=lambda p: (-p.days_ago, p.credit_code))
    register = _register([enterprises[p.credit_code].pk for p in todo])

    visits, follow_ups = [], []
    for plan in todo:
        enterprise, spec = enterprises[plan.credit_code], by_code[plan.credit_code]
        found = register[enterprise.pk]
        gap = _gap(plan, spec, found)
        recorder = enterprise.liaison if enterprise.liaison_id else admin
        visit, leads = _record_visit(
            plan, campaigns[plan.current], enterprise, spec, found, gap, day=day, by=recorder, admin=admin
        )
        visits.append(visit)
        if plan.current:
            follow_ups.append((plan, visit, leads, enterprise, found, gap, recorder))
    # Written in bulk: the visits that changed nothing else (most of them; see _record_visit), every visit's
    # time of recording, the follow-ups.
    stamps = [v.recorded_at for v in visits]  # the insert stamps the present moment: put back after
    SurveyVisit.objects.bulk_create([v for v in visits if v.pk is None], batch_size=500)
    for visit, at in zip(visits, stamps, strict=True):
        visit.recorded_at = at
    demo.bulk_save(SurveyVisit, visits, ["recorded_at"])
    FollowUp.objects.bulk_create(
        [
            follow_up
            for plan, visit, leads, enterprise, found, gap, by in follow_ups
            for follow_up in _follow_ups(plan, visit, leads, enterprise, found, gap, day=day, by=by, admin=admin)
        ],
        batch_size=500,
    )

    active = Enterprise.objects.filter(building=building, status=Enterprise.Status.ACTIVE).count()
    reached = current.visits.values("enterprise").distinct().count()
    leads = SurveyLead.objects.filter(visit__campaign__building=building, status=SurveyLead.Status.OPEN).count()
    stdout.write(
        f"调查摸底：{current.name}已走访 {reached} 家（在驻 {active} 家，本次新增走访记录 {len(visits)} 条）；"
        f"待跟进的隐形党员线索 {leads} 条"
    )


def _ensure_campaigns(building, *, day: datetime.date, by) -> tuple[SurveyCampaign, SurveyCampaign]:
    """This year's round (under way for about three months) and last year's (closed), by name."""
    starts_on = _visit_day(day, STARTED_DAYS_AGO)
    last_year = _visit_day(starts_on, 364)
    for year in (starts_on.year, starts_on.year - 1):
        name = CAMPAIGN_NAME.format(year=year)
        if not SurveyCampaign.objects.filter(building=building, name=name).exists():
            SurveyCampaign.objects.filter(building=building, name=OLD_CAMPAIGN_NAME.format(year=year)).update(name=name)
    current, _ = SurveyCampaign.objects.get_or_create(
        building=building,
        name=CAMPAIGN_NAME.format(year=starts_on.year),
        defaults={
            "starts_on": starts_on,
            "status": SurveyCampaign.Status.ACTIVE,
            "working_group": WORKING_GROUP,
            "created_by": by,
        },
    )
    previous, _ = SurveyCampaign.objects.get_or_create(
        building=building,
        name=CAMPAIGN_NAME.format(year=starts_on.year - 1),
        defaults={
            "starts_on": last_year,
            "ends_on": last_year + datetime.timedelta(days=PREVIOUS_ROUND_DAYS),
            "status": SurveyCampaign.Status.CLOSED,
            "working_group": WORKING_GROUP,
            "created_by": by,
        },
    )
    return current, previous


@dataclass
class Registered:
    """What the register says about the members working at one enterprise."""

    total: int = 0
    full: int = 0
    mobile: int = 0
    by_branch: Counter = field(default_factory=Counter)  # where their relationships are


def _register(enterprise_ids: list[int]) -> dict[int, Registered]:
    """Enterprise id → its members in normal standing, from the register (read through the reverse relation:
    this floor does not import the members app). A party group's members hold their relationship with its
    branch."""
    normal = Q(members__status=MEMBER_NORMAL, members__whereabouts=MEMBER_HERE)
    rows = (
        Enterprise.objects.filter(
            pk__in=enterprise_ids, members__status=MEMBER_NORMAL, members__whereabouts=MEMBER_HERE
        )
        .values("pk", "members__organization__name", "members__organization__parent__name")
        .annotate(
            total=Count("members", filter=normal),
            full=Count("members", filter=normal & Q(members__category=MEMBER_FULL)),
            mobile=Count("members", filter=normal & Q(members__is_mobile=True)),
        )
        .order_by("pk", "members__organization__name")
    )
    register = defaultdict(Registered)
    for row in rows:
        entry = register[row["pk"]]
        entry.total += row["total"]
        entry.full += row["full"]
        entry.mobile += row["mobile"]
        organization, parent = row["members__organization__name"], row["members__organization__parent__name"]
        entry.by_branch[parent if parent and parent != demo.GENERAL_BRANCH else organization] += row["total"]
    return register


def _record_visit(
    plan: VisitPlan, campaign, enterprise, spec, found: Registered, gap: str, *, day, by, admin
) -> tuple[SurveyVisit, list[SurveyLead]]:
    """Record one visit as the working group wrote it up that afternoon, with the leads it found."""
    visited_on = _visit_day(day, plan.days_ago)
    variant = _variant(plan)
    leads = [(name, phone, *LEAD_ORIGINS[origin]) for name, phone, origin in plan.leads]
    members_found = None if gap == "members" else found.total + len(leads)
    relationships = [f"{n} 名在{branch}" for branch, n in sorted(found.by_branch.items())]
    relationships += [f"1 名组织关系在{location}，尚未转入" for _name, _phone, location, _why in leads]
    if found.mobile:
        relationships.append(f"其中 {found.mobile} 名外出流动")
    if gap == "attitude":
        contact = enterprise.contact_name or spec.contact_name
        met_with, attitude, attitude_note = f"{contact}（联系人）", "", "负责人外出，未见到"
    else:
        attitude = plan.attitude or spec.attitude
        owner = enterprise.legal_representative or spec.legal_representative
        met_with, attitude_note = f"{owner}（负责人）", _pick(ATTITUDE_NOTES[attitude], variant)
    if spec.name == enterprise_demo.PROPERTY_COMPANY:
        business = PROPERTY_NOTE
    else:
        business = _pick(BUSINESS_NOTES[spec.kind], variant)
    visit = SurveyVisit(
        campaign=campaign,
        enterprise=enterprise,
        visited_on=visited_on,
        visitors=_visitors(by, variant),
        met_with=met_with,
        enterprise_situation=(
            f"{enterprise.industry}，员工 {enterprise.employees or spec.employees} 人，"
            f"{(enterprise.moved_in_on or spec.moved_in_on).year} 年入驻 {enterprise.room} 室，{business}"
        ),
        members_found=members_found,
        relationships_note="" if gap == "relationships" or not members_found else "；".join(relationships),
        members_thinking=(
            "" if gap == "thinking" or not members_found else LEAD_THINKING if leads else _pick(THINKING, variant)
        ),
        owner_attitude=attitude,
        attitude_note=attitude_note,
    )
    at = _at(visited_on, 14 + variant % 3, variant % 60)
    if not leads and attitude in ("", Enterprise.Attitude.UNKNOWN, enterprise.attitude):
        # All ``services.visit_record`` would do is save it: the caller does, in bulk.
        visit.recorded_by = by
        visit.recorded_at = at + datetime.timedelta(hours=2)
        return visit, []
    before = timezone.now()
    services.visit_record(visit=visit, by=by)
    if attitude and attitude != enterprise.attitude:
        # The attitude the visit found enters the enterprise's history on the day of the visit.
        EnterpriseChange.objects.filter(enterprise=enterprise, changed_at__gte=before).update(changed_at=at)
        enterprise.attitude = attitude
    visit.recorded_at = at + datetime.timedelta(hours=2)  # saved with the others by the caller
    made = []
    for name, phone, location, why in leads:
        lead = SurveyLead.objects.create(visit=visit, name=name, phone=phone, relationship_location=location, note=why)
        if plan.lead_closed:
            # The admin rang the member back nine days later.
            lead = services.lead_close(lead=lead, reason=LEAD_CLOSE_REASON, by=admin)
            lead.closed_on = visited_on + datetime.timedelta(days=9)
            lead.save(update_fields=["closed_on"])
        made.append(lead)
    return visit, made


def _gap(plan: VisitPlan, spec, found: Registered) -> str:
    """Which of the five clears a visit is missing: the owner's attitude when nobody met the owner, else for
    an incomplete visit what could not be asked of the members (their thinking, or where their relationships
    are) or, where the register has nobody, how many there are."""
    if plan.owner_away or spec.attitude == Enterprise.Attitude.UNKNOWN:
        return "attitude"
    if not plan.incomplete:
        return ""
    if found.total:
        return "thinking" if plan.thinking_gap else "relationships"
    return "members"


def _follow_ups(
    plan: VisitPlan, visit, leads, enterprise, found: Registered, gap: str, *, day, by, admin
) -> list[FollowUp]:
    """What the visit left to do: go back to see the owner, fill the missing clear, win a lead over, help
    with a service the enterprise asked for and, for a unit with enough full members, form its own branch.
    The visit's recorder follows up, the admin where a secretary's decision is needed."""
    visited_on = visit.visited_on
    follow_ups = []
    if plan.owner_away:
        back = _visit_day(day, plan.revisit_days_ago)
        follow_ups.append(
            FollowUp(
                action="约企业负责人再次走访",
                due_on=visited_on + datetime.timedelta(days=14),
                done_on=back,
                outcome=f"已于 {back.month} 月 {back.day} 日再访，五清齐全",
            )
        )
    elif gap:
        action, days = GAP_FOLLOW_UPS[gap]
        follow_ups.append(FollowUp(action=action, due_on=visited_on + datetime.timedelta(days=days)))
    for lead in leads:
        closed = lead.status == SurveyLead.Status.CLOSED
        follow_ups.append(
            FollowUp(
                action=f"联系{lead.name}，动员其将组织关系转入楼宇党组织",
                due_on=visited_on + datetime.timedelta(days=45),
                assigned_to=admin,
                done_on=lead.closed_on if closed else None,
                outcome=lead.close_reason if closed else "",
            )
        )
    if plan.service is not None:
        action, outcome = SERVICES[plan.service]
        done_on = visited_on + datetime.timedelta(days=4 + _variant(plan) % 10) if plan.service_done else None
        follow_ups.append(
            FollowUp(
                action=action,
                due_on=visited_on + datetime.timedelta(days=20),
                done_on=done_on,
                outcome=outcome if done_on else "",
            )
        )
    if found.full >= FORM_BRANCH_MIN_FULL and enterprise.party_org_status != Enterprise.PartyOrgStatus.OWN_BRANCH:
        follow_ups.append(
            FollowUp(
                action=f"指导单独组建党支部（现有正式党员 {found.full} 名）",
                due_on=day + datetime.timedelta(days=45),
                assigned_to=admin,
            )
        )
    for follow_up in follow_ups:
        follow_up.visit = visit
        follow_up.assigned_to = follow_up.assigned_to or by
    return follow_ups


def _visitors(by, variant: int) -> str:
    """The working group sends two or three; a liaison goes with the community's worker."""
    if by is not None and by.role == Role.LIAISON:
        return f"{by.name}（党务联络员）、中央社区 徐丽君"
    people = WORKING_GROUP.split("、")
    return "、".join(people if variant % 2 else people[:2])


def _variant(plan: VisitPlan) -> int:
    """A number of the visit's own that picks its wording and hour: from the credit code and the day, never
    from a primary key (those differ from one database to the next)."""
    return zlib.crc32(f"{plan.credit_code}{plan.days_ago}".encode())


def _pick(choices: list, variant: int):
    return choices[variant % len(choices)]


def _visit_day(day: datetime.date, days_ago: int) -> datetime.date:
    """``days_ago`` before ``day``, moved back to the Friday when it falls on a weekend: the working group
    visits on working days."""
    visited_on = day - datetime.timedelta(days=days_ago)
    return visited_on - datetime.timedelta(days=max(0, visited_on.weekday() - 4))


def _draw_mobile(rng: random.Random) -> str:
    return rng.choice(enterprise_demo.MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
