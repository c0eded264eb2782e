"""How far a survey campaign (调查摸底) has got: reads only, a fixed number of queries however big the building.

Completeness is ``SurveyVisit.is_complete`` (the five clears), so it is decided in Python from the latest
visit of each enterprise, never restated in SQL: one query loads the campaign's visits, and the rest is
counting. An enterprise visited twice counts once, by its latest visit (latest ``visited_on``, then the
latest recorded).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from enterprises.models import Enterprise

from .models import FollowUp, SurveyCampaign, SurveyLead, SurveyVisit

NOT_VISITED, INCOMPLETE, COMPLETE = "not_visited", "incomplete", "complete"

# What the progress needs from a visit: the five clears and the ordering keys, not the rest.
VISIT_FIELDS = [
    "pk",
    "campaign_id",
    "enterprise_id",
    "visited_on",
    "enterprise_situation",
    "members_found",
    "relationships_note",
    "members_thinking",
    "owner_attitude",
]


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass
class Tally:
    """Visited and complete out of a number of enterprises."""

    total: int = 0
    visited: int = 0
    complete: int = 0
    members_found: int = 0

    def add(self, row: "EnterpriseProgress"):
        self.total += 1
        if row.latest is not None:
            self.visited += 1
            self.members_found += row.latest.members_found or 0
            self.complete += row.state == COMPLETE

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
    rows: list[EnterpriseProgress] = field(default_factory=list)
    floors: list[FloorTally] = field(default_factory=list)

    def chart_data(self) -> dict:
        """The per-floor breakdown for the chart (the page shows the same numbers as a table)."""
        return {
            "floors": [f.floor for f in self.floors],
            "complete": [f.complete for f in self.floors],
            "incomplete": [f.incomplete for f in self.floors],
            "not_visited": [f.not_visited for f in self.floors],
        }


def latest_visits(visits) -> tuple[dict, dict]:
    """``(latest, counts)`` keyed by ``(campaign_id, enterprise_id)``: the latest visit and how many there were."""
    latest, counts = {}, defaultdict(int)
    for visit in visits:
        key = (visit.campaign_id, visit.enterprise_id)
        counts[key] += 1
        current = latest.get(key)
        if current is None or (visit.visited_on, visit.pk) > (current.visited_on, current.pk):
            latest[key] = visit
    return latest, counts


def campaign_enterprises(campaign: SurveyCampaign):
    """The enterprises a campaign sets out to visit: those in its building now."""
    return Enterprise.objects.filter(building_id=campaign.building_id, status=Enterprise.Status.ACTIVE)


def campaign_progress(
    campaign: SurveyCampaign, *, liaison=None, today: datetime.date | None = None
) -> CampaignProgress:
    """Progress over the building's active enterprises, or over one liaison's (``liaison``).

    Four queries whatever the size of the building: visits, enterprises, open leads, follow-ups.
    """
    today = today or timezone.localdate()
    enterprises = campaign_enterprises(campaign).select_related("liaison").order_by("floor", "room", "name", "pk")
    visits = SurveyVisit.objects.filter(campaign=campaign)
    leads = SurveyLead.objects.filter(visit__campaign=campaign, status=SurveyLead.Status.OPEN)
    follow_ups = FollowUp.objects.filter(visit__campaign=campaign, done_on__isnull=True)
    if liaison is not None:
        enterprises = enterprises.filter(liaison=liaison)
        visits = visits.filter(enterprise__liaison=liaison)
        leads = leads.filter(visit__enterprise__liaison=liaison)
        follow_ups = follow_ups.filter(visit__enterprise__liaison=liaison)
    latest, counts = latest_visits(visits.only(*VISIT_FIELDS).order_by())

    progress = CampaignProgress()
    floors: dict[int, FloorTally] = {}
    for enterprise in enterprises:
        key = (campaign.pk, enterprise.pk)
        row = EnterpriseProgress(enterprise=enterprise, latest=latest.get(key), visit_count=counts.get(key, 0))
        progress.rows.append(row)
        progress.add(row)
        floors.setdefault(enterprise.floor, FloorTally(floor=enterprise.floor)).add(row)
    progress.floors = [floors[f] for f in sorted(floors)]
    progress.leads_open = leads.count()
    due = follow_ups.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)), due=Count("pk", filter=Q(due_on__gte=today))
    )
    progress.follow_ups_due, progress.follow_ups_overdue = due["due"], due["overdue"]
    return progress


def overdue_follow_ups(follow_ups, today: datetime.date):
    """Follow-ups not done and past their due date (the home panel and the reminder job)."""
    return follow_ups.filter(done_on__isnull=True, due_on__lt=today)


def follow_ups_due_soon(follow_ups, today: datetime.date, days: int):
    """Follow-ups not done and due from today to ``days`` days ahead (the reminder job)."""
    return follow_ups.filter(done_on__isnull=True, due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))


def tally(rows) -> Tally:
    """Visited and complete over some rows of a campaign's progress (e.g. one liaison's enterprises)."""
    result = Tally()
    for row in rows:
        result.add(row)
    return result


def campaigns_overview(campaigns) -> dict[int, Tally]:
    """Visited and complete per campaign for a list page: two queries for any number of campaigns."""
    campaigns = list(campaigns)
    building_ids = {c.building_id for c in campaigns}
    enterprises = (
        Enterprise.objects.filter(building_id__in=building_ids, status=Enterprise.Status.ACTIVE)
        .order_by()
        .values_list("pk", "building_id")
    )
    by_building = defaultdict(set)
    for pk, building_id in enterprises:
        by_building[building_id].add(pk)
    visits = (
        SurveyVisit.objects.filter(campaign__in=[c.pk for c in campaigns], enterprise__status=Enterprise.Status.ACTIVE)
        .only(*VISIT_FIELDS)
        .order_by()
    )
    latest, _counts = latest_visits(visits)
    overview = {c.pk: Tally(total=len(by_building[c.building_id])) for c in campaigns}
    by_campaign = {c.pk: c for c in campaigns}
    for (campaign_id, enterprise_id), visit in latest.items():
        if enterprise_id not in by_building[by_campaign[campaign_id].building_id]:
            continue  # an enterprise of another building: cannot happen through the forms
        counted = overview[campaign_id]
        counted.visited += 1
        counted.complete += visit.is_complete
        counted.members_found += visit.members_found or 0
    return overview


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
