"""Reads over the enterprise registry: member counts from the register and party-organisation coverage.

Coverage rules (DOMAIN.md §7): a unit with ``FORM_BRANCH_MIN_FULL`` or more full members should form its own
branch; smaller units join a joint branch of generally at most ``JOINT_BRANCH_MAX_UNITS`` units. Members count
when their party standing is normal; enterprises when they are in the building.

Coverage counts what the street counts (区域兜底覆盖): an enterprise without a branch of its own or a joint
branch is still covered by the building's organisation when its members belong to one of the building's
organisations (the general branch, its branches for members of small units, a joint branch, a group). Only an
enterprise whose members are in none of them has "members but no organisation". Work coverage (工作覆盖) is
separate: a liaison is assigned, or the survey has visited the enterprise.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from buildingparty.models import PartyOrganization

from .models import Enterprise

FORM_BRANCH_MIN_FULL = 3
JOINT_BRANCH_MAX_UNITS = 5

# The members app is a floor above this one (STYLE.md): its values are spelled here, never imported.
MEMBER_NORMAL = "normal"
MEMBER_HERE = "here"  # Member.whereabouts: not transferred out
MEMBER_FULL = "full"

ACTIVE = Enterprise.Status.ACTIVE
OrgStatus = Enterprise.PartyOrgStatus
BY_BUILDING = "building"


def with_member_counts(enterprises: QuerySet) -> QuerySet:
    """Annotate ``member_total``, ``member_full`` and ``member_probationary``: members in normal standing who
    work there, counted from the register; and ``member_in_building``: those of them who belong to one of the
    enterprise's building's party organisations.

    The scopes of the list's roles never join ``members``; a queryset filtered through ``members`` first
    (a member's own scope) would count only the joined rows. Annotating twice is harmless (the export's
    register annotates, then the filter form).
    """
    if "member_total" in enterprises.query.annotations:
        return enterprises
    in_standing = Q(members__status=MEMBER_NORMAL, members__whereabouts=MEMBER_HERE)
    return enterprises.annotate(
        member_total=Count("members", filter=in_standing),
        member_full=Count("members", filter=in_standing & Q(members__category=MEMBER_FULL)),
        member_probationary=Count("members", filter=in_standing & ~Q(members__category=MEMBER_FULL)),
        member_in_building=Count(
            "members", filter=in_standing & Q(members__organization__building_id=F("building_id"))
        ),
    )


# --- the rules, for one enterprise and as query conditions (over ``with_member_counts``) ---------------------


def should_form_branch(*, status: str, party_org_status: str, full_members: int) -> bool:
    """In the building, enough full members for a branch of its own, and no branch of its own yet."""
    return status == ACTIVE and full_members >= FORM_BRANCH_MIN_FULL and party_org_status != OrgStatus.OWN_BRANCH


def members_without_organization(*, status: str, party_org_status: str, members: int, members_in_building: int) -> bool:
    """In the building, party members work there, no branch or joint branch covers it, and none of its members
    belongs to any of the building's party organisations (else the building's organisation covers it)."""
    return status == ACTIVE and members >= 1 and party_org_status == OrgStatus.NONE and members_in_building == 0


def organisation_coverage(*, party_org_status: str, members_in_building: int) -> str:
    """组织覆盖: ``own_branch``, ``joint_branch``, ``building`` (区域兜底: its members are in the building's
    organisations) or ``none``."""
    if party_org_status != OrgStatus.NONE:
        return party_org_status
    return BY_BUILDING if members_in_building else OrgStatus.NONE


def work_coverage(*, has_liaison: bool, visited: bool) -> bool:
    """工作覆盖: a liaison is assigned to the enterprise, or the survey has visited it."""
    return has_liaison or visited


def small_own_branch(*, status: str, party_org_status: str, full_members: int) -> bool:
    """Its own branch with fewer full members than a branch needs (for information: members may be
    registered elsewhere, or the branch counts members of other units)."""
    return status == ACTIVE and party_org_status == OrgStatus.OWN_BRANCH and full_members < FORM_BRANCH_MIN_FULL


SHOULD_FORM_BRANCH = Q(status=ACTIVE, member_full__gte=FORM_BRANCH_MIN_FULL) & ~Q(party_org_status=OrgStatus.OWN_BRANCH)


# --- the coverage report -------------------------------------------------------------------------------------


@dataclass
class StatusRow:
    value: str
    label: str
    with_members: int = 0
    without_members: int = 0

    @property
    def total(self) -> int:
        return self.with_members + self.without_members


@dataclass
class WorkCoverage:
    """工作覆盖: enterprises with a liaison, visited by the survey, either (covered) and neither."""

    with_liaison: int = 0
    visited: int = 0
    covered: int = 0
    not_covered: int = 0


# 组织覆盖, in the order the page shows it; the values are the list's ``coverage`` filter.
ORGANISATION_COVERAGE = [
    (OrgStatus.OWN_BRANCH, _("Own party branch")),
    (OrgStatus.JOINT_BRANCH, _("In a joint branch")),
    (BY_BUILDING, _("Covered by the building's organisation")),
    (OrgStatus.NONE, _("No party organisation")),
]
COVERED = (OrgStatus.OWN_BRANCH, OrgStatus.JOINT_BRANCH, BY_BUILDING)


@dataclass
class CoverageReport:
    rows: list[StatusRow]  # 组织覆盖, one row per ``ORGANISATION_COVERAGE``
    work: WorkCoverage = field(default_factory=WorkCoverage)
    should_form_branch: list = field(default_factory=list)
    members_without_organization: list = field(default_factory=list)
    covered_by_building: list = field(default_factory=list)
    joint_branches: list = field(default_factory=list)  # every joint branch, with ``units`` annotated
    small_own_branches: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def with_members(self) -> int:
        return sum(row.with_members for row in self.rows)

    @property
    def without_members(self) -> int:
        return sum(row.without_members for row in self.rows)

    @property
    def organisation_covered(self) -> int:
        """组织覆盖: its own branch, a joint branch, or the building's organisation (区域兜底)."""
        return sum(row.total for row in self.rows if row.value in COVERED)

    @property
    def oversized_joint_branches(self) -> list:
        return [org for org in self.joint_branches if org.units > JOINT_BRANCH_MAX_UNITS]

    @property
    def flag_count(self) -> int:
        """Things to act on; small own branches are for information only."""
        return (
            len(self.should_form_branch) + len(self.members_without_organization) + len(self.oversized_joint_branches)
        )

    def chart_data(self) -> dict:
        """For Chart.js: enterprises by organisation coverage, split by whether party members work there."""
        return {
            "labels": [row.label for row in self.rows],
            "with_members": [row.with_members for row in self.rows],
            "without_members": [row.without_members for row in self.rows],
        }


def organizations_of(enterprises_qs: QuerySet) -> QuerySet:
    """The party organisations of the buildings these enterprises are in: coverage compares the whole
    building, whoever looks (a secretary's own scope is their branch only)."""
    return PartyOrganization.objects.filter(building__in=enterprises_qs.values("building"))


def with_visited(enterprises: QuerySet) -> QuerySet:
    """Annotate ``visited``: the survey has visited the enterprise. The survey is a floor above; its visits
    are reached through the reverse relation, never imported."""
    visits = Enterprise._meta.get_field("visits").related_model
    return enterprises.annotate(visited=Exists(visits.objects.filter(enterprise=OuterRef("pk"))))


def coverage_report(enterprises_qs: QuerySet, organizations_qs: QuerySet) -> CoverageReport:
    """How party organisations and party work cover the enterprises in the building. Two queries, however
    many rows; every count of members and visits is an aggregate in SQL:

    1. the enterprises in the building with their member counts and whether the survey visited them;
    2. the joint branches among ``organizations_qs`` with the number of units in the building they cover.
    """
    rows = {value: StatusRow(value, str(label)) for value, label in ORGANISATION_COVERAGE}
    report = CoverageReport(rows=list(rows.values()))
    enterprises = (
        with_visited(with_member_counts(enterprises_qs.filter(status=ACTIVE)))
        .select_related("building", "party_organization", "liaison")
        .order_by("floor", "room", "pk")
    )
    work = report.work
    for enterprise in enterprises:
        coverage = organisation_coverage(
            party_org_status=enterprise.party_org_status, members_in_building=enterprise.member_in_building
        )
        row = rows[coverage]
        if enterprise.member_total:
            row.with_members += 1
        else:
            row.without_members += 1
        if coverage == BY_BUILDING:
            report.covered_by_building.append(enterprise)
        has_liaison = enterprise.liaison_id is not None
        work.with_liaison += has_liaison
        work.visited += enterprise.visited
        if work_coverage(has_liaison=has_liaison, visited=enterprise.visited):
            work.covered += 1
        else:
            work.not_covered += 1
        facts = {"status": enterprise.status, "party_org_status": enterprise.party_org_status}
        if should_form_branch(**facts, full_members=enterprise.member_full):
            report.should_form_branch.append(enterprise)
        if members_without_organization(
            **facts, members=enterprise.member_total, members_in_building=enterprise.member_in_building
        ):
            report.members_without_organization.append(enterprise)
        if small_own_branch(**facts, full_members=enterprise.member_full):
            report.small_own_branches.append(enterprise)
    report.joint_branches = list(
        organizations_qs.filter(kind=PartyOrganization.Kind.JOINT_BRANCH)
        .annotate(units=Count("covered_enterprises", filter=Q(covered_enterprises__status=ACTIVE)))
        .select_related("building")
        .order_by("-units", "name")
    )
    return report


def member_counts(enterprise: Enterprise) -> dict:
    """``{"total", "full", "probationary", "in_building"}``: members in normal standing who work at one
    enterprise (``in_building``: those in one of its building's party organisations)."""
    in_standing = Q(status=MEMBER_NORMAL, whereabouts=MEMBER_HERE)
    counts = enterprise.members.aggregate(
        total=Count("pk", filter=in_standing),
        full=Count("pk", filter=in_standing & Q(category=MEMBER_FULL)),
        in_building=Count("pk", filter=in_standing & Q(organization__building_id=enterprise.building_id)),
    )
    counts["probationary"] = counts["total"] - counts["full"]
    return counts
