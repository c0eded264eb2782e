"""Reading study hours (学时). Scope is ``StudySession.objects.for_user``; these build on it.

A member's hours in a year are the study hours of the held meetings she was present at (党课, 主题党日: the
meeting's ``study_hours``) plus the hours of the study sessions she took part in. What she owes is
``activities.meetings.rules.required_study_hours`` (56 when she held a committee seat in the year, else 32).
Every function here takes the same number of queries however many members there are.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from activities.meetings import rules
from activities.meetings.models import Attendance, Meeting
from buildingparty import data_cache
from buildingparty.models import PartyOrganization
from members.committees.selectors import committee_member_ids
from members.models import Member, active_q

from .models import StudyParticipation, StudySession

TENTH = Decimal("0.1")
ZERO = Decimal("0.0")


def hours(value) -> Decimal:
    """A sum from the database as hours to one decimal (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(TENTH)


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the site's time zone (a meeting at 23:30 on 31 December belongs to that
    year, wherever the server's clock is)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def study_meetings_between(start: datetime.datetime, end: datetime.datetime) -> QuerySet:
    """Attendances that earn study hours: present at a held meeting with study hours that started from
    ``start`` until before ``end``."""
    return Attendance.objects.filter(
        status=Attendance.Status.PRESENT,
        meeting__status=Meeting.Status.HELD,
        meeting__study_hours__gt=0,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
    )


def study_meetings(year: int) -> QuerySet:
    """Attendances that earn study hours in ``year``."""
    return study_meetings_between(day_start(datetime.date(year, 1, 1)), day_start(datetime.date(year + 1, 1, 1)))


def participations_between(since: datetime.date, until: datetime.date) -> QuerySet:
    """Participations in the sessions held from ``since`` to ``until`` (both days included)."""
    return StudyParticipation.objects.filter(session__held_on__gte=since, session__held_on__lte=until)


def study_participations(year: int) -> QuerySet:
    return participations_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def study_meeting_ids(year: int) -> QuerySet:
    """The held meetings with study hours that started in ``year`` (a subquery: a few dozen meetings)."""
    return Meeting.objects.filter(
        status=Meeting.Status.HELD,
        study_hours__gt=0,
        starts_at__gte=day_start(datetime.date(year, 1, 1)),
        starts_at__lt=day_start(datetime.date(year + 1, 1, 1)),
    ).values("pk")


def hours_breakdown(member_ids, year: int) -> dict[int, tuple[Decimal, Decimal]]:
    """member_id → (hours from meetings, hours from study sessions) in ``year``. Two aggregate queries, however
    many members; ``member_ids`` may be a list or a queryset of ids. Members without hours are absent.

    The meetings' side picks the year's study meetings first and reads who was present at each from the index
    ``attendance_present_meeting`` alone (rather than every attendance of these members, a hundred thousand
    rows at district scale, joined to its meeting)."""
    meetings = (
        Attendance.objects.filter(
            status=Attendance.Status.PRESENT, meeting__in=study_meeting_ids(year), member_id__in=member_ids
        )
        .values("member_id")
        .annotate(total=Sum("meeting__study_hours"))
        .order_by()
    )
    sessions = (
        study_participations(year)
        .filter(member_id__in=member_ids)
        .values("member_id")
        .annotate(total=Sum("session__hours"))
        .order_by()
    )
    found: dict[int, list[Decimal]] = {}
    for row in meetings:
        found.setdefault(row["member_id"], [ZERO, ZERO])[0] = hours(row["total"])
    for row in sessions:
        found.setdefault(row["member_id"], [ZERO, ZERO])[1] = hours(row["total"])
    return {member_id: (pair[0], pair[1]) for member_id, pair in found.items()}


def hours_by_member(member_ids, year: int) -> dict[int, Decimal]:
    """member_id → study hours in ``year`` (meetings present + sessions taken part in). Two aggregate queries;
    members without hours are absent (0)."""
    return {member_id: a + b for member_id, (a, b) in hours_breakdown(member_ids, year).items()}


def pace(required: int, year: int, today: datetime.date | None = None) -> Decimal:
    """The hours a member should have by ``today``: the share of the year gone by of what she owes (all of it
    for a year that is over, none for one not begun). Behind means short of this, so a secretary sees in June
    who is falling behind, not everybody who has not finished the year's study yet."""
    today = today or timezone.localdate()
    if year < today.year:
        return Decimal(required)
    if year > today.year:
        return ZERO
    first = datetime.date(year, 1, 1)
    days = (datetime.date(year + 1, 1, 1) - first).days
    gone = (today - first).days + 1
    return (Decimal(required) * gone / days).quantize(TENTH, rounding=ROUND_DOWN)


@dataclass
class Standing:
    member: Member
    meeting_hours: Decimal
    session_hours: Decimal
    required: int
    expected: Decimal  # by today (``pace``)

    @property
    def hours(self) -> Decimal:
        return self.meeting_hours + self.session_hours

    @property
    def behind(self) -> bool:
        return self.hours < self.expected

    @property
    def done(self) -> bool:
        return self.hours >= self.required

    @property
    def to_go(self) -> Decimal:
        return max(Decimal(self.required) - self.hours, ZERO)

    @property
    def percent(self) -> int:
        """For the progress bar: the share of the year's requirement done, at most 100."""
        return min(int(self.hours * 100 / self.required), 100) if self.required else 100

    @property
    def is_committee(self) -> bool:
        return self.required == rules.required_study_hours(True)


def standings(members, year: int, today: datetime.date | None = None) -> list[Standing]:
    """Each of these members' hours against what she owes in ``year``, in the members' order. Three queries
    besides the members': meetings' hours, sessions' hours, committee seats."""
    members = list(members)
    ids = [m.pk for m in members]
    found = hours_breakdown(ids, year)
    committee = committee_member_ids(ids, year)
    rows = []
    for member in members:
        required = rules.required_study_hours(member.pk in committee)
        meeting_hours, session_hours = found.get(member.pk, (ZERO, ZERO))
        rows.append(Standing(member, meeting_hours, session_hours, required, pace(required, year, today)))
    return rows


def study_standing(organization_ids, year: int, today: datetime.date | None = None) -> list[Standing]:
    """Every member in normal standing who is still here, of these organisations, by name: her hours, what she
    owes (32/56), whether she is behind. The view paginates the list."""
    members = (
        Member.objects.active()
        .filter(organization_id__in=organization_ids)
        .select_related("organization")
        .order_by("name", "pk")
    )
    return standings(members, year, today)


def behind_count(organization_ids, year: int, today: datetime.date | None = None) -> tuple[int, int]:
    """(members behind, members) of these organisations: the secretary's home panel."""
    lines = standing_lines(hours_table(organization_ids, year), year, today)
    return sum(1 for line in lines if line.behind), len(lines)


# --- the hours page: every member of an organisation, cached until the next write ---------------------------


def _tenths(value: Decimal) -> int:
    return int(value * 10)


def hours_table(organization_ids, year: int) -> list[tuple[int, int, int, bool]]:
    """(member id, tenths of hours from meetings, tenths of hours from sessions, held a committee seat) of every
    member in normal standing who is still here, of these organisations, by name: plain data.

    Four queries (the members, their meetings' and sessions' hours, the committee seats) over a whole branch's
    year; at district scale a general branch has 1,400 members and 18,000 attendances, too much to add up on
    every request. So the table is kept by ``buildingparty.data_cache`` under the data version,
    which changes on any write (a new attendance, a session, a member who leaves): the next request after a
    write adds up again, as does one made inside a transaction that has written."""
    organization_ids = sorted(set(organization_ids))
    return _cached(("ids", tuple(organization_ids)), year, lambda: _hours_table(organization_ids, year))


def organization_hours_table(organization: PartyOrganization, year: int) -> list[tuple[int, int, int, bool]]:
    """``hours_table`` of an organisation and everything below it (a party group: itself), the organisations
    below looked up only when the table is not in the cache (the tree changes only by a write)."""

    def build():
        kind = organization.kind
        ids = organization.subtree_ids() if kind != PartyOrganization.Kind.GROUP else [organization.pk]
        return _hours_table(ids, year)

    return _cached(f"org{organization.pk}", year, build)


def _cached(scope: str, year: int, build):
    return data_cache.cached("study:hours", (year, scope), build)


def _hours_table(organization_ids, year: int) -> list[tuple[int, int, int, bool]]:
    member_ids = list(
        Member.objects.active()
        .filter(organization_id__in=organization_ids)
        .order_by("name", "pk")
        .values_list("pk", flat=True)
    )
    found = hours_breakdown(member_ids, year) if member_ids else {}
    committee = committee_member_ids(member_ids, year) if member_ids else set()
    table = []
    for pk in member_ids:
        meeting_hours, session_hours = found.get(pk, (ZERO, ZERO))
        table.append((pk, _tenths(meeting_hours), _tenths(session_hours), pk in committee))
    return table


@dataclass(slots=True)
class Line:
    """One member's line of the hours page before it is drawn: enough to count, filter and paginate."""

    member_id: int
    meeting_tenths: int
    session_tenths: int
    is_committee: bool
    behind: bool
    done: bool


def standing_lines(table, year: int, today: datetime.date | None = None) -> list[Line]:
    """``study_standing`` without the members' records, from a ``hours_table``: each line says whether the
    member is behind or done (the same rules as ``Standing``), in the same order. ``standings_of`` turns the
    page's lines into ``Standing`` rows."""
    expected, required = {}, {}
    for seat in (False, True):
        required[seat] = rules.required_study_hours(seat)
        expected[seat] = _tenths(pace(required[seat], year, today))
    lines = []
    for pk, meeting_tenths, session_tenths, seat in table:
        total = meeting_tenths + session_tenths
        lines.append(
            Line(pk, meeting_tenths, session_tenths, seat, total < expected[seat], total >= required[seat] * 10)
        )
    return lines


def standings_of(lines: list[Line], year: int, today: datetime.date | None = None) -> list[Standing]:
    """The ``Standing`` rows of these lines (a page of them), with their members and organisations: one query."""
    members = (
        Member.objects.select_related("organization")
        .only("pk", "name", "organization")
        .in_bulk([line.member_id for line in lines])
    )
    rows = []
    for line in lines:
        if line.member_id not in members:
            continue
        required = rules.required_study_hours(line.is_committee)
        rows.append(
            Standing(
                members[line.member_id],
                Decimal(line.meeting_tenths).scaleb(-1),
                Decimal(line.session_tenths).scaleb(-1),
                required,
                pace(required, year, today),
            )
        )
    return rows


# --- a member's own year ------------------------------------------------------------------------------------


def member_meetings(member: Member, year: int) -> QuerySet:
    """Her attendances that earned study hours in ``year``, newest first, with the meeting."""
    return (
        study_meetings(year)
        .filter(member=member)
        .select_related("meeting", "meeting__organization")
        .order_by("-meeting__starts_at", "-pk")
    )


def member_sessions(member: Member, year: int) -> QuerySet:
    """The study sessions she took part in during ``year``, newest first."""
    return (
        StudySession.objects.filter(participations__member=member, held_on__year=year)
        .select_related("organization")
        .order_by("-held_on", "-pk")
    )


def years_offered(building_id: int | None = None) -> list[int]:
    """This year, last year (whose hours are reviewed early in the new year) and back to the first with a study
    session, at most ten years."""
    this_year = timezone.localdate().year
    sessions = StudySession.objects.all()
    if building_id is not None:
        sessions = sessions.filter(organization__building_id=building_id)
    first = sessions.order_by("held_on").values_list("held_on", flat=True).first()
    first_year = max(min(first.year if first else this_year, this_year - 1), this_year - 9)
    return list(range(this_year, first_year - 1, -1))


# --- recording participants ---------------------------------------------------------------------------------


def candidate_scope(organization: PartyOrganization, branch: PartyOrganization | None = None) -> Q:
    """Whose names a session of ``organization`` offers to tick, as a Q on ``Member``: one branch's at most.

    A party group's session: the group's members. A branch's: the branch's and its groups'. The general
    branch's: those of the one ``branch`` chosen (its sessions are recorded branch by branch), or without one
    the members held by the general branch itself."""
    if organization.kind == PartyOrganization.Kind.GENERAL_BRANCH:
        if branch is None:
            return Q(organization=organization)
        organization = branch
    if organization.kind == PartyOrganization.Kind.GROUP:
        return Q(organization=organization)
    return Q(organization=organization) | Q(organization__parent=organization)


def participant_candidates(
    organization: PartyOrganization, branch: PartyOrganization | None = None, session: StudySession | None = None
) -> QuerySet:
    """The members to tick, by name: those in normal standing who are still here, and those already taking part
    (a member who has since left stays ticked)."""
    scope = candidate_scope(organization, branch)
    wanted = active_q()
    if session is not None and session.pk:
        wanted |= Q(pk__in=StudyParticipation.objects.filter(session=session).values("member_id"))
    return Member.objects.filter(scope).filter(wanted).order_by("name", "pk")
