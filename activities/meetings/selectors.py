"""Reads of organisational life. Scope is ``Meeting.objects.for_user``; these build on it."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from buildingparty import data_cache
from buildingparty.models import PartyOrganization
from members.committees.models import CommitteeSeat
from members.models import Member

from . import rules
from .models import Attendance, Meeting


def expected_members(organization: PartyOrganization) -> QuerySet:
    """Who is expected at a meeting of this organisation: its members in normal standing who are still here.
    A branch's meeting expects the members of its groups too; the general branch's, the whole building's."""
    if organization.kind == PartyOrganization.Kind.GENERAL_BRANCH:
        members = Member.objects.filter(organization__building_id=organization.building_id)
    else:
        members = Member.objects.filter(organization_id__in=organization.subtree_ids())
    return members.active().order_by("name", "pk")


def committee_members(organization: PartyOrganization, day: datetime.date) -> QuerySet:
    """Who sits on the organisation's committee (支部委员会) on ``day``: the holders of a seat of a term that elected a
    committee, among the members ``expected_members`` counts. Empty when no committee is on record."""
    seats = (
        CommitteeSeat.objects.filter(term__organization=organization, term__is_committee=True, since__lte=day)
        .filter(Q(until__isnull=True) | Q(until__gte=day))
        .filter(Q(term__ended_on__isnull=True) | Q(term__ended_on__gte=day))
    )
    return expected_members(organization).filter(pk__in=seats.values("member_id"))


def participants_for(meeting: Meeting) -> QuerySet:
    """Who a meeting expects: a 支委会 its committee on the meeting's day (everybody while no committee is on
    record), every other kind ``expected_members``."""
    if meeting.kind == Meeting.Kind.COMMITTEE:
        committee = committee_members(meeting.organization, timezone.localtime(meeting.starts_at).date())
        if committee.exists():
            return committee
    return expected_members(meeting.organization)


def quorum_counts(meeting: Meeting) -> dict:
    """``voting``: members with a vote expected; ``present_voting``: those of them present; ``has_quorum``."""
    counts = meeting.attendances.aggregate(
        voting=Count("pk", filter=Q(is_voting=True)),
        present_voting=Count("pk", filter=Q(is_voting=True, status=Attendance.Status.PRESENT)),
    )
    counts["has_quorum"] = rules.has_quorum(counts["present_voting"], counts["voting"])
    return counts


def with_counts(meetings: QuerySet) -> QuerySet:
    """Meetings with their attendance counted in SQL: ``expected``, ``present``, ``voting``, ``present_voting``.
    For officers' lists (a member's ``for_user`` joins the attendances already, and would count only hers)."""
    present = Q(attendances__status=Attendance.Status.PRESENT)
    return meetings.annotate(
        expected=Count("attendances"),
        present=Count("attendances", filter=present),
        voting=Count("attendances", filter=Q(attendances__is_voting=True)),
        present_voting=Count("attendances", filter=present & Q(attendances__is_voting=True)),
    )


def add_counts(meetings) -> list:
    """The same counts as ``with_counts`` set on a page of meetings, in one grouped query over their attendances
    only (annotating the whole filtered list would count every meeting's attendances before the page is cut).
    A page of a building's general meetings holds some 15,000 attendances, and counting them is the list's one
    real cost that no index lowers (the scan is index-only already): the counts are kept in ``data_cache`` under
    the page's meetings until the next write."""
    meetings = list(meetings)
    ids = tuple(sorted(meeting.pk for meeting in meetings))
    counts = data_cache.cached("meetings:counts", ids, lambda: _count_attendances(ids)) if ids else {}
    empty = (0, 0, 0, 0)
    for meeting in meetings:
        meeting.expected, meeting.present, meeting.voting, meeting.present_voting = counts.get(meeting.pk, empty)
    return meetings


def _count_attendances(meeting_ids) -> dict:
    """Per meeting id: (expected, present, voting, present_voting), plain data for the cache."""
    present = Q(status=Attendance.Status.PRESENT)
    rows = (
        Attendance.objects.filter(meeting_id__in=meeting_ids)
        .order_by()
        .values("meeting_id")
        .annotate(
            expected=Count("pk"),
            present=Count("pk", filter=present),
            voting=Count("pk", filter=Q(is_voting=True)),
            present_voting=Count("pk", filter=present & Q(is_voting=True)),
        )
        .values_list("meeting_id", "expected", "present", "voting", "present_voting")
    )
    return {meeting_id: tuple(values) for meeting_id, *values in rows}


def mark_quorum(meetings) -> list:
    """Set ``has_quorum`` on meetings annotated by ``with_counts`` (a branch general meeting's rule)."""
    meetings = list(meetings)
    for meeting in meetings:
        meeting.has_quorum = rules.has_quorum(meeting.present_voting, meeting.voting)
    return meetings


def meeting_years(meetings: QuerySet) -> list[int]:
    """The years that have meetings, newest first, and this year always."""
    years = {moment.year for moment in meetings.order_by().datetimes("starts_at", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def participants(meeting: Meeting) -> list[Attendance]:
    """The meeting's expected participants by name, with their member and who decided their leave."""
    return list(meeting.attendances.select_related("member", "leave_decided_by").order_by("member__name", "member__pk"))


def attendance_summary(attendances: list[Attendance]) -> dict:
    """Names by attendance status (应到, 实到, 请假, 缺席, not recorded yet), and the probationary members who
    attend without a vote (列席)."""
    by_status = {status: [] for status in Attendance.Status.values}
    for attendance in attendances:
        by_status[attendance.status].append(attendance.member.name)
    return {
        "expected": [a.member.name for a in attendances],
        "present": by_status[Attendance.Status.PRESENT],
        "leave": by_status[Attendance.Status.LEAVE],
        "absent": by_status[Attendance.Status.ABSENT],
        "unrecorded": by_status[Attendance.Status.EXPECTED],
        "non_voting": [a.member.name for a in attendances if not a.is_voting],
    }


def member_attendances(member: Member) -> QuerySet:
    """A member's place at each meeting she was expected at, with the meeting and its organisation."""
    return member.attendances.select_related("meeting", "meeting__organization")


def upcoming_for(member: Member) -> QuerySet:
    """The planned meetings still ahead of her, soonest first."""
    return (
        member_attendances(member)
        .filter(meeting__status=Meeting.Status.PLANNED, meeting__starts_at__gt=timezone.now())
        .order_by("meeting__starts_at", "meeting__pk")
    )


def past_for(member: Member) -> QuerySet:
    """Everything else: meetings begun, held or cancelled, newest first."""
    return (
        member_attendances(member)
        .exclude(meeting__status=Meeting.Status.PLANNED, meeting__starts_at__gt=timezone.now())
        .order_by("-meeting__starts_at", "-meeting__pk")
    )
