"""Home-page panels from the building survey (调查摸底).

A liaison sees how far the campaign under way has got over the enterprises they look after, and which are
still to visit; admins and secretaries see the leads waiting for them and the follow-ups past due.
"""

from django.utils import timezone

from buildingparty import dashboard
from buildingparty.models import Role

from .models import FollowUp, SurveyLead, SurveyVisit
from .selectors import (
    INCOMPLETE,
    NOT_VISITED,
    active_campaign,
    campaign_progress,
    campaigns_overview,
    overdue_follow_ups,
)

PANEL_ROWS = 8


@dashboard.register(template="survey/panels/liaison.html", roles={Role.LIAISON}, order=5)
def liaison_survey(request):
    campaign = active_campaign(request.user)
    if campaign is None:
        return None
    progress = campaign_progress(campaign, liaison=request.user)
    to_visit = [r for r in progress.rows if r.state == NOT_VISITED]
    incomplete = [r for r in progress.rows if r.state == INCOMPLETE]
    return {
        "campaign": campaign,
        "progress": progress,
        "to_visit": to_visit[:PANEL_ROWS],
        "to_visit_more": max(len(to_visit) - PANEL_ROWS, 0),
        "incomplete": incomplete[:PANEL_ROWS],
    }


@dashboard.register(template="survey/panels/leads.html", roles={Role.ADMIN, Role.SECRETARY}, order=25)
def survey_work(request):
    user, today = request.user, timezone.localdate()
    leads_open = SurveyLead.objects.for_user(user).filter(status=SurveyLead.Status.OPEN).count()
    overdue = overdue_follow_ups(FollowUp.objects.filter(visit__in=SurveyVisit.objects.for_user(user)), today)
    overdue_count = overdue.count()
    campaign = active_campaign(user)
    if not (leads_open or overdue_count or campaign):
        return None
    return {
        "leads_open": leads_open,
        "overdue_count": overdue_count,
        "overdue": overdue.select_related("visit__enterprise", "assigned_to").order_by("due_on", "pk")[:PANEL_ROWS],
        "campaign": campaign,
        "overview": campaigns_overview([campaign])[campaign.pk] if campaign else None,
    }
