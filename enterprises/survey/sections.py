"""What the survey adds to an enterprise's page (see enterprises/sections.py): its visits with their open
follow-ups, and a button to record a visit in the campaign under way."""

from enterprises import sections
from enterprises.models import Enterprise

from .selectors import active_campaign, visits_with_open_follow_ups


@sections.action(template="survey/_enterprise_visit_button.html", order=10)
def record_visit(request, enterprise, page):
    """For whoever may edit the enterprise, while it is in the building and a campaign is under way."""
    if not page["can_edit"] or enterprise.status != Enterprise.Status.ACTIVE:
        return None
    campaign = active_campaign(request.user)
    if campaign is None:
        return None
    return {"campaign": campaign, "enterprise": enterprise}


@sections.section(template="survey/_enterprise_visits.html", order=10)
def visits(request, enterprise, page):
    """Every visit the user may see, newest first, and the follow-ups still open, soonest due first."""
    rows = visits_with_open_follow_ups(enterprise, request.user)
    return {
        "visits": rows,
        "open_follow_ups": sorted((f for v in rows for f in v.open_follow_ups), key=lambda f: f.due_on),
        "today": page["today"],
    }
