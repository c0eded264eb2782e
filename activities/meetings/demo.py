"""Demo organisational life for `manage.py seed_demo`: a year of 三会一课 for every branch, after the members (20),
the committees (21) and the points rules (26).

From the first day of the month a year ago to today, each branch holds what the 支部工作条例 asks (DOMAIN.md §7):
a 主题党日 every month, a 支委会 every month where it has a committee, a 党小组会 every month in each of its groups,
a 支部党员大会 every quarter, a 党课 every quarter and the 组织生活会 in January. Meetings already past are held,
with minutes and attendance; the rest of this month's are planned, one of them tomorrow. Most branches are
compliant; the social organisations' joint branch missed the 支部党员大会 of the last quarter, and the property
company's branch held one without a quorum. One 党课 is given by a teacher of the municipal Party School, and the
e-commerce joint branch held a 座谈会 with the enterprise owners.

Leave: members ask and the secretary approves (on leave) or refuses; member1 has one of each, checks in with the
QR code at the meetings she attends, and is expected at tomorrow's 主题党日. Two requests are still waiting.

Meetings are planned through ``services.meeting_plan`` (which fills the expected members); holding them and their
attendance are written in bulk, dated as they happened. Each meeting is known by its organisation, kind and
topic (the topic names the month or quarter), so a second run adds nothing. The attendance points are credited
afterwards, with study's and volunteering's (``members/points/demo.py``), once per meeting as always.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from activities.rooms.models import Room, RoomBooking
from buildingparty import demo
from buildingparty.models import PartyOrganization, User
from members.committees.models import CommitteeSeat
from members.committees.selectors import organizations_with_committee
from members.models import Member

from . import rules, services
from .models import Attendance, ComplianceSettings, Meeting

Kind = Meeting.Kind
Status = Attendance.Status
Leave = Attendance.Leave

PLACE = "中央大厦3楼党支部活动室"
ROOM_NAME = "党支部活动室"  # the activity room (activities/rooms/demo.py) the meetings held there book
PARTY_SCHOOL = "慈溪市委党校"
PARTY_SCHOOL_TEACHER = "徐立群"
BEHIND = demo.SOCIAL_ORG_BRANCH  # missed the 支部党员大会 of the last quarter
NO_QUORUM = demo.PROPERTY_BRANCH  # held a 支部党员大会 without a quorum
THEME_DAY = 8  # the day of the month when the building has not chosen one

THEME_TOPICS = [
    "重温入党誓词，争做合格党员",
    "学习雷锋精神，开展楼宇志愿服务",
    "“三八”节走访慰问困难女党员",
    "清明祭英烈，传承红色基因",
    "“五一”劳动者风采展示",
    "学习新修订的《中国共产党纪律处分条例》",
    "庆祝建党105周年，党员亮身份",
    "“八一”走访慰问退役军人党员",
    "楼宇消防安全检查志愿服务",
    "庆祝新中国成立77周年主题学习",
    "学习“浙江有礼”文明新风，参观慈溪市博物馆",
    "学习宪法，开展普法宣传进企业",
]
GROUP_TOPICS = [
    "学习《习近平谈治国理政》第五卷选读",
    "交流企业一线工作中的党员作用",
    "学习全国两会精神",
    "讨论楼宇党员先锋岗设置",
    "学习《中国共产党支部工作条例（试行）》",
    "互帮互学，交流学习强国心得",
    "学习党的二十届四中全会精神",
    "交流“帮一帮、带一带、问一问”入户走访情况",
    "学习安全生产法律法规",
    "交流流动党员联系服务情况",
    "学习《中国共产党党员教育管理工作条例》",
    "总结本年度党小组工作",
]
COMMITTEE_TOPICS = [
    "研究部署本月党建工作",
    "研究党员积分考评情况",
    "研究入党积极分子培养工作",
    "研究党费交纳情况和困难党员帮扶",
    "研究主题党日活动安排",
    "研究发展对象政治审查工作",
    "研究年中党建工作总结",
    "研究志愿服务队排班",
    "研究第三季度党课安排",
    "研究民主评议党员准备工作",
    "研究年度党建述职准备工作",
    "研究下年度工作计划",
]
GENERAL_TOPICS = {
    1: "通报年度党建工作计划，讨论党费交纳情况",
    2: "讨论确定入党积极分子，听取党员思想汇报",
    3: "学习传达上级党委会议精神，讨论发展对象",
    4: "通报全年工作，讨论预备党员转正",
}
LESSON_TOPICS = {
    1: "新时代“两新”组织党员的初心使命",
    2: "学习贯彻党的二十届三中全会精神专题党课",
    3: "从党史中汲取奋进力量",
    4: "全面从严治党永远在路上",
}
LEAVE_REASONS = ["出差在外", "单位加班赶工期", "家中老人住院陪护", "孩子生病", "参加行业培训", "外地客户来访"]
MOBILE_LEAVE_REASON = "流动党员，在外地务工"


@dataclass(frozen=True)
class Plan:
    organization: PartyOrganization
    kind: str
    topic: str
    starts_at: datetime.datetime
    minutes_long: int = 90
    lecturer: str = ""
    lecturer_affiliation: str = ""
    skip: bool = False  # planned into the year but never held nor recorded (the quarter BEHIND missed)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _months(today: datetime.date) -> list[datetime.date]:
    """The first day of each month from a year ago to this month (13 months)."""
    first = today.replace(day=1)
    months = []
    for back in range(12, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(datetime.date(year, month + 1, 1))
    return months


def _quarter(month: datetime.date) -> int:
    return (month.month - 1) // 3 + 1


def _plans(building, branches, groups, committees, *, today: datetime.date, theme_day: int) -> list[Plan]:
    """Every meeting of the year, in date order per branch."""
    months = _months(today)
    tomorrow = today + datetime.timedelta(days=1)
    general_months = [m for m in months if m.month % 3 == 0]
    behind_month = general_months[-2] if len(general_months) >= 2 else None
    plans = []
    for branch in branches:
        for month in months:
            y, n = month.year, month.month
            if branch.name == demo.BRANCH_1 and month == months[-1]:
                theme_at = _at(tomorrow, 14, 30)  # the 主题党日 of this month is tomorrow
            else:
                theme_at = _at(month.replace(day=theme_day), 14, 30)
            plans.append(
                Plan(branch, Kind.THEME_DAY, f"{THEME_TOPICS[n - 1]}（{y}年{n}月）", theme_at, minutes_long=120)
            )
            if branch.pk in committees:
                plans.append(
                    Plan(
                        branch,
                        Kind.COMMITTEE,
                        f"{COMMITTEE_TOPICS[n - 1]}（{y}年{n}月）",
                        _at(month.replace(day=3), 18, 30),
                        60,
                    )
                )
            for index, group in enumerate(groups.get(branch.pk, [])):
                plans.append(
                    Plan(
                        group,
                        Kind.GROUP,
                        f"{GROUP_TOPICS[n - 1]}（{y}年{n}月）",
                        _at(month.replace(day=10 + index), 19, 0),
                        60,
                    )
                )
            if n % 3 == 0:
                q = _quarter(month)
                plans.append(
                    Plan(
                        branch,
                        Kind.GENERAL_MEETING,
                        f"{GENERAL_TOPICS[q]}（{y}年第{q}季度）",
                        _at(month.replace(day=18), 14, 0),
                        skip=branch.name == BEHIND and month == behind_month,
                    )
                )
            if n % 3 == 2:
                q = _quarter(month)
                by_school = branch.name == demo.BRANCH_1 and q == 2
                plans.append(
                    Plan(
                        branch,
                        Kind.LESSON,
                        f"{LESSON_TOPICS[q]}（{y}年第{q}季度）",
                        _at(month.replace(day=25), 9, 0),
                        120,
                        lecturer=PARTY_SCHOOL_TEACHER if by_school else "",
                        lecturer_affiliation=PARTY_SCHOOL if by_school else "",
                    )
                )
            if n == 1:
                plans.append(
                    Plan(
                        branch,
                        Kind.LIFE_MEETING,
                        f"对照检查，开展批评与自我批评（{y - 1}年度）",
                        _at(month.replace(day=20), 14, 0),
                        180,
                    )
                )
        if branch.name == demo.ECOMMERCE_BRANCH:
            day = months[-5].replace(day=15)
            plans.append(Plan(branch, Kind.OTHER, "电商企业负责人和党员座谈会：党建引领企业发展", _at(day, 15, 0), 120))
    return [p for p in plans if not p.skip]


def _people(building) -> dict:
    """Who hosts and records each organisation's meetings: the secretary account's name where there is one, else
    the organisation's first full members; and who records them in the system."""
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "secretary1", "secretary2"])}
    by_org = defaultdict(list)
    for member in (
        Member.objects.filter(organization__building=building, category=Member.Category.FULL)
        .filter(status=Member.Status.NORMAL, whereabouts=Member.Whereabouts.HERE)
        .order_by("pk")
        .only("pk", "name", "organization_id")
    ):
        by_org[member.organization_id].append(member.name)
    return {"users": users, "names": by_org}


def _committee_members(committees: set[int]) -> dict[int, set[int]]:
    seats = CommitteeSeat.objects.filter(
        term__organization_id__in=committees, term__ended_on__isnull=True, until__isnull=True
    ).values_list("term__organization_id", "member_id")
    members = defaultdict(set)
    for organization_id, member_id in seats:
        members[organization_id].add(member_id)
    return members


@demo.register(order=35)
def seed_meetings(*, building, scale, stdout):
    """1. The building's branches, their groups, which have a committee (the committees demo, else the first
       branch), the building's theme party day.
    2. Every meeting of the year not there yet, planned through ``services.meeting_plan``; a 支委会 expects its
       committee members only.
    3. The past ones held: minutes, host and recorder, attendance with leave and QR check-ins, in bulk.
    4. Two leave requests still waiting on planned meetings.
    """
    today = timezone.localdate()
    now = timezone.now()
    organizations = list(PartyOrganization.objects.filter(building=building).order_by("pk"))
    branches = [
        o for o in organizations if o.kind in (PartyOrganization.Kind.BRANCH, PartyOrganization.Kind.JOINT_BRANCH)
    ]
    if not branches:
        return
    groups = defaultdict(list)
    for o in organizations:
        if o.kind == PartyOrganization.Kind.GROUP:
            groups[o.parent_id].append(o)
    committees = organizations_with_committee([b.pk for b in branches]) or {
        b.pk for b in branches if b.name == demo.BRANCH_1
    }
    # the building holds its 主题党日 on a fixed day: the compliance panel names it
    settings_row, _created = ComplianceSettings.objects.get_or_create(
        building=building, defaults={"theme_day": THEME_DAY}
    )
    theme_day = settings_row.theme_day or THEME_DAY
    people = _people(building)
    admin = people["users"].get("admin")
    secretaries = {
        u.organization_id: u for u in people["users"].values() if u.organization_id and u.role == "secretary"
    }

    existing = set(
        Meeting.objects.filter(organization__building=building).values_list("organization_id", "kind", "topic")
    )
    plans = [
        p
        for p in _plans(building, branches, groups, committees, today=today, theme_day=theme_day)
        if (p.organization.pk, p.kind, p.topic) not in existing
    ]
    if not plans:
        stdout.write("组织生活：已有，未改动")
        return

    seat_holders = _committee_members(committees)
    seat_secretaries = dict(
        CommitteeSeat.objects.filter(
            term__organization_id__in=[b.pk for b in branches],
            term__ended_on__isnull=True,
            until__isnull=True,
            post=CommitteeSeat.Post.SECRETARY,
        ).values_list("term__organization_id", "member__name")
    )
    created = []
    for plan in plans:
        branch = plan.organization if plan.organization.kind != PartyOrganization.Kind.GROUP else None
        branch_id = plan.organization.parent_id if branch is None else branch.pk
        names = people["names"].get(plan.organization.pk) or people["names"].get(branch_id) or ["—"]
        secretary = secretaries.get(branch_id)
        chair = secretary.name if secretary else seat_secretaries.get(branch_id, "")
        host = chair if chair and plan.kind != Kind.GROUP else names[0]
        recorder = names[1] if len(names) > 1 else names[0]
        lecturer, affiliation = plan.lecturer, plan.lecturer_affiliation
        if plan.kind == Kind.LESSON and not lecturer:
            lecturer, affiliation = host, ("支部书记" if chair else "")
        meeting = services.meeting_plan(
            organization=plan.organization,
            kind=plan.kind,
            topic=plan.topic,
            starts_at=plan.starts_at,
            ends_at=plan.starts_at + datetime.timedelta(minutes=plan.minutes_long),
            place=PLACE if plan.kind != Kind.OTHER else "中央大厦5楼多功能会议室",
            host=host,
            recorder=recorder,
            lecturer=lecturer,
            lecturer_affiliation=affiliation,
            by=secretary or admin,
        )
        Meeting.objects.filter(pk=meeting.pk).update(created_at=min(plan.starts_at - datetime.timedelta(days=7), now))
        if plan.kind == Kind.COMMITTEE:
            keep = seat_holders.get(plan.organization.pk)
            if keep:
                Attendance.objects.filter(meeting=meeting).exclude(member_id__in=keep).delete()
            else:  # no seats recorded: the branch's first five full members stand for the committee
                first = list(
                    Attendance.objects.filter(meeting=meeting, is_voting=True)
                    .order_by("member_id")[:5]
                    .values_list("pk", flat=True)
                )
                Attendance.objects.filter(meeting=meeting).exclude(pk__in=first).delete()
        created.append((meeting, secretary or admin))

    member1 = Member.objects.filter(user__username="member1").only("pk", "user_id").first()
    held = _hold(created, now=now, member1=member1)
    waiting = _waiting_requests(created, now=now, member1=member1)
    # The attendance points are credited once for all activities, last (members/points/demo.py).
    stdout.write(
        f"组织生活：会议 {len(created)} 次（已召开 {held}，计划 {len(created) - held}），待审批请假 {waiting} 条"
    )


def _hold(created, *, now, member1) -> int:
    """Hold the meetings that have begun: attendance (leave, absence, QR), minutes; returns how many."""
    past = [(m, by) for m, by in created if m.starts_at <= now]
    if not past:
        return 0
    by_meeting = defaultdict(list)
    for attendance in Attendance.objects.filter(meeting__in=[m for m, _by in past]).order_by("meeting_id", "member_id"):
        by_meeting[attendance.meeting_id].append(attendance)
    member1_general = [m for m, _by in past if m.kind == Kind.GENERAL_MEETING and _has(by_meeting[m.pk], member1)]
    member1_theme = [m for m, _by in past if m.kind == Kind.THEME_DAY and _has(by_meeting[m.pk], member1)]
    refused_at = member1_general[-1].pk if member1_general else None  # she asked, was refused, and came
    leave_at = member1_theme[-3].pk if len(member1_theme) >= 3 else None  # she was on leave, approved

    attendances, meetings = [], []
    for meeting, by in past:
        rng = random.Random(f"{meeting.organization_id}:{meeting.kind}:{meeting.topic}")
        rows = by_meeting[meeting.pk]
        general = meeting.kind == Kind.GENERAL_MEETING
        no_quorum = (
            general and meeting.organization.name == NO_QUORUM and timezone.localtime(meeting.starts_at).month == 6
        )
        voting = [a.pk for a in rows if a.is_voting]
        stayed_away = set(voting[: (len(voting) + 1) // 2]) if no_quorum else set()  # half or more: no quorum
        for a in rows:
            is_member1 = member1 is not None and a.member_id == member1.pk
            if is_member1 and meeting.pk == leave_at:
                _leave(a, meeting, by, "出差参加行业展会", approved=True)
            elif is_member1 and meeting.pk == refused_at:
                _leave(a, meeting, by, "单位加班", approved=False, note="支部党员大会要表决发展对象，请调整时间参加")
                a.status = Status.PRESENT
            elif a.pk in stayed_away:
                a.status = Status.ABSENT
            elif not is_member1 and (a.is_mobile and rng.random() < 0.6):
                _leave(a, meeting, by, MOBILE_LEAVE_REASON, approved=True)
            elif not is_member1 and rng.random() < 0.07:
                _leave(a, meeting, by, rng.choice(LEAVE_REASONS), approved=True)
            elif not is_member1 and rng.random() < 0.05:
                a.status = Status.ABSENT
            else:
                a.status = Status.PRESENT
            if a.status == Status.PRESENT and is_member1:
                a.method = Attendance.Method.QR
                a.checked_in_at = meeting.starts_at - datetime.timedelta(minutes=rng.randint(2, 20))
                a.recorded_by_id = member1.user_id
                a.recorded_at = a.checked_in_at
            else:
                a.method = Attendance.Method.SECRETARY
                a.recorded_by = by
                a.recorded_at = min(meeting.starts_at + datetime.timedelta(hours=3), now)
            attendances.append(a)
        if general and not no_quorum:
            _make_quorum(rows)
        counts = {s: sum(1 for a in rows if a.status == s) for s in (Status.PRESENT, Status.LEAVE, Status.ABSENT)}
        meeting.status = Meeting.Status.HELD
        meeting.minutes = _minutes(meeting, rows, counts)
        meeting.resolutions = _resolutions(meeting)
        meeting.held_recorded_by = by
        meeting.held_recorded_at = min(meeting.starts_at + datetime.timedelta(days=1), now)
        meetings.append(meeting)
    demo.bulk_save(Meeting, meetings, ["status", "minutes", "resolutions", "held_recorded_by", "held_recorded_at"])
    demo.bulk_save(
        Attendance,
        attendances,
        [
            "status",
            "method",
            "checked_in_at",
            "recorded_by",
            "recorded_at",
            "leave",
            "leave_reason",
            "leave_requested_at",
            "leave_decided_by",
            "leave_decided_at",
            "leave_note",
        ],
    )
    return len(meetings)


def _make_quorum(rows) -> None:
    """A compliant branch's 支部党员大会 has its quorum: voting members absent without leave come after all, in
    order, until more than half are there (rules.has_quorum)."""
    voting = [a for a in rows if a.is_voting]
    present = sum(1 for v in voting if v.status == Status.PRESENT)  # counted as it goes: branches run to 1,300
    for a in voting:
        if rules.has_quorum(present, len(voting)):
            return
        if a.status == Status.ABSENT or (a.status == Status.LEAVE and a.leave_reason == MOBILE_LEAVE_REASON):
            a.status, a.leave, a.leave_reason = Status.PRESENT, Leave.NONE, ""
            a.leave_requested_at = a.leave_decided_at = a.leave_decided_by = None
            present += 1


def _has(rows, member) -> bool:
    return member is not None and any(a.member_id == member.pk for a in rows)


def _leave(a: Attendance, meeting: Meeting, by, reason: str, *, approved: bool, note: str = ""):
    a.leave = Leave.APPROVED if approved else Leave.REFUSED
    a.leave_reason = reason
    a.leave_requested_at = meeting.starts_at - datetime.timedelta(days=2, hours=3)
    a.leave_decided_by = by
    a.leave_decided_at = meeting.starts_at - datetime.timedelta(days=1, hours=20)
    a.leave_note = note
    if approved:
        a.status = Status.LEAVE


def _minutes(meeting: Meeting, rows, counts) -> str:
    opening = (
        f"会议由{meeting.host}主持，{meeting.recorder}记录。应到{len(rows)}人，实到{counts[Status.PRESENT]}人，"
        f"请假{counts[Status.LEAVE]}人，缺席{counts[Status.ABSENT]}人。"
    )
    body = {
        Kind.THEME_DAY: "全体党员重温入党誓词，围绕本月主题开展学习和志愿服务，大家交流了体会。",
        Kind.COMMITTEE: "支委会逐项研究了本月工作，明确了分工和完成时限。",
        Kind.GROUP: "党小组长领学有关内容，党员结合本职工作逐一发言。",
        Kind.GENERAL_MEETING: "书记通报支部工作，会议按议程进行讨论，党员充分发表意见。",
        Kind.LESSON: f"{meeting.lecturer}讲授党课，党员认真听讲并作了学习笔记。",
        Kind.LIFE_MEETING: "支部班子和党员对照检查、开展批评与自我批评，明确整改措施。",
        Kind.OTHER: "邀请楼宇内8家电商企业负责人参加，企业负责人介绍了经营情况和用工需求，党员代表发言，"
        "总支介绍了楼宇党建服务项目；大家就党建工作如何服务企业发展交换了意见。",
    }[meeting.kind]
    return opening + body


def _resolutions(meeting: Meeting) -> str:
    if meeting.kind == Kind.GENERAL_MEETING:
        return "会议对讨论事项进行了表决，按程序报上级党组织。"
    if meeting.kind == Kind.COMMITTEE:
        return "按分工抓好落实，下次支委会通报进展。"
    if meeting.kind == Kind.LIFE_MEETING:
        return "形成问题清单和整改清单，限期整改。"
    return ""


def _waiting_requests(created, *, now, member1) -> int:
    """A leave request waiting on each of two planned meetings: a member of the second branch on its 支部党员大会,
    and a member of the first branch (not member1) on tomorrow's 主题党日."""
    chosen = []
    for meeting, _by in created:
        if meeting.starts_at <= now:
            continue
        wanted = (meeting.kind == Kind.GENERAL_MEETING and meeting.organization.name == demo.BRANCH_2) or (
            meeting.kind == Kind.THEME_DAY and meeting.organization.name == demo.BRANCH_1
        )
        if wanted:
            chosen.append(meeting)
    rows = []
    for meeting in chosen:
        a = (
            Attendance.objects.filter(meeting=meeting, leave="")
            .filter(~Q(member_id=member1.pk) if member1 is not None else Q())
            .order_by("member_id")
            .first()
        )
        if a is None:
            continue
        a.leave = Leave.REQUESTED
        a.leave_reason = "届时在外地出差"
        a.leave_requested_at = now - datetime.timedelta(days=1, hours=4)
        rows.append(a)
    Attendance.objects.bulk_update(rows, ["leave", "leave_reason", "leave_requested_at"])
    return len(rows)


# --- the activity room (activities.rooms) -------------------------------------------------------------------


@demo.register(order=36)  # after the meetings (35) and the rooms (activities/rooms/demo.py, 34)
def book_activity_room(*, building, scale, stdout):
    """The meetings held or planned in the activity room (their place names it) book it, earliest first; a meeting
    whose slot another already has keeps its place text without a booking (several branches' theme party days
    fall on the same afternoon). Bookings are written in bulk, checked against each other here and, on
    PostgreSQL, by the room's exclusion constraint; a meeting booked already is left alone."""
    room = Room.objects.filter(building=building, name=ROOM_NAME).first()
    if room is None:
        return
    meetings = list(
        Meeting.objects.filter(organization__building=building, place__contains=ROOM_NAME, room_booking__isnull=True)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("organization")
        .order_by("starts_at", "pk")
    )
    taken = list(RoomBooking.objects.active().filter(room=room).values_list("starts_at", "ends_at"))
    chosen = []
    for meeting in meetings:
        starts_at, ends_at = services.room_slot(meeting.starts_at, meeting.ends_at)
        if any(start < ends_at and end > starts_at for start, end in taken):
            continue
        taken.append((starts_at, ends_at))
        chosen.append((meeting, starts_at, ends_at))
    bookings = RoomBooking.objects.bulk_create(
        RoomBooking(
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            title=str(meeting)[:200],
            organization=meeting.organization,
            source=f"meetings.meeting:{meeting.pk}",
            booked_by=meeting.created_by,
            booked_at=min(meeting.created_at, meeting.starts_at),
        )
        for meeting, starts_at, ends_at in chosen
    )
    for (meeting, _start, _end), booking in zip(chosen, bookings, strict=True):
        meeting.room_booking = booking
    Meeting.objects.bulk_update([m for m, _s, _e in chosen], ["room_booking"], batch_size=200)
    stdout.write(f"活动室：会议预约 {len(chosen)} 次" if chosen else "活动室：会议预约已有，未改动")
