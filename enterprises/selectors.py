"""Reads over the enterprise registry: member counts from the register and party-organisation coverage.

Coverage rules (DOMAIN.md §7): a unit with ``FORM_BRANCH_MIN_FULL`` or more full members should form its own
branch; smaller units join a joint branch of generally at most ``JOINT_BRANCH_MAX_UNITS`` units. Members count
when their party standing is normal; enterprises when they are in the building.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from buildingparty.models import PartyOrganization

from .models import Enterprise

FORM_BRANCH_MIN_FULL = 3
JOINT_BRANCH_MAX_UNITS = 5

# The members app is a floor above this one (STYLE.md): its values are spelled here, never imported.
MEMBER_NORMAL = "normal"
MEMBER_FULL = "full"

ACTIVE = Enterprise.Status.ACTIVE
OrgStatus = Enterprise.PartyOrgStatus


def with_member_counts(enterprises: QuerySet) -> QuerySet:
    """Annotate ``member_total``, ``member_full`` and ``member_probationary``: members in normal standing who
    work there, counted from the register.

    The scopes of the list's roles never join ``members``; a queryset filtered through ``members`` first
    (a member's own scope) would count only the joined rows. Annotating twice is harmless (the export's
    register annotates, then the filter form).
    """
    if "member_total" in enterprises.query.annotations:
        return enterprises
    in_standing = Q(members__status=MEMBER_NORMAL)
    return enterprises.annotate(
        member_total=Count("members", filter=in_standing),
        member_full=Count("members", filter=in_standing & Q(members__category=MEMBER_FULL)),
        member_probationary=Count("members", filter=in_standing & ~Q(members__category=MEMBER_FULL)),
    )


# --- the rules, for one enterprise and as query conditions (over ``with_member_counts``) ---------------------


def should_form_branch(*, status: str, party_org_status: str, full_members: int) -> bool:
    """In the building, enough full members for a branch of its own, and no branch of its own yet."""
    return status == ACTIVE and full_members >= FORM_BRANCH_MIN_FULL and party_org_status != OrgStatus.OWN_BRANCH


def members_without_organization(*, status: str, party_org_status: str, members: int) -> bool:
    """In the building, party members work there, and no party organisation covers it."""
    return status == ACTIVE and members >= 1 and party_org_status == OrgStatus.NONE


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
class CoverageReport:
    rows: list[StatusRow]
    should_form_branch: list = field(default_factory=list)
    members_without_organization: list = field(default_factory=list)
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
    def oversized_joint_branches(self) -> list:
        return [org for org in self.joint_branches if org.units > JOINT_BRANCH_MAX_UNITS]

    @property
    def flag_count(self) -> int:
        """Things to act on; small own branches are for information only."""
        return (
            len(self.should_form_branch) + len(self.members_without_organization) + len(self.oversized_joint_branches)
        )

    def chart_data(self) -> dict:
        """For Chart.js: enterprises by coverage status, split by whether party members work there."""
        return {
            "labels": [row.label for row in self.rows],
            "with_members": [row.with_members for row in self.rows],
            "without_members": [row.without_members for row in self.rows],
        }


def organizations_of(enterprises_qs: QuerySet) -> QuerySet:
    """The party organisations of the buildings these enterprises are in: coverage compares the whole
    building, whoever looks (a secretary's own scope is their branch only)."""
    return PartyOrganization.objects.filter(building__in=enterprises_qs.values("building"))


def coverage_report(enterprises_qs: QuerySet, organizations_qs: QuerySet) -> CoverageReport:
    """How party organisations cover the enterprises in the building. Two queries, however many rows:

    1. the enterprises in the building with their member counts (everything but the joint branches' size);
    2. the joint branches among ``organizations_qs`` with the number of units in the building they cover.
    """
    rows = {value: StatusRow(value, str(label)) for value, label in OrgStatus.choices}
    report = CoverageReport(rows=list(rows.values()))
    enterprises = (
        with_member_counts(enterprises_qs.filter(status=ACTIVE))
        .select_related("building", "party_organization", "liaison")
        .order_by("floor", "room", "pk")
    )
    for enterprise in enterprises:
        row = rows[enterprise.party_org_status]
        if enterprise.member_total:
            row.with_members += 1
        else:
            row.without_members += 1
        facts = {"status": enterprise.status, "party_org_status": enterprise.party_org_status}
        if should_form_branch(**facts, full_members=enterprise.member_full):
            report.should_form_branch.append(enterprise)
        if members_without_organization(**facts, members=enterprise.member_total):
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
    """``{"total", "full", "probationary"}``: members in normal standing who work at one enterprise."""
    in_standing = Q(status=MEMBER_NORMAL)
    counts = enterprise.members.aggregate(
        total=Count("pk", filter=in_standing), full=Count("pk", filter=in_standing & Q(category=MEMBER_FULL))
    )
    counts["probationary"] = counts["total"] - counts["full"]
    return counts
