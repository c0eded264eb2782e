"""Reading points: a member's ledger and total, branch leaderboards (创先争优), the claims waiting.

A year's total is the base score (``PointYear``, else ``settings.POINTS_BASE_SCORE``) plus the member's approved
entries of that year. Every function here takes the same number of queries however many members or entries
there are.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty import data_cache
from buildingparty.models import PartyOrganization
from members import timeline
from members.models import Member
from members.points.models import PointEntry, PointRule, PointYear
from members.points.services import base_score

Status = PointEntry.Status


def current_year() -> int:
    return timezone.localdate().year


def years_offered(building_id: int | None) -> list[int]:
    """The years a year picker offers: this year and back to the first with entries (at most ten)."""
    this_year = current_year()
    entries = PointEntry.objects.all()
    if building_id is not None:
        entries = entries.filter(rule__building_id=building_id)
    first = entries.order_by("year").values_list("year", flat=True).first() or this_year
    first = max(min(first, this_year), this_year - 9)
    return list(range(this_year, first - 1, -1))


# --- one member ---------------------------------------------------------------------------------------------


@dataclass
class Ledger:
    member: Member
    year: int
    base: int
    entries: list = field(default_factory=list)  # approved, newest first
    pending: list = field(default_factory=list)
    rejected: list = field(default_factory=list)

    @property
    def earned(self) -> int:
        return sum(e.points for e in self.entries if e.points > 0)

    @property
    def deducted(self) -> int:
        return sum(e.points for e in self.entries if e.points < 0)

    @property
    def total(self) -> int:
        return self.base + sum(e.points for e in self.entries)


def member_ledger(member: Member, year: int) -> Ledger:
    """The member's entries of the year: approved (they count), claims waiting and claims rejected."""
    entries = (
        PointEntry.objects.filter(member=member, year=year)
        .select_related("rule", "created_by", "decided_by")
        .order_by("-occurred_on", "-pk")
    )
    ledger = Ledger(member=member, year=year, base=base_score(member.organization.building_id, year))
    for entry in entries:
        {Status.APPROVED: ledger.entries, Status.PENDING: ledger.pending, Status.REJECTED: ledger.rejected}[
            entry.status
        ].append(entry)
    mark_capped(ledger.entries)
    return ledger


def mark_capped(entries) -> None:
    """Set ``capped`` on a member's approved entries of one year: True from the entry that brought her to the
    rule's yearly cap on, in the order they were credited. An entry's points alone do not tell, since a record
    may be worth several times the rule's points (a study session of 3 hours under "each study hour")."""
    running = defaultdict(int)
    for entry in sorted(entries, key=lambda e: e.pk):
        running[entry.rule_id] += abs(entry.points)
        entry.capped = bool(entry.rule.yearly_cap) and running[entry.rule_id] >= entry.rule.yearly_cap


def with_totals(members, year: int):
    """Members annotated with ``earned``: the sum of their approved entries of ``year``."""
    counted = Q(point_entries__year=year, point_entries__status=Status.APPROVED)
    return members.annotate(earned=Coalesce(Sum("point_entries__points", filter=counted), 0))


# --- leaderboards -------------------------------------------------------------------------------------------


BOARD_PAGE_SIZE = 50
BAND = 10  # the chart counts members per band of 10 points of total


def with_earned(members, year: int):
    """Members annotated with ``earned`` (as ``with_totals``) through a correlated subquery rather than a
    join and GROUP BY, so it can be ranked with a window function and grouped into bands."""
    approved = (
        PointEntry.objects.filter(member=OuterRef("pk"), year=year, status=Status.APPROVED)
        .order_by()
        .values("member")
        .annotate(sum=Sum("points"))
        .values("sum")
    )
    return members.annotate(earned=Coalesce(Subquery(approved, output_field=IntegerField()), 0))


@dataclass
class BoardRow:
    member: Member
    total: int
    rank: int = 0


@dataclass
class Board:
    """A branch's leaderboard: ``rows`` is the page shown; every other number covers the whole branch."""

    branch: PartyOrganization
    year: int
    base: int
    rows: object  # a ``Page`` of ``BoardRow``
    member_count: int = 0  # 党员 (``Member.objects.in_party``), ranked or not
    ranked: int = 0  # members in normal standing: on the board
    average: float | None = None
    best: int | None = None
    bands: list = field(default_factory=list)  # (lowest total of the band, members in it), lowest first


def rank(rows: list) -> list:
    """Order by total (then name) and number them 1, 2, 2, 4: members with the same total share a rank."""
    rows.sort(key=lambda r: (-r.total, r.member.name, r.member.pk))
    for index, row in enumerate(rows):
        row.rank = rows[index - 1].rank if index and row.total == rows[index - 1].total else index + 1
    return rows


def branch_members(branch: PartyOrganization):
    """Members in normal standing of the branch and its groups: those on the board."""
    return Member.objects.active().filter(organization_id__in=branch.subtree_ids())


def board_bands(earned_values) -> list[tuple[int, int, int, int]]:
    """``(band, members, sum of earned, best earned)`` per band of ``BAND`` points earned, the chart's numbers and
    the board's summary at once, from the branch's totals (a number per member, each member's sum taken once),
    banded here. Grouping on the total in SQL ran the correlated sum three times a member (0.4 s for a branch at
    district scale)."""
    bands: dict[int, tuple[int, int, int]] = {}
    for earned in earned_values:
        band = earned // BAND * BAND  # floors, as the chart's bands always did (-5 is in the band of -10)
        n, total, best = bands.get(band, (0, 0, earned))
        bands[band] = (n + 1, total + earned, max(best, earned))
    return [(band, n, total, best) for band, (n, total, best) in sorted(bands.items())]


# The year's sums of every approved entry of a branch (232,000 entries in a building at district scale: ~0.1 s
# even from the index alone) are kept in the cache under the data version of ``buildingparty.data_cache``, which
# changes on any write (an entry credited, a claim decided, a member who leaves, a base score, a bulk update): the
# next request after a write adds up again, as does one made inside a transaction that has written. Plain data only
# (ids and sums); the ranks, the page, the bands and the averages are worked out from it on every request.
def _cached(scope: str, year: int, build):
    return data_cache.cached("points:totals", (year, scope), build)


def _board_totals(branch: PartyOrganization, year: int) -> tuple[list[tuple[int, int]], int]:
    """``([(member id, earned)] of the members in normal standing, ranked order), the branch's 党员 count)``."""
    ids = branch.subtree_ids()
    members = with_earned(Member.objects.active().filter(organization_id__in=ids), year)
    # By name (the database's collation) then pk; a stable sort on the total then gives the board's order:
    # total descending, name, pk. Sorting on the correlated sum in SQL ran it twice a member.
    ordered = sorted(members.order_by("name", "pk").values_list("pk", "earned"), key=lambda row: -row[1])
    # The branch's 党员 as every page counts them; the board ranks those of them in normal standing.
    in_party = Member.objects.in_party().filter(organization_id__in=ids).count()
    return ordered, in_party


def branch_board(branch: PartyOrganization, year: int, *, page_number=None, per_page: int | None = None) -> Board:
    """A page of the branch's members ranked by total (1, 2, 2, 4: one more than those with a higher total, over
    the whole branch), and the whole branch's numbers. One query reads every ranked member's sum (from the index
    of approved entries alone) in the database's name order; the ranks, the page and the bands are worked out
    from it here, and one more query reads the page's members. Queries do not grow with members. The sums and
    the branch's 党员 count come from the cache while nothing has been written since (``_cached``)."""
    base = base_score(branch.building_id, year)
    ordered, in_party = _cached(f"board:{branch.pk}", year, lambda: _board_totals(branch, year))
    bands = board_bands(earned for _pk, earned in ordered)
    ranked = len(ordered)
    ranks: dict[int, int] = {}  # earned -> rank: one more than the members with more
    for index, (_pk, earned) in enumerate(ordered):
        ranks.setdefault(earned, index + 1)
    page = Paginator(ordered, per_page or BOARD_PAGE_SIZE).get_page(page_number)
    shown = Member.objects.select_related("organization").in_bulk([pk for pk, _earned in page.object_list])
    page.object_list = [
        BoardRow(member=shown[pk], total=base + earned, rank=ranks[earned]) for pk, earned in page.object_list
    ]
    return Board(
        branch=branch,
        year=year,
        base=base,
        rows=page,
        member_count=in_party,
        ranked=ranked,
        average=round(base + sum(t for _b, _n, t, _m in bands) / ranked, 1) if ranked else None,
        best=base + max(m for _b, _n, _t, m in bands) if ranked else None,
        bands=[(base + band, n) for band, n, _sum, _best in bands],
    )


def member_rank(member: Member, year: int) -> dict:
    """The member's total, rank (1 + those with more points) and how many are ranked in their branch: two
    queries, whatever the branch's size."""
    branch = member.organization.branch
    base = base_score(branch.building_id, year)
    earned = with_earned(Member.objects.filter(pk=member.pk), year).values_list("earned", flat=True).first() or 0
    counts = with_earned(branch_members(branch), year).aggregate(
        of=Count("pk"), above=Count("pk", filter=Q(earned__gt=earned)), me=Count("pk", filter=Q(pk=member.pk))
    )
    rank = counts["above"] + 1 if counts["me"] else None  # not in normal standing: not on the board
    return {"total": base + earned, "rank": rank, "of": counts["of"], "branch": branch}


@dataclass
class BranchAverage:
    branch: PartyOrganization
    members: int
    average: float | None
    best: int | None


def branches(organizations) -> list:
    """The branches and joint branches among ``organizations`` (a queryset), by building and name."""
    return list(organizations.branches().select_related("building").order_by("building__name", "name"))


def branch_averages(organizations, year: int) -> list[BranchAverage]:
    """Each branch's 党员 (``in_party``, the same count as every page), the average total of those in normal
    standing and the best total of the year."""
    rows = branches(organizations)
    bases = dict(PointYear.objects.filter(year=year).values_list("building_id", "base_score"))
    branch_ids = sorted(b.pk for b in rows)
    counts, totals = _cached(("averages", tuple(branch_ids)), year, lambda: _branch_totals(branch_ids, year))
    result = []
    for branch in rows:
        base = bases.get(branch.building_id, settings.POINTS_BASE_SCORE)
        ranked, earned_sum, best = totals.get(branch.pk, (0, 0, None))
        result.append(
            BranchAverage(
                branch=branch,
                members=counts.get(branch.pk, 0),
                average=round((base * ranked + earned_sum) / ranked, 1) if ranked else None,
                best=base + best if ranked else None,
            )
        )
    return result


def _branch_totals(branch_ids: list[int], year: int) -> tuple[dict[int, int], dict[int, tuple[int, int, int]]]:
    """``({branch id: 党员}, {branch id: (members in normal standing, sum of their earned, best earned)})``, a
    branch's party groups counted with it."""
    # Each member's sum from the index of approved entries (``with_earned``): joining the entries and grouping
    # read every entry of the building's year from the table (0.3 s at district scale).
    members = with_earned(
        Member.objects.in_party().filter(Q(organization__in=branch_ids) | Q(organization__parent__in=branch_ids)),
        year,
    ).values_list("organization_id", "organization__parent_id", "organization__kind", "status", "earned")
    totals: dict[int, tuple[int, int, int]] = {}
    counts: dict[int, int] = defaultdict(int)
    for org_id, parent_id, kind, status, earned in members:
        branch_id = parent_id if kind == PartyOrganization.Kind.GROUP else org_id
        counts[branch_id] += 1
        if status == Member.Status.NORMAL:
            n, total, best = totals.get(branch_id, (0, 0, earned))
            totals[branch_id] = (n + 1, total + earned, max(best, earned))
    return dict(counts), totals


# --- claims -------------------------------------------------------------------------------------------------


def claims_for(user):
    """Claims in the user's scope, with what a queue shows."""
    return (
        PointEntry.objects.for_user(user)
        .filter(rule__kind=PointRule.Kind.CLAIMED)
        .select_related("member", "member__organization", "rule", "decided_by")
    )


def pending_claims(user):
    return claims_for(user).filter(status=Status.PENDING).order_by("created_at", "pk")


def decided_claims(user):
    """Claims decided, the latest first. A decided claim always has its decision's date (``claim_decide``);
    saying so lets the database read the few decided entries from their own index (``point_entry_decided``)
    instead of sorting every automatic entry, whose date is empty (0.13 s at district scale)."""
    return (
        claims_for(user).filter(decided_at__isnull=False).exclude(status=Status.PENDING).order_by("-decided_at", "-pk")
    )


# --- the member's timeline ----------------------------------------------------------------------------------


@timeline.source
def _approved_points(member):
    # The columns shown, not entries and rules: a member has a few hundred entries over the years.
    entries = (
        PointEntry.objects.filter(member=member, status=Status.APPROVED)
        .exclude(points=0)
        .order_by("-occurred_on", "-pk")
        .values_list("occurred_on", "points", "rule__name", "note", "year")
    )
    url = reverse("points:member", args=[member.pk])
    title, routine = _("%(points)+d points: %(rule)s"), _("Points")
    for occurred_on, points, rule, note, year in entries:
        yield timeline.Event(
            occurred_on,
            "star" if points > 0 else "dash-circle",
            title % {"points": points, "rule": rule},
            note,
            f"{url}?year={year}",
            routine=routine,
        )


def default_year(value) -> int:
    """A year from the query string, this year when missing or not a sensible year."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return current_year()
    return year if 2000 <= year <= current_year() + 1 else current_year()
