"""Home-page panel (see buildingparty/dashboard.py): a secretary's home-visit follow-ups overdue and due within a
week: those of the visits her branch made (the ones the reminder job tells her about)."""

from buildingparty import dashboard
from buildingparty.models import Role
from buildingparty.scope import organization_ids

from . import selectors
from .models import HomeVisit


@dashboard.register(template="visits/_panel_follow_ups.html", roles={Role.SECRETARY}, order=21, cached_by="scope")
def follow_ups_due(request):
    """Hidden when nothing is overdue or due within a week. Three queries."""
    ids = organization_ids(request.user)
    if not ids:
        return None
    found = selectors.follow_ups(HomeVisit.objects.filter(organization_id__in=ids))
    if not found["overdue"] and not found["due"]:
        return None
    return found
