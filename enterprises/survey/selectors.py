"""How far a survey campaign (调查摸底) has got: reads only, counted in the database, a fixed number of queries
however big the building or the district.

Two rules decide the numbers, each kept in Python as the source of truth with its SQL beside it
(enterprises/survey/tests/test_survey_sql.py checks over a varied set that the two agree):

- completeness is ``SurveyVisit.is_complete`` (the five clears), and ``COMPLETE_Q`` in the database;
- an enterprise visited twice counts once, by its latest visit (latest ``visited_on``, then the latest
  recorded): ``latest_visits`` in Python, ``latest_only`` in the database.

Tallies are GROUP BY queries over the latest visits and the enterprises; lists of enterprises are querysets,
shown a page at a time (``progress_rows`` builds the rows of one page).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from buildingparty import data_cache
from enterprises.models import Enterprise

from .models import COMPLETE_Q, FollowUp, SurveyCampaign, SurveyLead, SurveyVisit

NOT_VISITED, INCOMPLETE, COMPLETE = "not_visited", "incomplete", "complete"


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass
class Tally:
    """Visited and complete out of a number of enterprises."""

    total: int = 0
    visited: int = 0
    complete: int = 0
    members_found: int = 0

    def add(self, other: "Tally"):
        self.total += other.total
        self.visited += other.visited
        self.complete += other.complete
        self.members_found += other.members_found

    @property
    def incomplete(self) -> int:
        return self.visited - self.complete

    @property
    def not_visited(self) -> int:
        return self.total - self.visited

    @property
    def visited_percent(self) -> int:
        return _percent(self.visited, self.total)

    @property
    def complete_percent(self) -> int:
        return _percent(self.complete, self.total)

    @property
    def incomplete_percent(self) -> int:
        # Derived so that the two bars of a stacked progress bar never add up to more than the visited share.
        return self.visited_percent - self.complete_percent


@dataclass
class FloorTally(Tally):
    floor: int = 0


@dataclass
class EnterpriseProgress:
    """One enterprise of a page of the campaign's list, with its latest visit in the campaign."""

    enterprise: Enterprise
    latest: SurveyVisit | None = None
    visit_count: int = 0

    @property
    def clears_done(self) -> int:
        return sum(self.latest.five_clears.values()) if self.latest is not None else 0

    @property
    def state(self) -> str:
        if self.latest is None:
            return NOT_VISITED
        return COMPLETE if self.latest.is_complete else INCOMPLETE


@dataclass
class CampaignProgress(Tally):
    leads_open: int = 0
    follow_ups_due: int = 0  # not done yet, due date not passed
    follow_ups_overdue: int = 0  # not done, past the due date
    floors: list[FloorTally] = field(default_factory=list)

    def chart_data(self) -> dict:
        """The per-floor breakdown for the chart (the page shows the same numbers as a table)."""
        return {
            "floors": [f.floor for f in self.floors],
            "complete": [f.complete for f in self.floors],
            "incomplete": [f.incomplete for f in self.floors],
            "not_visited": [f.not_visited for f in self.floors],
        }


# --- which visit counts: the rule in Python, and in the database ---------------------------------------------


def latest_visits(visits) -> tuple[dict, dict]:
    """``(latest, counts)`` keyed by ``(campaign_id, enterprise_id)``: the latest visit and how many there were.
    The rule in Python; ``latest_only`` is the same in the database."""
    latest, counts = {}, defaultdict(int)
    for visit in visits:
        key = (visit.campaign_id, visit.enterprise_id)
        counts[key] += 1
        current = latest.get(key)
        if current is None or (visit.visited_on, visit.pk) > (current.visited_on, current.pk):
            latest[key] = visit
    return latest, counts


def latest_only(visits: QuerySet) -> QuerySet:
    """The visits among ``visits`` that no later visit to the same enterprise in the same campaign follows (of
    all its visits, not only those in ``visits``): one per enterprise and campaign."""
    later = SurveyVisit.objects.filter(campaign=OuterRef("campaign"), enterprise=OuterRef("enterprise")).filter(
        Q(visited_on__gt=OuterRef("visited_on")) | Q(visited_on=OuterRef("visited_on"), pk__gt=OuterRef("pk"))
    )
    return visits.filter(~Exists(later))


def _latest_tallies(visits: QuerySet, group_by: str) -> dict:
    """``{group: (visited, complete, members_found)}`` over the latest of ``visits``: one GROUP BY query."""
    rows = (
        latest_only(visits)
        .order_by()
        .values(group_by)
        .annotate(
            visited=Count("pk"),
            complete=Count("pk", filter=COMPLETE_Q),
            found=Coalesce(Sum("members_found"), 0),
        )
        .values_list(group_by, "visited", "complete", "found")
    )
    return {group: values for group, *values in rows}


def campaign_enterprises(campaign: SurveyCampaign):
    """The enterprises a campaign sets out to visit: those in its building now."""
    return Enterprise.objects.filter(building_id=campaign.building_id, status=Enterprise.Status.ACTIVE)


def floor_tallies(campaign: SurveyCampaign, enterprises: QuerySet) -> list[FloorTally]:
    """Visited and complete per floor over ``enterprises`` (some of ``campaign_enterprises``): two queries."""
    totals = dict(enterprises.order_by().values("floor").annotate(n=Count("pk")).values_list("floor", "n"))
    visits = SurveyVisit.objects.filter(campaign=campaign, enterprise__in=enterprises)
    counted = _latest_tallies(visits, "enterprise__floor")
    floors = []
    for floor in sorted(totals):
        visited, complete, found = counted.get(floor, (0, 0, 0))
        floors.append(
            FloorTally(floor=floor, total=totals[floor], visited=visited, complete=complete, members_found=found)
        )
    return floors


def tally(floors) -> Tally:
    """The sum of some tallies (e.g. the floors of one liaison's enterprises)."""
    result = Tally()
    for floor in floors:
        result.add(floor)
    return result


def liaison_tally(campaign: SurveyCampaign, liaison) -> Tally:
    """Visited and complete over the enterprises one liaison looks after: two queries."""
    return tally(floor_tallies(campaign, campaign_enterprises(campaign).filter(liaison=liaison)))


def campaign_progress(
    campaign: SurveyCampaign, *, liaison=None, today: datetime.date | None = None, cached: bool = False
) -> CampaignProgress:
    """Progress over the building's active enterprises, or over one liaison's (``liaison``).

    Four queries whatever the size of the building, and no enterprise or visit built in Python: enterprises per
    floor, latest visits per floor, open leads, follow-ups. The enterprises themselves are ``progress_queryset``.
    ``cached`` (the pages): the numbers are kept in the cache (``_cached``), none of the four queries runs again
    until something is written.
    """
    today = today or timezone.localdate()
    if cached:
        args = f"{campaign.pk}:{liaison.pk if liaison is not None else ''}:{today.isoformat()}"
        data = _cached("progress", args, lambda: _progress_data(campaign, liaison, today))
    else:
        data = _progress_data(campaign, liaison, today)
    progress = CampaignProgress(floors=[FloorTally(*row) for row in data["floors"]])
    progress.add(tally(progress.floors))
    progress.leads_open, progress.follow_ups_due, progress.follow_ups_overdue = data["others"]
    return progress


def _progress_data(campaign: SurveyCampaign, liaison, today: datetime.date) -> dict:
    """``campaign_progress``'s numbers as plain data."""
    enterprises = campaign_enterprises(campaign)
    leads = SurveyLead.objects.filter(visit__campaign=campaign, status=SurveyLead.Status.OPEN)
    follow_ups = FollowUp.objects.filter(visit__campaign=campaign, done_on__isnull=True)
    if liaison is not None:
        enterprises = enterprises.filter(liaison=liaison)
        leads = leads.filter(visit__enterprise__liaison=liaison)
        follow_ups = follow_ups.filter(visit__enterprise__liaison=liaison)
    floors = [(f.total, f.visited, f.complete, f.members_found, f.floor) for f in floor_tallies(campaign, enterprises)]
    due = follow_ups.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)), due=Count("pk", filter=Q(due_on__gte=today))
    )
    return {"floors": floors, "others": (leads.count(), due["due"], due["overdue"])}


def _cached(what: str, args: str, compute):
    """``compute()`` (plain data), kept by ``buildingparty.data_cache`` under the data version, which changes on
    any write: the tallies read every visit of a campaign (15,000 at district scale) and group them, too much for
    every request; the next request after a write counts again."""
    return data_cache.cached(f"survey:{what}", args, compute)


def survey_states(campaign: SurveyCampaign) -> dict[str, Q]:
    """``{COMPLETE: Q, INCOMPLETE: Q, NOT_VISITED: Q}``: conditions over enterprises picking those in that state
    in the campaign, by their latest visit (``EnterpriseProgress.state`` for one enterprise). Each is a semi- or
    anti-join over the campaign's visits, not a subquery run enterprise by enterprise."""
    visits = SurveyVisit.objects.filter(campaign=campaign)
    # A CASE rather than ~COMPLETE_Q: exactly the visits the tallies do not count as complete, NULLs included.
    latest = latest_only(visits).alias(complete=Case(When(COMPLETE_Q, then=Value(True)), default=Value(False)))
    return {
        COMPLETE: Q(pk__in=latest.filter(complete=True).values("enterprise_id")),
        INCOMPLETE: Q(pk__in=latest.filter(complete=False).values("enterprise_id")),
        NOT_VISITED: ~Q(pk__in=visits.values("enterprise_id")),
    }


def progress_queryset(campaign: SurveyCampaign, *, liaison=None, state: str = "") -> QuerySet:
    """The campaign's enterprises (or one liaison's; those in ``state`` only) in the order the pages list them."""
    enterprises = campaign_enterprises(campaign).select_related("liaison").order_by("floor", "room", "name", "pk")
    if liaison is not None:
        enterprises = enterprises.filter(liaison=liaison)
    if state:
        enterprises = enterprises.filter(survey_states(campaign)[state])
    return enterprises


def progress_rows(campaign: SurveyCampaign, enterprises) -> list[EnterpriseProgress]:
    """A page of enterprises as rows with their latest visit in the campaign and how many visits: one query.

    The page's visits in the campaign (a few per enterprise) are read by the index on (enterprise, campaign) and
    the latest picked in Python by the rule itself (``latest_visits``): no anti-join of the visits to themselves.
    """
    enterprises = list(enterprises)
    if not enterprises:
        return []
    visits = SurveyVisit.objects.filter(campaign=campaign, enterprise__in=[e.pk for e in enterprises]).order_by()
    latest, counts = latest_visits(visits)
    rows = []
    for enterprise in enterprises:
        key = (campaign.pk, enterprise.pk)
        rows.append(EnterpriseProgress(enterprise, latest.get(key), counts.get(key, 0)))
    return rows


def campaigns_overview(campaigns, *, cached: bool = False) -> dict[int, Tally]:
    """Visited and complete per campaign for a list page: two GROUP BY queries for any number of campaigns
    (``cached``: none until something is written, see ``_cached``)."""
    campaigns = list(campaigns)
    if cached:
        args = ",".join(f"{c.pk}/{c.building_id}" for c in sorted(campaigns, key=lambda c: c.pk))
        data = _cached("overview", args, lambda: _overview_data(campaigns))
    else:
        data = _overview_data(campaigns)
    return {pk: Tally(*numbers) for pk, numbers in data.items()}


def _overview_data(campaigns: list) -> dict[int, tuple]:
    """``{campaign pk: (total, visited, complete, members_found)}``: ``campaigns_overview`` as plain data."""
    totals = dict(
        Enterprise.objects.filter(building_id__in={c.building_id for c in campaigns}, status=Enterprise.Status.ACTIVE)
        .order_by()
        .values("building_id")
        .annotate(n=Count("pk"))
        .values_list("building_id", "n")
    )
    visits = SurveyVisit.objects.filter(
        campaign__in=[c.pk for c in campaigns],
        enterprise__status=Enterprise.Status.ACTIVE,
        # An enterprise of another building cannot be visited through the forms; it would not count.
        enterprise__building_id=F("campaign__building_id"),
    )
    counted = _latest_tallies(visits, "campaign")
    overview = {}
    for campaign in campaigns:
        visited, complete, found = counted.get(campaign.pk, (0, 0, 0))
        overview[campaign.pk] = (totals.get(campaign.building_id, 0), visited, complete, found)
    return overview


def overdue_follow_ups(follow_ups, today: datetime.date):
    """Follow-ups not done and past their due date (the home panel and the reminder job)."""
    return follow_ups.filter(done_on__isnull=True, due_on__lt=today)


def follow_ups_due_soon(follow_ups, today: datetime.date, days: int):
    """Follow-ups not done and due from today to ``days`` days ahead (the reminder job)."""
    return follow_ups.filter(done_on__isnull=True, due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))


def active_campaign(user) -> SurveyCampaign | None:
    """The campaign under way in the user's building (the most recently started, if several)."""
    return (
        SurveyCampaign.objects.for_user(user)
        .filter(status=SurveyCampaign.Status.ACTIVE)
        .order_by("-starts_on", "-pk")
        .first()
    )


def visits_with_open_follow_ups(enterprise: Enterprise, user) -> list:
    """The enterprise's survey visits the user may see, newest first, each with ``open_follow_ups``."""
    return list(
        enterprise.visits.for_user(user)
        .select_related("campaign")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.filter(done_on__isnull=True).select_related("assigned_to"),
                to_attr="open_follow_ups",
            )
        )
    )
