"""Demo service requests, reception visits and study-material loans for `manage.py seed_demo`.

member1 (林晓燕, 第一党支部) asks for things for herself and contact1 (孙立新) for his enterprise: requests in
every state, some past their time limit, with public and internal comments and ratings. The reception point
has two walk-ins, one turned into a request. The library holds a small catalogue with loans of demo members:
one lent and overdue, one returned, one requested. Last, the due-time sweep tells the handlers.

Dated back from the demo day (when the admin account was made), as the other steps are, and stamped with the
moment each thing happened. A request is known by its requester and subject, a visit by its time and visitor,
a material by its title, a loan by its material and member: a second run adds nothing.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import Notification, User
from buildingparty.workdays import add_working_days
from enterprises import demo as enterprise_demo
from enterprises.models import Enterprise
from members import demo as member_demo
from members.models import Member

from . import services
from .categories import ensure_default_categories
from .models import Loan, Material, ReceptionVisit, RequestEvent, ServiceCategory, ServiceRequest

# A plan names its category by a few spellings of the code (the issue wrote them with underscores).
CODES = {
    "transfer": ("transfer",),
    "dues": ("party-dues", "dues_proxy"),
    "lesson": ("party-class", "party_lesson"),
    "study": ("study-materials", "study_loan"),
    "residence": ("residence-permit", "residence_permit"),
    "employment": ("employment",),
    "rental": ("housing", "rental"),
    "legal": ("legal-advice", "legal"),
    "investment": ("investment",),
    "guide": ("investment-guide", "investment_guide"),
    "school": ("school-enrolment", "school"),
    "household": ("household-registration", "household"),
    "policy": ("policy-advice", "policy"),
}


@dataclass(frozen=True)
class Step:
    hours: float  # after submitting
    step: str  # a step of services.TRANSITIONS, "rate", or "comment"
    text: str = ""
    rating: int = 0
    public: bool = True
    by_requester: bool = False


@dataclass(frozen=True)
class RequestPlan:
    who: str  # "member1" or "contact1"
    category: str  # a key of CODES
    title: str
    description: str
    days_ago: int
    hour: int = 9
    steps: tuple[Step, ...] = ()
    urgent: bool = False


REQUESTS = [
    # member1
    RequestPlan(
        "member1",
        "lesson",
        "报名参加“七一”专题党课",
        "想参加今年楼宇党委组织的“七一”专题党课，请帮忙报名。",
        75,
        steps=(
            Step(2, "accept"),
            Step(20, "start"),
            Step(50, "resolve", "已为您报名，请于7月1日下午2点到8楼党员活动室参加。"),
            Step(60, "rate", "安排得很及时，谢谢！", rating=5),
        ),
    ),
    RequestPlan(
        "member1",
        "study",
        "借阅《中国共产党支部工作条例（试行）》辅导读本",
        "支部要学习《条例》，想借一本辅导读本。",
        40,
        hour=14,
        steps=(
            Step(1, "accept"),
            Step(5, "resolve", "已放在一楼党群服务台，凭工作证领取。"),
            Step(30, "rate", "领取方便，希望多备几本。", rating=4),
        ),
    ),
    RequestPlan(
        "member1",
        "legal",
        "劳动合同续签法律咨询",
        "公司要求续签的劳动合同中有竞业限制条款，想请律师看一下是否合理。",
        30,
        steps=(
            Step(3, "accept"),
            Step(4, "comment", "已联系律所志愿律师，本周内约时间面谈。"),
            Step(5, "comment", "律师志愿服务队周三下午值班，约在周三。", public=False),
        ),
    ),
    RequestPlan(
        "member1",
        "rental",
        "申请人才公寓租住",
        "刚从外地调来慈溪工作，想申请楼宇周边的人才公寓。",
        20,
        hour=16,
        steps=(Step(26, "reject", "本批次人才公寓已分配完毕，已为您登记候补，下批次开放时优先通知您。"),),
    ),
    RequestPlan(
        "member1",
        "dues",
        "委托代交 7—9 月党费",
        "7 月至 9 月出差在外，请支部代为收取党费。",
        15,
        hour=10,
        steps=(Step(3, "withdraw", "已自行通过线上渠道交纳，撤回申请。", by_requester=True),),
    ),
    RequestPlan(
        "member1",
        "employment",
        "为家属咨询就业岗位信息",
        "爱人随迁来慈溪，想了解楼宇企业的招聘岗位。",
        9,
        steps=(
            Step(4, "accept"),
            Step(24, "start"),
            Step(30, "comment", "家属主要想找会计类岗位，有初级会计证。", by_requester=True),
            Step(32, "comment", "好的，已向楼内三家企业推荐，有消息第一时间告诉您。"),
        ),
    ),
    RequestPlan(
        "member1",
        "transfer",
        "开具党员组织关系介绍信（转往宁波市海曙区）",
        "明年初工作调动到宁波，想提前了解组织关系转出的手续。",
        2,
        hour=15,
    ),
    # contact1, for his enterprise
    RequestPlan(
        "contact1",
        "investment",
        "申请楼宇招商政策扶持（房租补贴）",
        "公司今年扩大了在大厦的办公面积，想申请楼宇经济扶持政策中的房租补贴。",
        90,
        hour=10,
        steps=(
            Step(5, "accept"),
            Step(48, "start"),
            Step(200, "resolve", "已协助申报，街道经发办已受理，补贴分季度拨付。"),
            Step(230, "rate", "结果满意，但办理时间偏长。", rating=3),
        ),
    ),
    RequestPlan(
        "contact1",
        "policy",
        "高新技术企业认定政策解读",
        "公司准备申报高新技术企业，想了解认定条件和时间安排。",
        50,
        steps=(
            Step(2, "accept"),
            Step(26, "resolve", "已发送认定办法和申报时间表，并约好科技局老师上门辅导。"),
            Step(30, "rate", "讲解清楚，非常专业。", rating=5),
        ),
    ),
    RequestPlan(
        "contact1",
        "school",
        "员工子女入学协调（小学一年级）",
        "公司两名外地员工的孩子今年秋季上小学一年级，请协助了解入学政策。",
        35,
        steps=(
            Step(6, "accept"),
            Step(30, "start"),
            Step(40, "comment", "已与浒山街道教育办对接，等待学区名额确认。"),
            Step(41, "comment", "教育办答复需补交居住证明，已电话告知企业。", public=False),
        ),
        urgent=True,
    ),
    RequestPlan(
        "contact1",
        "household",
        "新引进员工集体户口落户",
        "新引进的三名大学毕业生想把户口落在企业集体户，请协助办理。",
        30,
        hour=11,
    ),
    RequestPlan(
        "contact1",
        "guide",
        "扩租办公用房（约 300 平方米）",
        "业务增长，想在大厦内再租约 300 平方米办公用房，请介绍空置楼层情况。",
        6,
        steps=(Step(3, "accept"),),
    ),
    RequestPlan(
        "contact1",
        "policy",
        "研发费用加计扣除申报咨询",
        "第一次申报研发费用加计扣除，想了解需要准备的材料。",
        12,
        hour=14,
        steps=(
            Step(2, "accept"),
            Step(5, "start"),
            Step(28, "resolve", "已发送政策原文和申报操作指引，如有疑问可随时联系。"),
        ),
    ),
]


@dataclass(frozen=True)
class VisitPlan:
    days_ago: int
    hour: int
    who: str  # "member1" or "other": the first other demo member
    topic: str
    outcome: str = ""
    category: str = ""  # turned into a request of this category


VISITS = [
    VisitPlan(
        18,
        10,
        "member1",
        "咨询外地户籍人员暂住证（居住证）办理",
        "已说明所需材料，当场代为开具工作证明，转为服务事项跟进办理。",
        category="residence",
    ),
    VisitPlan(
        8, 15, "other", "询问党费计算基数和交纳方式", "已当面解释党费计算方法，并告知线上交纳渠道，当场解答完毕。"
    ),
]

# (kind, title, author or publisher, copies, shelf)
MATERIALS = [
    (Material.Kind.BOOK, "习近平新时代中国特色社会主义思想学习纲要", "学习出版社、人民出版社", 6, "A-1"),
    (Material.Kind.BOOK, "中国共产党章程", "人民出版社", 10, "A-1"),
    (Material.Kind.BOOK, "中国共产党支部工作条例（试行）", "人民出版社", 5, "A-2"),
    (Material.Kind.BOOK, "中国共产党党员教育管理工作条例", "人民出版社", 5, "A-2"),
    (Material.Kind.BOOK, "中国共产党纪律处分条例", "中国方正出版社", 4, "A-2"),
    (Material.Kind.BOOK, "习近平谈治国理政（第四卷）", "外文出版社", 3, "A-3"),
    (Material.Kind.BOOK, "中国共产党简史", "人民出版社、中共党史出版社", 4, "A-3"),
    (Material.Kind.PERIODICAL, "求是", "求是杂志社", 2, "B-1"),
    (Material.Kind.PERIODICAL, "党建", "党建杂志社", 2, "B-1"),
    (Material.Kind.PERIODICAL, "共产党员", "浙江省委组织部", 2, "B-1"),
    (Material.Kind.VIDEO, "榜样（专题节目系列）", "中央组织部党员教育中心", 1, "C-1"),
    (Material.Kind.VIDEO, "“学习强国”党课微视频合集", "中共慈溪市委组织部", 1, "C-1"),
]


@dataclass(frozen=True)
class LoanPlan:
    title: str
    who: int  # 0 is member1, then the other demo members in order
    requested_days_ago: int
    lent_days_ago: int | None = None
    due_days_ago: int | None = None  # negative: due in the future
    returned_days_ago: int | None = None


LOANS = [
    LoanPlan("习近平新时代中国特色社会主义思想学习纲要", 0, 45, lent_days_ago=44, due_days_ago=14),  # overdue
    LoanPlan("中国共产党章程", 0, 70, lent_days_ago=69, due_days_ago=39, returned_days_ago=50),
    LoanPlan("求是", 0, 1),  # requested
    LoanPlan("中国共产党支部工作条例（试行）", 1, 12, lent_days_ago=11, due_days_ago=-19),
    LoanPlan("中国共产党简史", 2, 60, lent_days_ago=59, due_days_ago=29, returned_days_ago=35),
    LoanPlan("榜样（专题节目系列）", 2, 3),
]
OTHER_MEMBERS = 2

# Beyond the first unit of the demo (whose requests above tell member1's and contact1's story), every unit of
# 52 members and 241 enterprises brings requests of its own, entered at the reception desk on the asker's
# behalf, in every state, written in bulk.
SCALED_REQUESTS = [
    # (for an enterprise, category, subject, details)
    (False, "transfer", "组织关系转入楼宇支部", "刚入职楼内企业，组织关系还在原单位，想转到楼宇支部。"),
    (False, "dues", "出差期间委托代交党费", "下月起外派三个月，想委托同支部党员代交党费。"),
    (False, "residence", "办理居住证需要的证明", "办理慈溪居住证需要单位和社区的证明材料，想咨询流程。"),
    (False, "employment", "爱人求职就业指导", "爱人随迁来慈溪，想了解楼宇和街道的就业岗位信息。"),
    (False, "legal", "工伤认定法律咨询", "同事上班途中受伤，想咨询工伤认定的办理程序。"),
    (False, "rental", "楼宇附近租房信息", "想了解附近可以租住的小区和价格。"),
    (True, "policy", "小微企业稳岗补贴政策咨询", "想了解今年的稳岗补贴申请条件和材料。"),
    (True, "school", "员工子女入学咨询", "外地员工子女明年上小学，想了解积分入学的办理。"),
    (True, "investment", "扩大经营寻找办公场地", "公司人员增加，想在楼内找一间更大的办公室。"),
    (True, "household", "引进人才落户咨询", "新招的研究生想在慈溪落户，想了解政策和流程。"),
]
# Where each request stands: (status, hours after submitting of each step); a rejection gives a reason.
SCALED_PATHS = [
    ("submitted", ()),
    ("accepted", (3,)),
    ("in_progress", (3, 24)),
    ("resolved", (2, 20, 72)),
    ("closed", (2, 20, 72, 120)),
    ("closed", (1, 6, 30, 60)),
    ("rejected", (5,)),
]
SCALED_STEPS = ["accepted", "in_progress", "resolved", "closed"]
MEMBERS_PER_UNIT, ENTERPRISES_PER_UNIT = member_demo.PER_SCALE, enterprise_demo.PER_SCALE
SCALED_REJECT_REASON = "不属于本平台受理范围，已告知向街道便民服务中心咨询。"


@demo.register(order=50)  # after the members (requests and loans are theirs) and the activities
def seed_services(*, building, scale, stdout):
    """1. The default categories. 2. The missing requests, each taken through its steps at the moments they
    happened. 3. The reception visits. 4. The catalogue and its loans. 5. The due-time sweep."""
    day = enterprise_demo.demo_day()
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "member1", "contact1"])}
    admin = users.get("admin")
    categories = _ensure_categories(building)
    member1 = Member.objects.filter(user=users["member1"]).first() if "member1" in users else None
    # In the order of their ID numbers, sorted here: the column is encrypted, its order is random.
    others = sorted(
        Member.objects.filter(
            organization__building=building,
            user__isnull=True,
            status=Member.Status.NORMAL,
            whereabouts=Member.Whereabouts.HERE,
        ).exclude(lost_contact_since__isnull=False),
        key=lambda m: m.id_number,
    )[:OTHER_MEMBERS]
    added = 0
    if admin is not None:
        added = _seed_requests(building, day=day, users=users, member1=member1, categories=categories)
        _seed_visits(building, day=day, admin=admin, member1=member1, others=others, categories=categories)
        _seed_library(building, day=day, admin=admin, members=[member1, *others])
        added += _seed_scaled_requests(building, scale=scale, day=day, admin=admin, categories=categories)
    services.sweep_due()

    requests = ServiceRequest.objects.filter(building=building)
    counts = requests.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=ServiceRequest.OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=ServiceRequest.OPEN_STATUSES, due_at__lt=timezone.now())),
    )
    loans = Loan.objects.filter(material__building=building)
    stdout.write(
        f"服务事项：{counts['total']} 件（本次新增 {added} 件；"
        f"办理中 {counts['open']} 件，超时 {counts['overdue']} 件）；"
        f"接访 {ReceptionVisit.objects.filter(building=building).count()} 次；"
        f"学习资料 {Material.objects.filter(building=building).count()} 种，借阅 {loans.count()} 笔"
        f"（逾期未还 {loans.filter(status=Loan.Status.LENT, due_on__lt=timezone.localdate()).count()} 笔）"
    )


def _ensure_categories(building) -> dict[str, ServiceCategory]:
    """The building's default categories, by the plan's keys."""
    ensure_default_categories(building)
    by_code = {c.code: c for c in ServiceCategory.objects.filter(building=building, active=True)}
    found = {}
    for key, codes in CODES.items():
        category = next((by_code[code] for code in codes if code in by_code), None)
        if category is not None:
            found[key] = category
    return found


def _at(day: datetime.date, days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
    moment = datetime.datetime.combine(day - datetime.timedelta(days=days_ago), datetime.time(hour, minute))
    return timezone.make_aware(moment)


def _dated(target: ServiceRequest, at: datetime.datetime, service, /, **kwargs):
    """Call a request service as if at ``at``: the stamps it makes now (the request's times, the timeline, the
    notifications) are moved back to when it happened; those notifications count as emailed (history)."""
    before = timezone.now()
    result = service(**kwargs)
    fresh = ServiceRequest.objects.get(pk=target.pk)
    stamps = {
        name: at
        for name in ("accepted_at", "resolved_at", "closed_at")
        if (value := getattr(fresh, name)) is not None and value >= before
    }
    if stamps:
        ServiceRequest.objects.filter(pk=target.pk).update(**stamps)
    RequestEvent.objects.filter(request_id=target.pk, at__gte=before).update(at=at)
    Notification.objects.filter(url=target.get_absolute_url(), created_at__gte=before).update(
        created_at=at, emailed_at=at
    )
    return result


def _seed_requests(building, *, day, users, member1, categories) -> int:
    contact1 = users.get("contact1")
    enterprise = contact1.contact_enterprises.order_by("credit_code").first() if contact1 is not None else None
    requesters = {"member1": users.get("member1"), "contact1": contact1}
    existing = set(ServiceRequest.objects.filter(building=building).values_list("requester_id", "title"))
    added = 0
    for plan in sorted(REQUESTS, key=lambda p: (-p.days_ago, p.title)):
        requester = requesters.get(plan.who)
        category = categories.get(plan.category)
        if requester is None or category is None or (requester.pk, plan.title) in existing:
            continue
        if plan.who == "member1" and member1 is None:
            continue
        submitted = _at(day, plan.days_ago, plan.hour, 30)
        request = services.request_submit(
            category=category,
            requester=requester,
            title=plan.title,
            description=plan.description,
            member=member1 if plan.who == "member1" else None,
            enterprise=enterprise if plan.who == "contact1" else None,
            priority=ServiceRequest.Priority.URGENT if plan.urgent else ServiceRequest.Priority.NORMAL,
            now=submitted,
        )
        Notification.objects.filter(url=request.get_absolute_url()).update(created_at=submitted, emailed_at=submitted)
        for step in plan.steps:
            _take(request, step, at=submitted + datetime.timedelta(hours=step.hours), admin=users["admin"])
        added += 1
    return added


def _take(request: ServiceRequest, step: Step, *, at, admin) -> None:
    request.refresh_from_db()
    handler = request.assigned_to or admin
    if step.step == "rate":
        _dated(
            request,
            at,
            services.request_rate,
            request=request,
            by=request.requester,
            rating=step.rating,
            feedback=step.text,
        )
    elif step.step == "comment":
        by = request.requester if step.by_requester else handler
        _dated(request, at, services.request_comment, request=request, by=by, text=step.text, public=step.public)
    else:
        by = request.requester if step.by_requester else handler
        _dated(request, at, services.request_step, request=request, step=step.step, by=by, note=step.text)


def _seed_visits(building, *, day, admin, member1, others, categories) -> None:
    from . import reception

    done = set(ReceptionVisit.objects.filter(building=building).values_list("visited_at", "visitor_name"))
    for plan in VISITS:
        member = member1 if plan.who == "member1" else (others[0] if others else None)
        if member is None:
            continue
        at = _at(day, plan.days_ago, plan.hour)
        if (at, member.name) in done:
            continue
        visit = reception.reception_record(
            recorded_by=admin, topic=plan.topic, member=member, phone=member.phone, outcome=plan.outcome, visited_at=at
        )
        category = categories.get(plan.category) if plan.category else None
        if category is None:
            continue
        request = _dated_submit(visit, category, admin=admin, at=at + datetime.timedelta(minutes=40))
        # The desk passed it on and the handler started at once: it is under way.
        for hours, step in ((2, "accept"), (20, "start")):
            _take(request, Step(hours, step), at=request.submitted_at + datetime.timedelta(hours=hours), admin=admin)
        _take(
            request,
            Step(22, "comment", "材料已收齐，已预约派出所办理，预计下周可领取。"),
            at=request.submitted_at + datetime.timedelta(hours=22),
            admin=admin,
        )


def _dated_submit(visit, category, *, admin, at) -> ServiceRequest:
    """Turn a visit into a request through the reception service, then date it to the visit."""
    from . import reception

    before = timezone.now()
    request = reception.reception_to_request(visit=visit, category=category, by=admin)
    request.submitted_at = at
    request.due_at = add_working_days(timezone.localtime(at), category.limit_days)
    ServiceRequest.objects.filter(pk=request.pk).update(submitted_at=request.submitted_at, due_at=request.due_at)
    RequestEvent.objects.filter(request=request, at__gte=before).update(at=at)
    Notification.objects.filter(url=request.get_absolute_url(), created_at__gte=before).update(
        created_at=at, emailed_at=at
    )
    return request


def _seed_library(building, *, day, admin, members) -> None:
    from . import library

    existing = set(Material.objects.filter(building=building).values_list("title", flat=True))
    Material.objects.bulk_create(
        Material(building=building, kind=kind, title=title, author=author, copies=copies, location=shelf)
        for kind, title, author, copies, shelf in MATERIALS
        if title not in existing
    )
    materials = {m.title: m for m in Material.objects.filter(building=building)}
    had = set(Loan.objects.filter(material__building=building).values_list("material_id", "member_id"))
    for plan in sorted(LOANS, key=lambda p: -p.requested_days_ago):
        material = materials.get(plan.title)
        member = members[plan.who] if plan.who < len(members) else None
        if material is None or member is None or (material.pk, member.pk) in had:
            continue
        loan = library.loan_request(material=material, member=member, now=_at(day, plan.requested_days_ago, 12))
        if plan.lent_days_ago is None:
            continue
        lent_on = day - datetime.timedelta(days=plan.lent_days_ago)
        loan = library.loan_lend(
            loan=loan, by=admin, today=lent_on, due_on=day - datetime.timedelta(days=plan.due_days_ago)
        )
        if plan.returned_days_ago is not None:
            library.loan_return(loan=loan, by=admin, returned_on=day - datetime.timedelta(days=plan.returned_days_ago))


def _seed_scaled_requests(building, *, scale: int, day: datetime.date, admin, categories) -> int:
    """The requests of units 2 to ``scale``: each unit's members and enterprises in creation order, every
    fifth member and every twentieth enterprise asks for one of SCALED_REQUESTS, taken along one of
    SCALED_PATHS. Known by subject (which names the asker), so a re-run adds nothing. Returns how many."""
    members = list(
        Member.objects.filter(organization__building=building, user__isnull=True)
        .order_by("pk")
        .values_list("pk", "name", "organization_id")
    )[MEMBERS_PER_UNIT:]
    enterprises = list(
        Enterprise.objects.filter(building=building, status=Enterprise.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", "name")
    )[ENTERPRISES_PER_UNIT:]
    askers = [(False, pk, name, org) for pk, name, org in members[::5][: (scale - 1) * MEMBERS_PER_UNIT // 5]]
    askers += [(True, pk, name, None) for pk, name in enterprises[::20][: (scale - 1) * ENTERPRISES_PER_UNIT // 20]]
    existing = set(ServiceRequest.objects.filter(building=building, requester=admin).values_list("title", flat=True))
    requests, paths = [], []
    for n, (is_enterprise, pk, name, organization_id) in enumerate(askers):
        plans = [plan for plan in SCALED_REQUESTS if plan[0] == is_enterprise]
        _kind, code, subject, details = plans[n % len(plans)]
        category = categories.get(code)
        title = f"{subject}（{name}）"[:100]
        if category is None or title in existing:
            continue
        status, hours = SCALED_PATHS[n % len(SCALED_PATHS)]
        submitted = _at(day, 3 + n % 150, 9 + n % 8, n % 60)
        stamps = [submitted + datetime.timedelta(hours=h) for h in hours]
        requests.append(
            ServiceRequest(
                building=building,
                category=category,
                title=title,
                description=details,
                requester=admin,
                created_by=admin,
                member_id=None if is_enterprise else pk,
                enterprise_id=pk if is_enterprise else None,
                organization_id=organization_id,
                status=status,
                assigned_to=admin if stamps else None,
                submitted_at=submitted,
                due_at=add_working_days(timezone.localtime(submitted), category.limit_days),
                accepted_at=stamps[0] if stamps and status != "rejected" else None,
                resolved_at=stamps[2] if len(stamps) > 2 else None,
                closed_at=stamps[3] if len(stamps) > 3 else (stamps[0] if status == "rejected" else None),
                reject_reason=SCALED_REJECT_REASON if status == "rejected" else "",
                rating=(5, 4)[n % 2] if status == "closed" else None,
            )
        )
        paths.append((status, stamps))
    ServiceRequest.objects.bulk_create(requests, batch_size=500)
    events = []
    for request, (status, stamps) in zip(requests, paths, strict=True):
        steps = ["rejected"] if status == "rejected" else SCALED_STEPS[: len(stamps)]
        previous = ServiceRequest.Status.SUBMITTED
        events.append(
            RequestEvent(
                request=request,
                kind=RequestEvent.Kind.STATUS,
                at=request.submitted_at,
                actor=admin,
                to_status=previous,
                text="接访点代为登记",
            )
        )
        for step, at in zip(steps, stamps, strict=True):
            text = request.reject_reason if step == "rejected" else ""
            events.append(
                RequestEvent(
                    request=request,
                    kind=RequestEvent.Kind.STATUS,
                    at=at,
                    actor=admin,
                    from_status=previous,
                    to_status=step,
                    text=text,
                )
            )
            previous = step
    for event in events:
        event.fill_actor_name()
    RequestEvent.objects.bulk_create(events, batch_size=1000)
    return len(requests)
