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


def hours_breakdown(member_ids, year: int) -> dict[int, tuple[Decimal, Decimal]]:
    """member_id → (hours from meetings, hours from study sessions) in ``year``. Two aggregate queries, however
    many members; ``member_ids`` may be a list or a queryset of ids. Members without hours are absent."""
    meetings = (
        study_meetings(year)
        .filter(member_id__in=member_ids)
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
    rows = study_standing(organization_ids, year, today)
    return sum(1 for row in rows if row.behind), len(rows)


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
