"""Home-page panels (see buildingparty/dashboard.py): a member's next meetings; for secretaries and admins, the
meetings the rules require that are still to be held this month and quarter."""

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from buildingparty import dashboard
from buildingparty.models import PartyOrganization, Role
from members.models import Member

from . import compliance, selectors
from .models import Meeting

NEXT_MEETINGS = 3


# Cached per member; a meeting leaves the list when it begins: kept a minute at most.
@dashboard.register(template="meetings/_panel_member.html", roles={Role.MEMBER}, order=14, cached_by="user", timeout=60)
def my_next_meetings(request):
    member = Member.objects.filter(user=request.user).first()
    if member is None:
        return None
    return {"attendances": list(selectors.upcoming_for(member)[:NEXT_MEETINGS])}


# --- secretaries and admins: what is due now (compliance.py) ------------------------------------------------

DUE_TITLES = {
    compliance.MONTH: _("This month ({period})"),
    compliance.QUARTER: _("This quarter ({period})"),
    compliance.HALF_YEAR: _("This half-year ({period})"),
    compliance.YEAR: _("This year"),  # a year is one period: no name to add
}


@dashboard.register(template="meetings/panel_due.html", roles={Role.SECRETARY, Role.ADMIN}, order=14, cached_by="scope")
def meetings_due(request):
    """A secretary: her branch's meetings of this month and quarter (and of the half-year and year while some
    are still to be planned), ticked when held, with a link to plan each one missing. An admin (or a secretary of
    several branches): how many branches have something missing this month or quarter."""
    user = request.user
    today = timezone.localdate()
    table = compliance.grid(
        organizations=PartyOrganization.objects.for_user(user),
        year=today.year,
        today=today,
        meetings=Meeting.objects.for_user(user),
    )
    if not table.rows:
        return None
    quarter = compliance.period_label(compliance.QUARTER, compliance.quarter_of(today.month))
    if user.role == Role.ADMIN or len(table.rows) > 1:
        return {
            "summary": True,
            "behind": sum(1 for row in table.rows if row.outstanding()),
            "total": len(table.rows),
            "quarter": quarter,
        }
    row = table.rows[0]
    periods = []
    for period_kind, title in DUE_TITLES.items():
        cell = row.current(period_kind)
        if cell is None or not cell.items:
            continue
        if period_kind in (compliance.HALF_YEAR, compliance.YEAR) and not cell.missing:
            continue  # the longer periods only while something is still to be planned
        periods.append({"title": format_lazy(title, period=cell.label), "cell": cell})
    return {"summary": False, "organization": row.organization, "periods": periods}
