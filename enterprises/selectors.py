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

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from buildingparty import data_cache
from buildingparty.links import url_maker
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


def _members():
    """The members model: a floor above (STYLE.md), reached through the reverse relation, never imported."""
    return Enterprise._meta.get_field("members").related_model


def _member_count(condition: Q | None = None):
    """Members in normal standing at the enterprise of the outer query meeting ``condition``, as a correlated
    subquery: PostgreSQL runs it for the rows the outer query returns (after its LIMIT), not for every
    enterprise, unless a filter or ordering uses it."""
    counted = (
        _members()
        ._base_manager.filter(enterprise=OuterRef("pk"), status=MEMBER_NORMAL, whereabouts=MEMBER_HERE)
        .filter(condition or Q())
        .order_by()
        .values("enterprise")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_member_counts(enterprises: QuerySet) -> QuerySet:
    """Annotate ``member_total``, ``member_full`` and ``member_probationary``: members in normal standing who
    work there, counted from the register; and ``member_in_building``: those of them who belong to one of the
    enterprise's building's party organisations.

    Each count is a correlated subquery, so a page of 25 enterprises counts the members of those 25 only
    (nothing is grouped over the whole registry), and a queryset filtered through ``members`` still counts
    every member. Annotating twice is harmless (the export's register annotates, then the filter form).
    """
    if "member_total" in enterprises.query.annotations:
        return enterprises
    return enterprises.annotate(
        member_total=_member_count(),
        member_full=_member_count(Q(category=MEMBER_FULL)),
        member_probationary=_member_count(~Q(category=MEMBER_FULL)),
        member_in_building=_member_count(Q(organization__building_id=OuterRef("building_id"))),
    )


def with_member_counts_grouped(enterprises: QuerySet) -> QuerySet:
    """``member_total``, ``member_full`` and ``member_in_building`` as ``with_member_counts`` counts them, in one
    GROUP BY over the enterprises' members: for a summary over every enterprise (the coverage report's
    aggregate). There the correlated subqueries would run once for every place a condition names a count,
    because PostgreSQL pulls the derived table up into the aggregate (6 s at 4,820 enterprises; this: 0.1 s)."""
    standing = Q(members__status=MEMBER_NORMAL, members__whereabouts=MEMBER_HERE)
    return enterprises.annotate(
        member_total=Count("members", filter=standing),
        member_full=Count("members", filter=standing & Q(members__category=MEMBER_FULL)),
        member_in_building=Count("members", filter=standing & Q(members__organization__building_id=F("building_id"))),
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


# The same rules as query conditions over ``with_member_counts``, for the list's filters and the report's
# aggregate. The functions above are the source of truth;
# enterprises/tests/test_coverage_sql.py checks over a varied set that each condition picks exactly the
# enterprises its function picks.
SHOULD_FORM_BRANCH = Q(status=ACTIVE, member_full__gte=FORM_BRANCH_MIN_FULL) & ~Q(party_org_status=OrgStatus.OWN_BRANCH)
MEMBERS_WITHOUT_ORGANIZATION = Q(
    status=ACTIVE, member_total__gte=1, party_org_status=OrgStatus.NONE, member_in_building=0
)
SMALL_OWN_BRANCH = Q(status=ACTIVE, party_org_status=OrgStatus.OWN_BRANCH, member_full__lt=FORM_BRANCH_MIN_FULL)
ORGANISATION_COVERAGE_Q = {
    OrgStatus.OWN_BRANCH: Q(party_org_status=OrgStatus.OWN_BRANCH),
    OrgStatus.JOINT_BRANCH: Q(party_org_status=OrgStatus.JOINT_BRANCH),
    BY_BUILDING: Q(party_org_status=OrgStatus.NONE, member_in_building__gt=0),
    OrgStatus.NONE: Q(party_org_status=OrgStatus.NONE, member_in_building=0),
}
WORK_COVERED = Q(liaison__isnull=False) | Q(visited=True)  # over ``with_visited``


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


class Flagged:
    """One of the report's lists of enterprises: its length comes from the report's aggregate, its rows are
    fetched only when asked for, a page at a time (``page``)."""

    def __init__(self, queryset: QuerySet | None, count: int, rows: list | None = None):
        # ``rows``: the list's enterprises in order as ``[pk, member_total, member_full, member_in_building]``,
        # when known (the cached report): a page then reads its enterprises by primary key instead of grouping
        # the members of every enterprise with one to find them.
        self.queryset, self.count, self.rows = queryset, count, rows

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        if self.queryset is None:
            return iter(self.page(1, max(self.count, 1)).object_list)
        return iter(self.queryset)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def page(self, number, per_page: int):
        if self.rows is None:
            paginator = Paginator(self.queryset, per_page)
            paginator.count = self.count  # counted already
            return paginator.get_page(number)
        page = Paginator(self.rows, per_page).get_page(number)
        if page.object_list:
            found = Enterprise.objects.filter(pk__in=[row[0] for row in page.object_list]).select_related(
                "building", "party_organization", "liaison"
            )
            by_pk = {e.pk: e for e in found}
            # One reverse() for the page, not one per row; the coverage labels translated once a page too.
            url = url_maker("enterprises:detail")
            labels = {value: str(label) for value, label in OrgStatus.choices}
            enterprises = []
            for pk, total, full, in_building in page.object_list:
                enterprise = by_pk.get(pk)
                if enterprise is not None:  # deleted since: the next request counts again anyway
                    enterprise.member_total, enterprise.member_full = total, full
                    enterprise.member_in_building = in_building
                    enterprise.detail_url = url(pk)
                    enterprise.party_org_label = labels.get(enterprise.party_org_status, enterprise.party_org_status)
                    enterprises.append(enterprise)
            page.object_list = enterprises
        return page


@dataclass
class CoverageReport:
    rows: list[StatusRow]  # 组织覆盖, one row per ``ORGANISATION_COVERAGE``
    work: WorkCoverage = field(default_factory=WorkCoverage)
    should_form_branch: Flagged | list = field(default_factory=list)
    members_without_organization: Flagged | list = field(default_factory=list)
    covered_by_building: Flagged | list = field(default_factory=list)
    joint_branches: list = field(default_factory=list)  # every joint branch, with ``units`` annotated
    small_own_branches: Flagged | list = field(default_factory=list)

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


FLAGGED = {
    "should_form_branch": SHOULD_FORM_BRANCH,
    "members_without_organization": MEMBERS_WITHOUT_ORGANIZATION,
    "covered_by_building": ORGANISATION_COVERAGE_Q[BY_BUILDING],
    "small_own_branches": SMALL_OWN_BRANCH,
}


def _in_standing_somewhere():
    """The enterprises where a member in normal standing works: the only ones whose member counts are not 0."""
    return (
        _members()
        ._base_manager.filter(status=MEMBER_NORMAL, whereabouts=MEMBER_HERE, enterprise_id__isnull=False)
        .values("enterprise_id")
    )


def coverage_report(enterprises_qs: QuerySet, organizations_qs: QuerySet, *, cached: bool = False) -> CoverageReport:
    """How party organisations and party work cover the enterprises in the building. Three queries, however
    many rows, and no enterprise is built in Python:

    1. one aggregate over the enterprises in the building without their members: how many per organisation
       status, with a liaison, visited by the survey;
    2. one aggregate over those of them where a member in normal standing works (a few thousand of a district's
       24,000), their member counts grouped: the counts that depend on members. Elsewhere every count is 0, so
       a count over all the enterprises is (1) less (2) of the same condition with no members, plus (2);
    3. the joint branches among ``organizations_qs`` with the number of units in the building they cover.

    The flagged lists (``Flagged``) fetch their rows only when the page shows a page of them.

    ``cached`` (the coverage page): the counts, the joint branches' units and each flagged list's enterprises
    (their ids, in order) are plain data kept in the cache under the data version of ``buildingparty.data_cache``,
    which changes on any write, so the next request after a write counts again. At district scale each of those
    queries reads the 24,000 enterprises or groups the members of 3,000 of them; from the cache a page of a
    flagged list is one query by primary key, and the joint branches one more.
    """
    active = enterprises_qs.filter(status=ACTIVE)
    if not cached:
        everywhere, totals = _coverage_counts(active)
        report = _report(everywhere, totals)
        for name, rows in _flagged_querysets(active).items():
            setattr(report, name, Flagged(rows, totals[name]))
        report.joint_branches = list(_joint_branches(organizations_qs).select_related("building"))
        return report

    def compute():
        everywhere, totals = _coverage_counts(active)
        return {
            "everywhere": everywhere,
            "totals": totals,
            "rows": {
                name: [list(row) for row in rows.values_list("pk", *MEMBER_COUNTS)]
                for name, rows in _flagged_querysets(active).items()
            },
            "units": list(_joint_branches(organizations_qs).values_list("pk", "units")),
        }

    data = data_cache.cached("coverage", f"{enterprises_qs.query}|{organizations_qs.query}", compute)
    report = _report(data["everywhere"], data["totals"])
    for name in FLAGGED:
        setattr(report, name, Flagged(None, data["totals"][name], rows=data["rows"][name]))
    if data["units"]:
        order = {pk: n for n, (pk, _units) in enumerate(data["units"])}
        organizations = PartyOrganization.objects.filter(pk__in=order).select_related("building")
        report.joint_branches = sorted(organizations, key=lambda org: order[org.pk])
        for org in report.joint_branches:
            org.units = data["units"][order[org.pk]][1]
    return report


MEMBER_COUNTS = ("member_total", "member_full", "member_in_building")


def _coverage_counts(active: QuerySet) -> tuple[dict, dict]:
    """The report's two aggregates (plain numbers): over every enterprise, and over those with members."""
    by_status = {value: Q(party_org_status=value) for value in (OrgStatus.OWN_BRANCH, OrgStatus.JOINT_BRANCH)}
    by_status[OrgStatus.NONE] = Q(party_org_status=OrgStatus.NONE)
    # ``with_visited``'s EXISTS, as IN: PostgreSQL hashes the visited enterprises once instead of looking each
    # enterprise up twice (visited, covered).
    visited = Q(pk__in=Enterprise._meta.get_field("visits").related_model.objects.values("enterprise_id"))
    everywhere = active.aggregate(
        **{f"{value}_all": Count("pk", filter=condition) for value, condition in by_status.items()},
        with_liaison=Count("pk", filter=Q(liaison__isnull=False)),
        visited=Count("pk", filter=visited),
        covered=Count("pk", filter=Q(liaison__isnull=False) | visited),  # WORK_COVERED
    )
    with_members = active.filter(pk__in=_in_standing_somewhere())
    counts = {f"{value}_with": Count("pk", filter=condition) for value, condition in ORGANISATION_COVERAGE_Q.items()}
    counts.update({f"{value}_any": Count("pk", filter=condition) for value, condition in by_status.items()})
    counts.update({name: Count("pk", filter=condition) for name, condition in FLAGGED.items()})
    totals = with_member_counts_grouped(with_members).aggregate(**counts)
    # Where nobody in standing works, member_total = member_full = member_in_building = 0: such an enterprise is
    # never covered by the building's organisation nor flagged, except as a small own branch (0 full members).
    without = {value: everywhere[f"{value}_all"] - totals[f"{value}_any"] for value in by_status}
    without[BY_BUILDING] = 0
    totals["small_own_branches"] += without[OrgStatus.OWN_BRANCH]
    totals.update({f"{value}_without": n for value, n in without.items()})
    return everywhere, totals


def _report(everywhere: dict, totals: dict) -> CoverageReport:
    rows = [
        StatusRow(value, str(label), totals[f"{value}_with"], totals[f"{value}_without"])
        for value, label in ORGANISATION_COVERAGE
    ]
    covered = everywhere["covered"]
    return CoverageReport(
        rows=rows,
        work=WorkCoverage(
            with_liaison=everywhere["with_liaison"],
            visited=everywhere["visited"],
            covered=covered,
            not_covered=sum(row.total for row in rows) - covered,
        ),
    )


def _flagged_querysets(active: QuerySet) -> dict[str, QuerySet]:
    """Each flagged list's enterprises in the page's order, with their member counts (not run here)."""
    listed = with_member_counts_grouped(active).select_related("building", "party_organization", "liaison")
    # Where no party member works there is nothing to count: the lists that need members group only the
    # enterprises with one (a few thousand of a district's 24,000), the other only those with a branch.
    narrowed = {
        "should_form_branch": Q(pk__in=_in_standing_somewhere()),
        "members_without_organization": Q(pk__in=_in_standing_somewhere()),
        "covered_by_building": Q(pk__in=_in_standing_somewhere()),
        "small_own_branches": Q(party_org_status=OrgStatus.OWN_BRANCH),
    }
    return {
        name: listed.filter(narrowed[name]).filter(condition).order_by("floor", "room", "pk")
        for name, condition in FLAGGED.items()
    }


def _joint_branches(organizations_qs: QuerySet) -> QuerySet:
    """The joint branches among ``organizations_qs`` with ``units``, most units first."""
    # The units each joint branch covers, counted by the enterprises' index on their organisation (a join would
    # read every enterprise of the district).
    units = (
        Enterprise.objects.filter(party_organization=OuterRef("pk"), status=ACTIVE)
        .order_by()
        .values("party_organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        organizations_qs.filter(kind=PartyOrganization.Kind.JOINT_BRANCH)
        .annotate(units=Coalesce(Subquery(units, output_field=IntegerField()), 0))
        .order_by("-units", "name")
    )


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
