"""Demo duty rosters for `manage.py seed_demo`: the building's five-in-one teams (五位一体) and a month on duty.

Five teams: security (治保), mediation (调解), legal education (普法, led by member1, so her account shows a
leader's pages), patrol (巡逻, nightly, led by the property company's security captain, a volunteer) and fire
safety (消防). Their people are party members of the building and volunteers who are not members; one patrol
member and one security member also serve on another team. The current month's shifts are filled week by week
through ``services.fill_week`` and ``services.assign_many``, so the demo keeps the three rules: one patrol member is
on leave for a week and is on no shift then. Past shifts have their log; the mediation team has one case; member1
has asked for one swap, which the admin approved.

The rosters are seeded once, for the month of the first run: a building that has its duty teams is left as it
is, so a second run (in the same month or a later one) adds nothing.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import User
from enterprises.models import Enterprise
from members.models import Member, active_q

from . import selectors, services
from .models import Assignment, DutyShift, DutyTeam, MediationCase, ShiftLog, SwapRequest, TeamMember, Unavailability

Kind = DutyTeam.Kind
PROPERTY_COMPANY = "慈溪市中央大厦物业管理有限公司"  # enterprises/demo.py


@dataclass(frozen=True)
class Shift:
    weekdays: tuple[int, ...]  # 0 = Monday
    start: datetime.time
    end: datetime.time
    post: str
    needed: int


@dataclass(frozen=True)
class Team:
    kind: str
    name: str
    weekly_limit: int
    note: str
    members: int  # party members of the building on the team
    volunteers: tuple[tuple[str, str], ...]  # (name, mobile)
    leader: str  # "member1", "member" (the first party member) or "volunteer" (the first volunteer)
    shifts: tuple[Shift, ...]


def t(hour: int, minute: int = 0) -> datetime.time:
    return datetime.time(hour, minute)


WEEKDAYS = (0, 1, 2, 3, 4)
TEAMS = [
    Team(
        Kind.SECURITY,
        "中央大厦治保队",
        2,
        "楼宇治安防范，大堂和重点部位看护",
        6,
        (("周建平", "16605741201"),),
        "member",
        (
            Shift(WEEKDAYS, t(8, 30), t(11, 30), "一楼大堂岗", 1),
            Shift(WEEKDAYS, t(13, 30), t(17, 0), "一楼大堂岗", 1),
        ),
    ),
    Team(
        Kind.MEDIATION,
        "中央大厦调解队",
        2,
        "调解企业之间、员工与企业之间的矛盾纠纷",
        4,
        (("陈美华", "16605741202"),),
        "member",
        (Shift((1, 3), t(14), t(17), "调解室（物业公司会议室）", 2),),
    ),
    Team(
        Kind.LEGAL,
        "中央大厦普法队",
        2,
        "法律咨询和普法宣传，每周三、周五午间",
        4,
        (("徐律", "16605741203"),),
        "member1",
        (
            Shift((2,), t(12), t(13, 30), "一楼大堂普法咨询台", 2),
            Shift((4,), t(12), t(13, 30), "一楼大堂普法咨询台", 1),
        ),
    ),
    Team(
        Kind.PATROL,
        "中央大厦巡逻队",
        3,
        "夜间巡逻楼宇周边和地下车库",
        6,
        (("王立军", "16605741204"), ("郑小东", "16605741205"), ("吴海波", "16605741206")),
        "volunteer",
        (
            Shift((0, 1, 2, 3, 4, 5, 6), t(19), t(21), "楼宇周边巡逻路线", 2),
            Shift((4, 5), t(22), t(0, 30), "地下车库巡逻", 1),
        ),
    ),
    Team(
        Kind.FIRE,
        "中央大厦消防队",
        2,
        "消防设施巡查和消防演练",
        3,
        (("钱志明", "16605741207"),),
        "volunteer",
        (Shift((2,), t(14), t(16), "消防设施巡查（逐层）", 2),),
    ),
]
LEAVE = ("出差", 10, 16)  # the second patrol member is away from the 10th to the 16th
LOGS = [
    ("巡查正常，无异常情况。", "", ""),
    ("按路线巡查一遍，提醒两家企业关好门窗。", "", ""),
    ("巡查中发现消防通道有杂物堆放。", "8楼消防通道堆放纸箱。", "已通知物业公司当天清理。"),
    ("接待来访群众咨询，解答问题。", "", ""),
]
CASE = {
    "parties": "李某（慈溪某电商企业员工）\n慈溪某电商企业（负责人张某）",
    "dispute": "员工离职时对加班费结算有异议，双方各执一词。",
    "outcome": MediationCase.Outcome.SETTLED,
    "agreement": "企业按考勤记录补发加班费，双方签字确认，员工不再追究。",
}


def _people(building):
    """Party members of the building in normal standing and here, not mobile, member1 first (her team comes with
    her), in a fixed order."""
    members = list(
        Member.objects.filter(active_q(), organization__building=building, is_mobile=False)
        .exclude(user__isnull=False)
        .select_related("enterprise")
        .order_by("pk")
    )
    member1 = Member.objects.filter(user__username="member1").select_related("enterprise").first()
    return member1, members


def _month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = today.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return first, last


@demo.register(order=48)  # after the members (20) and enterprises (10)
def seed_duty(*, building, scale, stdout):
    """1. The five teams and their people (party members and volunteers), their leaders.
    2. The leave of one patrol member.
    3. The current month's shifts not there yet; then each week filled (``fill_week`` + ``assign_many``).
    4. A log on each past shift without one; the mediation case; member1's approved swap."""
    if DutyTeam.objects.filter(building=building).exists():
        stdout.write("群防群治：已有，未改动")
        return
    today = timezone.localdate()
    admin = User.objects.filter(username="admin").first()
    member1, members = _people(building)
    if not members:
        return
    property_company = Enterprise.objects.filter(building=building, name=PROPERTY_COMPANY).first()
    first, last = _month(today)
    teams = {}
    cursor = 0
    for spec in TEAMS:
        team, _created = DutyTeam.objects.get_or_create(
            building=building,
            name=spec.name,
            defaults={"kind": spec.kind, "weekly_limit": spec.weekly_limit, "note": spec.note},
        )
        chosen = members[cursor : cursor + spec.members]
        cursor += spec.members - 1  # each team shares one member with the next
        if spec.leader == "member1" and member1 is not None:
            chosen = [member1, *chosen[:-1]]
        people = [_member_on(team, m) for m in chosen]
        volunteers = [_volunteer_on(team, name, phone, property_company) for name, phone in spec.volunteers]
        volunteers = [v for v in volunteers if v is not None]
        if team.leader_id is None:
            leader = volunteers[0] if spec.leader == "volunteer" and volunteers else people[0]
            DutyTeam.objects.filter(pk=team.pk).update(leader=leader)
            team.leader = leader
        teams[spec.kind] = (team, spec, people + volunteers)

    patrol, _spec, patrol_people = teams[Kind.PATROL]
    away = patrol_people[1]
    reason, start_day, end_day = LEAVE
    Unavailability.objects.get_or_create(
        team_member=away,
        starts_on=first.replace(day=start_day),
        defaults={"ends_on": first.replace(day=end_day), "reason": reason, "recorded_by": admin},
    )

    made = filled = 0
    month_start = selectors.local_midnight(first)
    for team, spec, _people_on in teams.values():
        made += _shifts(team, spec, first, last, by=admin)
        monday = selectors.monday_of(first)
        while monday <= last:
            proposal = services.fill_week(team=team, monday=monday, since=month_start)
            picks = [(row.shift, person) for row in proposal.rows for person in row.proposed]
            if picks:
                filled += len(services.assign_many(team=team, picks=picks, by=admin))
            monday += datetime.timedelta(days=7)

    logs = _logs(building, admin)
    _case(teams[Kind.MEDIATION][0], admin, today)
    swapped = _swap(teams[Kind.LEGAL][0], member1, admin)
    stdout.write(
        f"群防群治：{len(teams)} 支队伍，新排班次 {made} 个，安排值班 {filled} 人次，值班记录 {logs} 条"
        + ("，调班 1 次" if swapped else "")
    )


def _member_on(team: DutyTeam, member: Member) -> TeamMember:
    person, _created = TeamMember.objects.get_or_create(
        team=team, member=member, defaults={"enterprise": member.enterprise}
    )
    return person


def _volunteer_on(team, name, phone, enterprise) -> TeamMember | None:
    if Member.objects.filter(organization__building_id=team.building_id, phone=phone).exists():
        return None  # the number is a member's: the volunteer is left out rather than taken for her
    person, _created = TeamMember.objects.get_or_create(
        team=team, member=None, phone=phone, defaults={"name": name, "enterprise": enterprise}
    )
    return person


def _shifts(team: DutyTeam, spec: Team, first: datetime.date, last: datetime.date, *, by) -> int:
    existing = set(DutyShift.objects.filter(team=team).values_list("starts_at", "post"))
    made = 0
    for shift in spec.shifts:
        for day in (first + datetime.timedelta(days=n) for n in range((last - first).days + 1)):
            if day.weekday() not in shift.weekdays:
                continue
            starts_at, _ends_at = services.shift_times(day, shift.start, shift.end)
            if (starts_at, shift.post) in existing:
                continue
            made += len(
                services.shift_create(
                    team=team, day=day, start=shift.start, end=shift.end, post=shift.post, needed=shift.needed, by=by
                )
            )
    return made


def _logs(building, admin) -> int:
    past = list(
        DutyShift.objects.filter(team__building=building, ends_at__lte=timezone.now(), logs__isnull=True)
        .exclude(assignments__isnull=True)
        .distinct()
        .order_by("starts_at", "pk")
    )
    ShiftLog.objects.bulk_create(
        [
            ShiftLog(
                shift=shift,
                happened=LOGS[n % len(LOGS)][0],
                incidents=LOGS[n % len(LOGS)][1],
                follow_up=LOGS[n % len(LOGS)][2],
                written_by=admin,
                written_at=shift.ends_at,
            )
            for n, shift in enumerate(past)
        ]
    )
    return len(past)


def _case(team: DutyTeam, admin, today: datetime.date) -> None:
    if MediationCase.objects.filter(team=team, dispute=CASE["dispute"]).exists():
        return
    shift = DutyShift.objects.filter(team=team, ends_at__lte=timezone.now()).order_by("starts_at").first()
    log = shift.logs.order_by("pk").first() if shift else None
    held_on = shift.day if shift else today
    services.case_save(
        case=MediationCase(
            team=team,
            shift=shift,
            log=log,
            held_on=held_on,
            follow_up_on=held_on + datetime.timedelta(days=14),
            **CASE,
        ),
        by=admin,
    )


def _swap(team: DutyTeam, member1: Member | None, admin) -> bool:
    """member1 hands one of her shifts ahead to a colleague; the admin approves. When she has none ahead (the
    month's last days), a colleague's shift ahead does; with none ahead at all, there is no swap this month."""
    if SwapRequest.objects.filter(assignment__shift__team=team).exists():
        return False
    ahead = Assignment.objects.filter(shift__team=team, shift__starts_at__gt=timezone.now()).select_related(
        "shift__team", "team_member__member__user"
    )
    assignment = ahead.filter(team_member__member=member1).order_by("shift__starts_at").first() if member1 else None
    assignment = assignment or ahead.order_by("shift__starts_at", "pk").first()
    if assignment is None:
        return False
    colleagues = selectors.active_people(team).exclude(pk=assignment.team_member_id)
    asker = assignment.team_member.member.user if assignment.team_member.member_id else None
    for colleague in colleagues:
        try:
            swap = services.swap_request(
                assignment=assignment, to_member=colleague, reason="当天要去外地参加培训", by=asker or admin
            )
        except ValidationError:
            continue
        services.swap_decide(swap=swap, approve=True, by=admin, note="同意")
        return True
    return False
