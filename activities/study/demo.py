"""Demo study sessions for `manage.py seed_demo`: last year whole and this year up to today, for every branch.

The building's three forms of study (集中学、帮学、送学): a concentrated study each month and a longer reading
class three times a year; a peer-helped pairing each quarter (an older member with a newer one); study delivered
every other month to a mobile member, or else the branch's oldest member. A month in which the branch held a
theme party day or party lesson with study hours (the meetings demo's, when it ran first) had its concentrated
study there: no session repeats it. Most members take part in most studies, so most are near or above 32 hours
by December; one member in nine comes only each third month and falls behind. Committee members, who owe 56,
study together each quarter besides, and are partly behind.

Sessions are known by organisation, date and topic: a second run adds nothing, and a session's participants are
written only when the session is new (a secretary's corrections stay).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from activities.meetings.models import Meeting
from buildingparty import demo
from buildingparty.models import PartyOrganization, User
from members.committees.selectors import committee_member_ids
from members.models import Member

from .models import StudyParticipation, StudySession

Kind = StudySession.Kind

# (topic, materials studied), one a month.
MONTHLY = [
    ("学习新修订的《中国共产党章程》", "《中国共产党章程》\n《党章学习问答》"),
    ("学习全国两会精神", "政府工作报告（全文）"),
    ("学习《中国共产党纪律处分条例》", "《中国共产党纪律处分条例》"),
    ("学习《中国共产党党员教育管理工作条例》", "《中国共产党党员教育管理工作条例》"),
    ("学习《中国共产党支部工作条例（试行）》", "《中国共产党支部工作条例（试行）》"),
    ("学习“两新”组织党建工作文件", "《关于加强新经济组织和新社会组织党的建设工作的意见》"),
    ("庆祝建党纪念日专题学习", "《中国共产党简史》第一章"),
    ("学习《中华人民共和国民法典》普法专题", "《民法典》合同编、人格权编选读"),
    ("学习安全生产和消防知识", "《浙江省消防条例》\n楼宇消防安全手册"),
    ("学习浙江红色故事", "《浙江红色故事》选读"),
    ("学习优化营商环境相关政策", "慈溪市优化营商环境政策汇编"),
    ("年终学习回顾与交流", "支部全年学习资料汇编"),
]
# month → (topic, materials) of the half-day reading classes
READING = {
    3: ("专题读书班：重温入党誓词", "《中国共产党章程》总纲\n《入党誓词》"),
    7: ("专题读书班：党的历史", "《中国共产党简史》"),
    10: ("专题读书班：新时代党的建设", "《中国共产党党员教育管理工作条例》"),
}
LECTURERS = ["慈溪市委党校讲师", "浒山街道党工委宣传委员", "支部书记"]
STUDY_ROOM = "党支部活动室（物业公司会议室）"

CONCENTRATED_DAY, READING_DAY, PEER_DAY, DELIVERED_DAY, COMMITTEE_DAY = 12, 26, 20, 8, 16
CONCENTRATED_HOURS, READING_HOURS, PEER_HOURS, DELIVERED_HOURS = Decimal(3), Decimal(4), Decimal(2), Decimal(3)
COMMITTEE_HOURS = Decimal(4)
FALLS_BEHIND = 9  # one member in nine comes only each third month

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
MATERIAL_FILE = "study/demo/party-constitution-slides.pdf"


def _comes(index: int, month: int, away: bool) -> bool:
    """Whether the member at ``index`` of her branch comes to the concentrated study of ``month``."""
    if away or index % FALLS_BEHIND == FALLS_BEHIND // 2:
        return month % 3 == 0
    return (index + month) % 5 != 0


@dataclass(frozen=True)
class Planned:
    kind: str
    held_on: datetime.date
    topic: str
    hours: Decimal
    led_by: str
    materials: str
    members: list


def _plan(members: list[Member], year: int, meeting_months: set, committee: list[Member]):
    """A branch's sessions of ``year``, its members in normal standing given by record. A month in
    ``meeting_months`` had a theme party day or party lesson with study hours: its concentrated study happened
    there, so no session repeats it. The ``committee`` (members with a seat in the year) study together each
    quarter besides."""
    if not members:
        return
    visited = [m for m in members if m.is_mobile] or [min(members, key=lambda m: (m.birth_date, m.pk))]
    away = {m.pk for m in visited}
    lead = members[0].name
    helper, helped = members[min(1, len(members) - 1)], members[-1]
    for month in range(1, 13):
        topic, materials = MONTHLY[month - 1]
        lecturer = LECTURERS[month % len(LECTURERS)]
        comers = [m for i, m in enumerate(members) if _comes(i, month, m.pk in away)]
        if (year, month) not in meeting_months:
            yield Planned(
                Kind.CONCENTRATED,
                datetime.date(year, month, CONCENTRATED_DAY),
                topic,
                CONCENTRATED_HOURS,
                f"{lecturer} {lead}" if lecturer == "支部书记" else lecturer,
                materials,
                comers,
            )
        if month in READING:
            reading_topic, reading_materials = READING[month]
            reading_day = datetime.date(year, month, READING_DAY)
            yield Planned(
                Kind.CONCENTRATED, reading_day, reading_topic, READING_HOURS, LECTURERS[0], reading_materials, comers
            )
        if month % 3 == 0 and helper.pk != helped.pk:
            yield Planned(
                Kind.PEER,
                datetime.date(year, month, PEER_DAY),
                f"结对帮学：{helper.name}帮{helped.name}{topic}",
                PEER_HOURS,
                helper.name,
                materials,
                [helper, helped],
            )
        if month % 3 == 2 and committee:
            yield Planned(
                Kind.CONCENTRATED,
                datetime.date(year, month, COMMITTEE_DAY),
                f"支委会集体学习：{topic}",
                COMMITTEE_HOURS,
                lead,
                materials,
                committee,
            )
        if month % 2 == 0:
            for member in visited:
                yield Planned(
                    Kind.DELIVERED,
                    datetime.date(year, month, DELIVERED_DAY),
                    f"送学上门：{topic}（{member.name}）",
                    DELIVERED_HOURS,
                    lead,
                    materials,
                    [member],
                )


@demo.register(order=47)  # after the members (20), dues and points (25, 26) and organisational life's meetings
def seed_study(*, building, scale, stdout):
    """1. For each branch, last year's sessions and this year's up to today that are missing, with their
       participants (the branch's members in normal standing, by record).
    2. The latest concentrated study of the first branch carries its slides as a file.
    """
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "secretary1", "secretary2"])}
    by_branch = {demo.BRANCH_1: users.get("secretary1"), demo.BRANCH_2: users.get("secretary2")}
    existing = set(
        StudySession.objects.filter(organization__building=building).values_list("organization_id", "held_on", "topic")
    )
    sessions, participants = [], []
    for branch in PartyOrganization.objects.filter(building=building).branches().order_by("name"):
        subtree = branch.subtree_ids()
        members = list(Member.objects.active().filter(organization_id__in=subtree).order_by("pk"))
        meeting_months = _study_meeting_months(building, subtree)
        for year in (today.year - 1, today.year):
            seats = committee_member_ids([m.pk for m in members], year)
            committee = [m for m in members if m.pk in seats]
            for plan in _plan(members, year, meeting_months, committee):
                if plan.held_on > today or (branch.pk, plan.held_on, plan.topic) in existing:
                    continue
                session = StudySession(
                    organization=branch,
                    kind=plan.kind,
                    topic=plan.topic,
                    held_on=plan.held_on,
                    hours=plan.hours,
                    led_by=plan.led_by,
                    place=STUDY_ROOM if plan.kind == Kind.CONCENTRATED else "",
                    materials=plan.materials,
                    created_by=by_branch.get(branch.name) or users.get("admin"),
                    created_at=timezone.make_aware(datetime.datetime.combine(plan.held_on, datetime.time(17, 30))),
                )
                sessions.append(session)
                participants.append(plan.members)
    StudySession.objects.bulk_create(sessions, batch_size=500)
    StudyParticipation.objects.bulk_create(
        [
            StudyParticipation(session=session, member=member)
            for session, comers in zip(sessions, participants)
            for member in comers
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    _attach_slides(building)
    # The study points are credited once for all activities, last (members/points/demo.py).
    stdout.write(f"学习：本次新增集中学、帮学、送学 {len(sessions)} 次，参学 {sum(len(c) for c in participants)} 人次")


def _study_meeting_months(building, subtree: list[int]) -> set[tuple[int, int]]:
    """(year, month) of the held meetings with study hours of the branch, its groups or the general branch."""
    meetings = Meeting.objects.filter(
        Q(organization_id__in=subtree) | Q(organization__kind=PartyOrganization.Kind.GENERAL_BRANCH),
        organization__building=building,
        status=Meeting.Status.HELD,
        study_hours__gt=0,
    )
    return {(moment.year, moment.month) for moment in meetings.order_by().datetimes("starts_at", "month")}


def _attach_slides(building) -> None:
    """The first branch's latest concentrated study gets the demo's slides, unless some session has them."""
    sessions = StudySession.objects.filter(organization__building=building)
    if sessions.exclude(material_file="").exists():
        return
    latest = sessions.filter(organization__name=demo.BRANCH_1, kind=Kind.CONCENTRATED).order_by("-held_on").first()
    if latest is None:
        return
    if not default_storage.exists(MATERIAL_FILE):
        default_storage.save(MATERIAL_FILE, ContentFile(PDF))
    StudySession.objects.filter(pk=latest.pk).update(material_file=MATERIAL_FILE)
