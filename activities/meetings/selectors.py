"""Reads of organisational life. Scope is ``Meeting.objects.for_user``; these build on it."""

from django.db.models import Count, Q, QuerySet

from buildingparty.models import PartyOrganization
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


def quorum_counts(meeting: Meeting) -> dict:
    """``voting``: members with a vote expected; ``present_voting``: those of them present; ``has_quorum``."""
    counts = meeting.attendances.aggregate(
        voting=Count("pk", filter=Q(is_voting=True)),
        present_voting=Count("pk", filter=Q(is_voting=True, status=Attendance.Status.PRESENT)),
    )
    counts["has_quorum"] = rules.has_quorum(counts["present_voting"], counts["voting"])
    return counts
