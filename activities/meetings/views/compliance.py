"""The compliance table (三会一课落实情况) and the building's settings for it.

Admins see their building's branches, secretaries their own branch, street viewers any one building (read only:
no links to plan a meeting). Members and other roles: 403. The table is ``compliance.grid``.
"""

from django.contrib import messages
from django.db.models import Min
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from buildingparty.models import Building, PartyOrganization, Role
from buildingparty.scope import role_required

from ..compliance import grid as compliance_grid
from ..forms import ComplianceSettingsForm
from ..models import ComplianceSettings, Meeting

READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)
PLANNERS = (Role.ADMIN, Role.SECRETARY)
FIRST_YEAR = 2000


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _years(meetings, today) -> list[int]:
    """The years the chooser offers: from the first meeting's (at least last year) to next year, newest first."""
    first = meetings.aggregate(first=Min("starts_at"))["first"]
    start = min(timezone.localtime(first).year if first else today.year, today.year - 1)
    return list(range(today.year + 1, max(start, FIRST_YEAR) - 1, -1))


@require_GET
@role_required(*READERS)
def compliance(request):
    """One table per period kind (every month, quarter, half-year, year) with a row per branch, and each
    branch's 本年度应开 / 已开 for the year."""
    user = request.user
    today = timezone.localdate()
    meetings = Meeting.objects.for_user(user)
    years = _years(meetings, today)
    year = _int(request.GET.get("year"))
    if year not in years:
        year = today.year
    organizations = PartyOrganization.objects.for_user(user)
    buildings = None
    if user.role == Role.STREET:
        # Every building, one at a time: the table stays one building's size.
        buildings = list(Building.objects.order_by("name"))
        chosen = _int(request.GET.get("building"))
        building = next((b for b in buildings if b.pk == chosen), buildings[0] if buildings else None)
        organizations = organizations.filter(building=building) if building else organizations.none()
    else:
        building = user.building
    table = compliance_grid(organizations=organizations, year=year, today=today, meetings=meetings)
    setting = table.settings.get(building.pk) if building else None
    return render(
        request,
        "meetings/compliance.html",
        {
            "grid": table,
            "year": year,
            "years": years,
            "building": building,
            "buildings": buildings,
            "setting": setting or ComplianceSettings(building=building),
            "can_plan": user.role in PLANNERS,
            "can_configure": user.role == Role.ADMIN,
        },
    )


@role_required(Role.ADMIN)
def compliance_settings(request):
    """The building's 党课 frequency and 主题党日 day: GET shows the form, POST saves it."""
    building = request.user.building
    if building is None:
        raise Http404
    instance = ComplianceSettings.objects.filter(building=building).first() or ComplianceSettings(building=building)
    form = ComplianceSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The organisational life settings are saved."))
        return redirect("meetings:compliance")
    return render(request, "meetings/settings.html", {"form": form, "building": building})
