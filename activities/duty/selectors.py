"""Reads of the duty rosters: weeks, a team's and the building's week, a person's shifts, the swaps waiting, and
the bounded search for party members to add to a team.

A week is an ISO week, Monday to Sunday, written "2026-W49". A shift belongs to the day (and week) it starts.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Case, Count, Prefetch, Q, Value, When
from django.utils import timezone

from members.models import Member, active_q

from .models import Assignment, DutyShift, DutyTeam, SwapRequest, TeamMember

SEARCH_LIMIT = 20
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


# --- weeks --------------------------------------------------------------------------------------------------


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_label(monday: datetime.date) -> str:
    """ "2026-W49": the ISO year and week of a Monday (the week's Thursday decides the ISO year)."""
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str | None, *, default: datetime.date | None = None) -> datetime.date:
    """The Monday of "2026-W49" (or "2026W49"); the week of ``default`` (today) when empty. Raises ``ValueError``
    with a message for the person who typed it."""
    text = (text or "").strip()
    if not text:
        return monday_of(default or timezone.localdate())
    match = _WEEK.match(text)
    if not match:
        raise ValueError(f"write the week as 2026-W49, not {text!r}")
    try:
        return datetime.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a week of that year") from None


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def week_range(monday: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The moments a week's shifts start in: [Monday 00:00, next Monday 00:00)."""
    return local_midnight(monday), local_midnight(monday + datetime.timedelta(days=7))


def month_range(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return local_midnight(first), local_midnight(following)


@dataclass
class Day:
    day: datetime.date
    shifts: list = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


def by_day(monday: datetime.date, shifts) -> list[Day]:
    """The seven days of a week, each with its shifts (those starting that day), in order."""
    days = [Day(monday + datetime.timedelta(days=n)) for n in range(7)]
    for shift in shifts:
        index = (shift.day - monday).days
        if 0 <= index < 7:
            days[index].shifts.append(shift)
    return days


# --- rosters ------------------------------------------------------------------------------------------------


def people_prefetch(to_attr: str = "people_on") -> Prefetch:
    """A shift's assignments with their people, in the order they were put on (one query per page of shifts)."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("team_member__member", "team_member__enterprise").order_by("pk"),
        to_attr=to_attr,
    )


def week_shifts(teams, monday: datetime.date):
    """The shifts of ``teams`` (a queryset or list of pks) starting in the week, with their people and the
    number of logs: three queries for any number of shifts."""
    start, end = week_range(monday)
    return (
        DutyShift.objects.filter(team__in=teams, starts_at__gte=start, starts_at__lt=end)
        .select_related("team")
        .annotate(log_count=Count("logs"))
        .prefetch_related(people_prefetch())
        .order_by("starts_at", "team__kind", "post", "pk")
    )


def teams_with_leader(teams):
    """The teams with their building and leader, in the order the building names them: 治保、调解、普法、巡逻、消防
    (``kind_order``)."""
    order = Case(
        *(When(kind=kind, then=Value(n)) for n, kind in enumerate(DutyTeam.Kind.values)),
        default=Value(len(DutyTeam.Kind.values)),
    )
    return teams.select_related("building", "leader__member").annotate(kind_order=order)


def active_people(team: DutyTeam):
    people = team.people.filter(is_active=True).select_related("member", "enterprise")
    return people.order_by("member__name", "name", "pk")


# --- a person's shifts --------------------------------------------------------------------------------------


def own_places(member: Member):
    return TeamMember.objects.filter(member=member)


def upcoming_for(member: Member):
    """Her assignments on shifts not yet over, soonest first, with the team and a waiting swap request if any."""
    return (
        Assignment.objects.filter(team_member__member=member, shift__ends_at__gt=timezone.now())
        .select_related("shift__team", "team_member")
        .prefetch_related(
            Prefetch(
                "swap_requests",
                queryset=SwapRequest.objects.filter(status=SwapRequest.Status.REQUESTED).select_related(
                    "to_member__member"
                ),
                to_attr="waiting_swaps",
            )
        )
        .order_by("shift__starts_at", "pk")
    )


def past_for(member: Member):
    return (
        Assignment.objects.filter(team_member__member=member, shift__ends_at__lte=timezone.now())
        .select_related("shift__team")
        .order_by("-shift__starts_at", "-pk")
    )


def swaps_of(member: Member):
    """Swap requests she made or that name her as the colleague, newest first, with only what her page shows (the
    members' and users' wide rows cost more to build the query for than to run it)."""
    return (
        SwapRequest.objects.filter(Q(from_member__member=member) | Q(to_member__member=member))
        .select_related("assignment__shift__team", "from_member__member", "to_member__member")
        .only(
            "status",
            "note",
            "asked_at",
            "assignment__shift__team__name",
            "assignment__shift__starts_at",
            "assignment__shift__ends_at",
            "from_member__name",
            "from_member__member__name",
            "to_member__name",
            "to_member__member__name",
        )
        .order_by("-asked_at", "-pk")
    )


# --- swaps waiting ------------------------------------------------------------------------------------------


def waiting_swaps(teams):
    """Swap requests waiting for a decision on ``teams``' shifts, oldest first."""
    return (
        SwapRequest.objects.filter(status=SwapRequest.Status.REQUESTED, assignment__shift__team__in=teams)
        .select_related(
            "assignment__shift__team",
            "from_member__member",
            "to_member__member",
            "in_return__shift",
        )
        .order_by("asked_at", "pk")
    )


def teams_run_by(user):
    """The teams whose roster ``user`` runs: the building's for its admins and secretaries, the ones she leads for
    a party member."""
    if not user.is_authenticated or not user.is_active:
        return DutyTeam.objects.none()
    if user.role in ("admin", "secretary"):
        return DutyTeam.objects.filter(building_id=user.building_id)
    if user.role == "member":
        return DutyTeam.objects.filter(leader__member__user=user)
    return DutyTeam.objects.none()


# --- adding party members -----------------------------------------------------------------------------------


def search_members(team: DutyTeam, text: str) -> list[Member]:
    """At most ``SEARCH_LIMIT`` party members of the team's building in normal standing, by name, pinyin initials
    or mobile number, who are not on the team yet: never the whole building."""
    text = (text or "").strip()
    if not text:
        return []
    condition = Q(name__icontains=text)
    if text.isascii() and text.isalpha():
        condition |= Q(name_initials__startswith=text.lower())
    if text.isdigit() and len(text) >= 4:
        condition |= Q(phone__contains=text)
    on_team = team.people.filter(is_active=True, member__isnull=False).values("member_id")
    return list(
        Member.objects.filter(active_q(), organization__building_id=team.building_id)
        .filter(condition)
        .exclude(pk__in=on_team)
        .select_related("organization", "enterprise")
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )
