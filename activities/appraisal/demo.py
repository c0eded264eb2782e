"""Demo democratic appraisal (民主评议党员) for `manage.py seed_demo`.

Runs after the members and the meetings demos (order 45): a round names the branch's 组织生活会 when the meetings
demo held one. For every branch last year's round is complete: every member wrote a self-assessment, members
assessed each other, the branch graded every full member within the cap on 优秀 (a third of those graded), one
基本合格 per branch, one 不合格 with its follow-up in the property company's branch, and the round is closed. This
year's round is in progress in member1's branch: some self-assessments in, a few peer assessments and grades,
member1's own still to do. A round that exists is left as it is, so a second run adds nothing.
"""

import datetime

from django.utils import timezone

from activities.meetings import rules
from activities.meetings.models import Meeting
from buildingparty import demo
from buildingparty.models import PartyOrganization, Role, User
from members.models import Member

from . import services
from .models import Appraisal, AppraisalRound, Grade, PeerAssessment

PEERS_EACH = 4  # how many of the others each member assesses in a complete round
UNQUALIFIED_BRANCH = demo.PROPERTY_BRANCH

SELF_TEXTS = [
    "一年来坚持学习党的创新理论，按时参加“三会一课”和主题党日活动，按时足额交纳党费。"
    "工作上立足岗位、带头攻坚，参与大厦志愿服务十余次。不足是理论学习还不够系统，今后要加强自学，多向身边党员学习。",
    "能够认真履行党员义务，在企业里亮明党员身份，带头完成急难险重任务。"
    "不足是联系群众还不够主动，对困难同事关心不够。今后要多做“帮一帮、带一带、问一问”的工作。",
    "坚定理想信念，遵守党的纪律。积极参加群防群治队的巡逻和消防值守，参与社区普法宣传。"
    "存在的问题是工作忙时参加组织生活有时请假，今后要合理安排时间，保证参加组织生活。",
    "认真学习党章党规，学习强国坚持每天学习。在公司承担客户服务工作，年度考核优秀。"
    "不足是批评与自我批评开展得不够，今后要敢于指出问题、改进作风。",
]
PEER_COMMENTS = {
    Grade.EXCELLENT: "工作积极主动，带头作用明显，热心志愿服务。",
    Grade.QUALIFIED: "能按时参加组织生活，完成本职工作，希望在学习上再加把劲。",
    Grade.BASIC: "组织生活参加不够经常，希望增强党员意识。",
    Grade.UNQUALIFIED: "长期不参加组织生活，党员作用发挥不明显。",
}
PROBATIONARY_COMMENT = "预备期内表现积极，虚心学习，希望继续接受组织考察。"
BASIC_FOLLOW_UP = "支部书记谈心谈话，帮助其增强党员意识，按时参加组织生活。"
UNQUALIFIED_FOLLOW_UP = "限期改正：由支部书记谈话提醒，半年内按时参加组织生活、交纳党费，期满由支部党员大会重新评议。"


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _life_meeting(branch, since: datetime.date, until: datetime.date) -> Meeting | None:
    """The branch's 组织生活会 between the two days (the meetings demo's), if there is one."""
    return (
        Meeting.objects.filter(
            organization=branch,
            kind=Meeting.Kind.LIFE_MEETING,
            starts_at__gte=_at(since, 0),
            starts_at__lt=_at(until, 0),
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
        .first()
    )


def _final_grades(full: list[Appraisal], cap: int, *, unqualified: bool) -> dict[int, str]:
    """Grades for a branch's full members (by name): as many 优秀 as the cap allows up to two, one 基本合格, one 不合格
    where asked, the rest 合格."""
    grades = {}
    ordered = sorted(full, key=lambda a: (a.member.name, a.pk))
    excellent = min(cap, 2)
    for index, appraisal in enumerate(ordered):
        if index < excellent:
            grades[appraisal.pk] = Grade.EXCELLENT
        elif index == len(ordered) - 1 and len(ordered) >= 3:
            grades[appraisal.pk] = Grade.BASIC
        elif unqualified and index == len(ordered) - 2 and len(ordered) >= 5:
            grades[appraisal.pk] = Grade.UNQUALIFIED
        else:
            grades[appraisal.pk] = Grade.QUALIFIED
    return grades


def _self_assess(appraisals: list[Appraisal], when: datetime.datetime) -> None:
    for index, appraisal in enumerate(appraisals):
        appraisal.self_assessment = SELF_TEXTS[(appraisal.member_id + index) % len(SELF_TEXTS)]
        appraisal.self_submitted_at = when + datetime.timedelta(hours=index % 24)
    Appraisal.objects.bulk_update(appraisals, ["self_assessment", "self_submitted_at"])


def _peer_assess(assessors: list[Appraisal], everyone: list[Appraisal], grades: dict, when, each: int) -> int:
    """Each assessor assesses the next ``each`` members of the round (in turn), suggesting mostly the grade the
    branch gives."""
    rows = []
    size = len(everyone)
    position = {a.pk: i for i, a in enumerate(everyone)}
    for assessor in assessors:
        start = position[assessor.pk]
        for step in range(1, min(each, size - 1) + 1):
            target = everyone[(start + step) % size]
            if target.takes_grade:
                grade = grades.get(target.pk, Grade.QUALIFIED)
                if grade == Grade.EXCELLENT and step == 3:
                    grade = Grade.QUALIFIED  # not everybody sees it the same way
                comment = PEER_COMMENTS[grade] if step != 2 else ""
            else:
                grade, comment = "", PROBATIONARY_COMMENT
            rows.append(
                PeerAssessment(appraisal=target, assessor_id=assessor.member_id, grade=grade, comment=comment, at=when)
            )
    PeerAssessment.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _complete_round(branch, year: int, by, *, today: datetime.date, unqualified: bool) -> AppraisalRound:
    """Last year's round: opened early this year with the 组织生活会, everything done, closed ten days later."""
    opened = min(datetime.date(year + 1, 1, 8), today)
    closed = min(opened + datetime.timedelta(days=10), today)
    meeting = _life_meeting(branch, datetime.date(year, 11, 1), datetime.date(year + 1, 4, 1))
    round = services.round_open(organization=branch, year=year, by=by, life_meeting=meeting, notify_members=False)
    everyone = list(round.appraisals.select_related("member").order_by("member__name", "pk"))
    full = [a for a in everyone if a.takes_grade]
    grades = _final_grades(full, rules.max_excellent(len(full)), unqualified=unqualified)
    _self_assess(everyone, _at(opened, 9))
    _peer_assess(everyone, everyone, grades, _at(opened + datetime.timedelta(days=3), 20), PEERS_EACH)
    # 优秀 first: the cap is checked against what is already graded.
    for appraisal in sorted(full, key=lambda a: grades[a.pk] != Grade.EXCELLENT):
        grade = grades[appraisal.pk]
        follow_up = {Grade.BASIC: BASIC_FOLLOW_UP, Grade.UNQUALIFIED: UNQUALIFIED_FOLLOW_UP}.get(grade, "")
        services.grade(appraisal=appraisal, grade=grade, follow_up=follow_up, by=by)
    services.round_close(round=round, by=by)
    AppraisalRound.objects.filter(pk=round.pk).update(opened_at=_at(opened, 8), closed_at=_at(closed, 17))
    round.appraisals.filter(takes_grade=True).update(graded_at=_at(closed, 16))
    return round


def _round_in_progress(branch, year: int, by, *, today: datetime.date, member1: Member) -> AppraisalRound:
    """This year's round of member1's branch, opened ten days ago: about half the self-assessments in, a few
    peer assessments, two members graded (one 优秀), member1's own self-assessment and peers still to do."""
    opened = max(today - datetime.timedelta(days=10), datetime.date(year, 1, 1))
    meeting = _life_meeting(branch, datetime.date(year, 11, 1), datetime.date(year + 1, 4, 1))
    round = services.round_open(organization=branch, year=year, by=by, life_meeting=meeting)
    AppraisalRound.objects.filter(pk=round.pk).update(opened_at=_at(opened, 8))
    everyone = list(round.appraisals.select_related("member").order_by("member__name", "pk"))
    others = [a for a in everyone if a.member_id != member1.pk]
    _self_assess(others[: len(others) // 2], _at(min(opened + datetime.timedelta(days=1), today), 9))
    full = [a for a in others if a.takes_grade]
    graded = {a.pk: Grade.QUALIFIED for a in full[:2]}
    if full and rules.max_excellent(sum(a.takes_grade for a in everyone)) >= 1:
        graded[full[0].pk] = Grade.EXCELLENT
    _peer_assess(others[:3], everyone, graded, _at(min(opened + datetime.timedelta(days=2), today), 20), 3)
    for appraisal in full[:2]:
        services.grade(appraisal=appraisal, grade=graded[appraisal.pk], follow_up="", by=by)
    return round


@demo.register(order=45)
def seed_appraisal(*, building, scale, stdout):
    today = timezone.localdate()
    last, this = today.year - 1, today.year
    admin = User.objects.filter(username="admin", building=building).first()
    secretaries = {
        u.organization_id: u for u in User.objects.filter(role=Role.SECRETARY, building=building).order_by("pk")
    }
    branches = list(PartyOrganization.objects.filter(building=building).branches().order_by("name"))
    existing = set(
        AppraisalRound.objects.filter(organization__building=building).values_list("organization_id", "year")
    )
    completed = 0
    for branch in branches:
        if (branch.pk, last) in existing:
            continue
        by = secretaries.get(branch.pk, admin)
        _complete_round(branch, last, by, today=today, unqualified=branch.name == UNQUALIFIED_BRANCH)
        completed += 1

    member1 = Member.objects.filter(user__username="member1").select_related("organization").first()
    in_progress = None
    if member1 is not None and member1.is_active_member:
        branch = member1.organization.branch
        if (branch.pk, this) not in existing:
            in_progress = _round_in_progress(
                branch, this, secretaries.get(branch.pk, admin), today=today, member1=member1
            )

    graded = Appraisal.objects.filter(round__organization__building=building, round__year=last)
    counts = {grade: graded.filter(grade=grade).count() for grade in Grade.values}
    stdout.write(
        f"民主评议党员：{last} 年度 {len(branches)} 个支部已评议（本次新增 {completed} 个；优秀 "
        f"{counts[Grade.EXCELLENT]} 人、合格 {counts[Grade.QUALIFIED]} 人、基本合格 {counts[Grade.BASIC]} 人、"
        f"不合格 {counts[Grade.UNQUALIFIED]} 人）"
        + (f"；{this} 年度 {in_progress.organization.name} 进行中" if in_progress else "")
    )
