"""Home-page panels (see buildingparty/dashboard.py): terms ending within six months or past due."""

from django.utils import timezone

from buildingparty import dashboard
from buildingparty.models import Role

from . import selectors
from .models import CommitteeTerm

PANEL_ROWS = 5


@dashboard.register(template="committees/_panel_due.html", roles={Role.ADMIN}, order=18, cached_by="scope")
def terms_due(request):
    """The building's terms falling due, the soonest first; hidden when none."""
    today = timezone.localdate()
    due = selectors.due_terms(request.user, today).prefetch_related(None)
    terms = list(due[:PANEL_ROWS])
    if not terms:
        return None
    for term in terms:
        term.standing_now = term.standing(today)
    return {
        "terms": terms,
        "count": len(terms) if len(terms) < PANEL_ROWS else due.count(),
        "overdue": any(t.standing_now == "overdue" for t in terms),
    }


@dashboard.register(template="committees/_panel_own.html", roles={Role.SECRETARY}, order=18, cached_by="scope")
def own_term_due(request):
    """The secretary's own branch: its term, when it ends within six months or is past due."""
    today = timezone.localdate()
    term = (
        CommitteeTerm.objects.current()
        .filter(organization_id=request.user.organization_id)
        .select_related("organization")
        .first()
    )
    if term is None or term.standing(today) not in ("due_soon", "overdue"):
        return None
    term.standing_now = term.standing(today)
    term.days = term.days_left(today)
    term.days_over = -term.days
    return {"term": term}
