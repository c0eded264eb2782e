"""Demo committees and terms (换届) for `manage.py seed_demo`, after the members (order 20).

Every branch of the demo building and the general branch has a current term: the general branch and the first
branch (secretary1's) a committee of five, the second branch a committee of three, the small branches only a
secretary (and one a deputy). The first branch's term ends next quarter, so the general branch's reminder and
the due list have something to show; the e-commerce joint branch is past due. Where natural there is one past
term for the history, and the first branch had a by-election (补选) mid-term.

Dates count back from today. People are the organisation's full members in normal standing, preferring those
whose register entry names the post (members/demo.py gives 组织委员, 宣传委员 and 支部书记 to the first unit);
member1 holds no post. An organisation that has any term already is left alone, so a second run adds nothing.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from buildingparty import demo
from buildingparty.models import PartyOrganization, User
from members.models import Member

from . import services
from .models import CommitteeSeat, CommitteeTerm

Post = CommitteeSeat.Post

FIVE = (Post.SECRETARY, Post.DEPUTY, Post.ORGANISATION, Post.PROPAGANDA, Post.DISCIPLINE)
THREE = (Post.SECRETARY, Post.ORGANISATION, Post.PROPAGANDA)
# The words of the register's 职务 field (members/demo.py POSTS) for each post.
REGISTER_WORDS = {
    Post.SECRETARY: "支部书记",
    Post.DEPUTY: "副书记",
    Post.ORGANISATION: "组织委员",
    Post.PROPAGANDA: "宣传委员",
    Post.DISCIPLINE: "纪检委员",
}


@dataclass(frozen=True)
class TermPlan:
    organization: str
    posts: tuple
    years: int
    ends_in: int  # days from today to the end of the current term (negative: past due)
    past_years: int = 0  # a past term of these years before the current one (0: none recorded)
    recorder: str = "admin"
    note: str = ""


PLANS = [
    TermPlan(demo.GENERAL_BRANCH, FIVE, 5, ends_in=1000, past_years=3, note="联合党总支党员大会选举产生"),
    # Ends next quarter: the general branch is reminded and the first branch prepares its election.
    TermPlan(demo.BRANCH_1, FIVE, 3, ends_in=95, past_years=3, recorder="secretary1", note="支部党员大会选举产生"),
    TermPlan(demo.BRANCH_2, THREE, 3, ends_in=610, recorder="secretary2", note="支部党员大会选举产生"),
    # Past due: the joint branch has not held its election yet.
    TermPlan(demo.ECOMMERCE_BRANCH, (Post.SECRETARY,), 3, ends_in=-40, note="联合支部党员大会选举产生"),
    TermPlan(demo.SOCIAL_ORG_BRANCH, (Post.SECRETARY, Post.DEPUTY), 3, ends_in=400, past_years=3),
    TermPlan(demo.PROPERTY_BRANCH, (Post.SECRETARY,), 3, ends_in=770, past_years=3),
]
BY_ELECTION_AFTER_DAYS = 400  # the first branch's 纪检委员 left a little over a year into the term
BY_ELECTION_NOTE = "本人工作变动，辞去纪检委员职务"


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def pick(candidates: list[Member], posts, *, elected_on: datetime.date) -> list[tuple[Member, str]]:
    """A full member for each post, who was one on ``elected_on``: first whoever the register names for it,
    then the others in order."""
    pool = [m for m in candidates if m.full_member_on and m.full_member_on <= elected_on]
    chosen: list[tuple[Member, str]] = []
    taken = set()
    for post in posts:
        named = [m for m in pool if m.pk not in taken and REGISTER_WORDS.get(post, "\0") in (m.posts or "")]
        if named:
            chosen.append((named[0], post))
            taken.add(named[0].pk)
    for post in posts:
        if any(p == post for _m, p in chosen):
            continue
        member = next((m for m in pool if m.pk not in taken), None)
        if member is not None:
            chosen.append((member, post))
            taken.add(member.pk)
    order = {post: i for i, post in enumerate(posts)}
    return sorted(chosen, key=lambda pair: order[pair[1]])


def _stamp(term: CommitteeTerm, at_day: datetime.date) -> None:
    """Recorded a few days after the election, not when the demo ran."""
    at = timezone.make_aware(datetime.datetime.combine(at_day, datetime.time(10, 0)))
    CommitteeTerm.objects.filter(pk=term.pk).update(created_at=at)
    CommitteeSeat.objects.filter(term=term).update(created_at=at)


@demo.register(order=21)
def seed_committees(*, building, scale, stdout):
    today = timezone.localdate()
    organizations = {o.name: o for o in PartyOrganization.objects.filter(building=building)}
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "secretary1", "secretary2"])}
    with_terms = set(
        CommitteeTerm.objects.filter(organization__building=building).values_list("organization_id", flat=True)
    )
    member1 = Member.objects.filter(user__username="member1").values_list("pk", flat=True).first()
    made = 0
    for plan in PLANS:
        organization = organizations.get(plan.organization)
        if organization is None or organization.pk in with_terms:
            continue
        candidates = list(
            Member.objects.active()
            .filter(organization_id__in=organization.subtree_ids(), category=Member.Category.FULL)
            .exclude(pk=member1)
            .order_by("pk")
        )
        by = users.get(plan.recorder) or users.get("admin")
        ends_on = today + datetime.timedelta(days=plan.ends_in)
        elected_on = years_before(ends_on, plan.years)
        is_committee = len(plan.posts) > 2
        if plan.past_years:
            past_on = years_before(elected_on, plan.past_years)
            seats = pick(candidates, plan.posts, elected_on=past_on)
            if any(post == Post.SECRETARY for _m, post in seats):
                past = services.term_elect(
                    organization=organization,
                    elected_on=past_on,
                    term_years=plan.past_years,
                    is_committee=is_committee,
                    seats=seats,
                    by=by,
                    note=plan.note,
                )
                _stamp(past, past_on + datetime.timedelta(days=3))
                made += 1
        seats = pick(candidates, plan.posts, elected_on=elected_on)
        if not any(post == Post.SECRETARY for _m, post in seats):
            continue  # too few full members for a demo election (a very small scale of a future plan)
        term = services.term_elect(
            organization=organization,
            elected_on=elected_on,
            term_years=plan.years,
            is_committee=is_committee,
            seats=seats,
            by=by,
            note=plan.note,
        )
        _stamp(term, elected_on + datetime.timedelta(days=3))
        made += 1
        if plan.organization == demo.BRANCH_1:
            _by_election(term, candidates, by=by, today=today)
    current = CommitteeTerm.objects.current().filter(organization__building=building)
    soon = [t for t in current if t.standing(today) == "due_soon"]
    overdue = [t for t in current if t.standing(today) == "overdue"]
    stdout.write(
        f"委员会换届：{current.count()} 个党组织有本届记录（本次新增届期 {made} 个；"
        f"六个月内到期 {len(soon)} 个，已超期 {len(overdue)} 个）"
    )


def _by_election(term: CommitteeTerm, candidates: list[Member], *, by, today: datetime.date) -> None:
    """The 纪检委员 moved away a year into the term; another member was elected to the post (补选)."""
    left_on = term.elected_on + datetime.timedelta(days=BY_ELECTION_AFTER_DAYS)
    seat = term.seats.filter(post=Post.DISCIPLINE, until__isnull=True).first()
    if seat is None or left_on > today:
        return
    holding = set(term.seats.values_list("member_id", flat=True))
    successor = next(
        (m for m in candidates if m.pk not in holding and m.full_member_on and m.full_member_on <= left_on), None
    )
    if successor is None:
        return
    services.seat_end(seat=seat, until=left_on, by=by, note=BY_ELECTION_NOTE)
    elected = left_on + datetime.timedelta(days=21)
    services.seat_add(term=term, member=successor, post=Post.DISCIPLINE, since=min(elected, today), by=by)
