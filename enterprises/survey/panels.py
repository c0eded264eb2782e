"""Home-page panels from the building survey (调查摸底).

A liaison sees how far the campaign under way has got over the enterprises they look after, and the first
few still to visit; admins and secretaries see the leads waiting for them and the follow-ups past due. Every
number is counted in the database and every list is cut at ``PANEL_ROWS``, with a link to the whole list.
"""

from django.db.models import Prefetch
from django.utils import timezone

from buildingparty import dashboard
from buildingparty.models import Role

from ..models import Enterprise
from .models import FollowUp, SurveyLead, SurveyVisit
from .selectors import (
    INCOMPLETE,
    NOT_VISITED,
    EnterpriseProgress,
    active_campaign,
    campaigns_overview,
    liaison_tally,
    overdue_follow_ups,
    progress_queryset,
    progress_rows,
)

PANEL_ROWS = 8


@dashboard.register(template="survey/panels/liaison.html", roles={Role.LIAISON}, order=5, cached_by="user")
def liaison_survey(request):
    """The first few enterprises still to visit and still incomplete; the campaign's page lists them all."""
    campaign = active_campaign(request.user)
    if campaign is None:
        return None
    progress = liaison_tally(campaign, request.user)
    to_visit, incomplete = [], []
    if progress.not_visited:
        to_visit = progress_queryset(campaign, liaison=request.user, state=NOT_VISITED)[:PANEL_ROWS]
    if progress.incomplete:
        incomplete = progress_queryset(campaign, liaison=request.user, state=INCOMPLETE)[:PANEL_ROWS]
    return {
        "campaign": campaign,
        "progress": progress,
        "to_visit": [EnterpriseProgress(enterprise) for enterprise in to_visit],
        "to_visit_more": max(progress.not_visited - PANEL_ROWS, 0),
        "incomplete": progress_rows(campaign, incomplete),
        "incomplete_more": max(progress.incomplete - PANEL_ROWS, 0),
    }


@dashboard.register(
    template="survey/panels/leads.html", roles={Role.ADMIN, Role.SECRETARY}, order=25, cached_by="scope"
)
def survey_work(request):
    """Open leads, overdue follow-ups and the campaign's progress: plain data, the panel is cached (data_cache)."""
    user, today = request.user, timezone.localdate()
    leads_open = SurveyLead.objects.for_user(user).filter(status=SurveyLead.Status.OPEN).count()
    overdue = overdue_follow_ups(FollowUp.objects.filter(visit__in=SurveyVisit.objects.for_user(user)), today)
    overdue_count = overdue.count()
    campaign = active_campaign(user)
    if not (leads_open or overdue_count or campaign):
        return None
    rows = []
    if overdue_count:
        listed = overdue.select_related("visit", "assigned_to").order_by("due_on", "pk")[:PANEL_ROWS]
        rows = list(listed.prefetch_related(Prefetch("visit__enterprise", Enterprise.objects.only("name"))))
    tally = campaigns_overview([campaign])[campaign.pk] if campaign else None
    return {
        "leads_open": leads_open,
        "overdue_count": overdue_count,
        "overdue": [
            {
                "url": fu.visit.get_absolute_url(),
                "enterprise": fu.visit.enterprise.name,
                "action": fu.action,
                "due_on": fu.due_on,
                "assigned_to": str(fu.assigned_to) if fu.assigned_to else "",
            }
            for fu in rows
        ],
        "campaign": {"name": campaign.name, "url": campaign.get_absolute_url()} if campaign else None,
        "overview": {
            name: getattr(tally, name)
            for name in ("total", "visited", "complete", "incomplete", "visited_percent", "complete_percent")
            + ("incomplete_percent",)
        }
        if tally
        else None,
    }
