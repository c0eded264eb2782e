"""The compliance table (三会一课落实情况) and the building's settings for it.

Admins see their building's branches, secretaries their own branch, street viewers any one building (read only:
no links to plan a meeting). Members and other roles: 403. The table is ``compliance.grid``.
"""

from django.contrib import messages
from django.db.models import Min
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from buildingparty import data_cache
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
    branch's 本年度应开 / 已开 for the year.

    The content is kept whole, as HTML, with the year it shows (the page's title needs it), under the viewer's
    scope (all ``for_user``, the building and the links look at for these three roles), the query, the language
    and the day, until a table it was read from changes (``data_cache.page_with``)."""
    body, kept = data_cache.page_with(
        request,
        "meetings:compliance",
        "meetings/_compliance_body.html",
        lambda: _compliance(request),
        keep=("year",),
        by="scope",
    )
    return render(request, "meetings/compliance.html", {"body": body, "year": kept["year"]})


def _compliance(request) -> dict:
    """The content's context: everything it shows, nothing of the viewer (``data_cache.render``)."""
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
    _draw_cells(table, can_plan=user.role in PLANNERS)
    setting = table.settings.get(building.pk) if building else None
    context = {
        "grid": table,
        "year": year,
        "years": years,
        "building": building,
        "buildings": buildings,
        "setting": setting or ComplianceSettings(building=building),
        "can_plan": user.role in PLANNERS,
        "can_configure": user.role == Role.ADMIN,
    }
    return context


_CELL_CLASSES = {"green": "table-success", "amber": "table-warning", "red": "table-danger", "future": "table-light"}


def _draw_cells(table, *, can_plan: bool) -> None:
    """Each cell's ``<td>`` written out once in Python (``cell.html``): a building's table has some ninety cells,
    and a template included per cell cost most of the page. The cell's state is in words (✓ / 计划中 / 缺 + names),
    not in colour alone; the missing meetings link to planning them for those who may plan."""
    texts = {
        "none": format_html('<span class="text-body-secondary" title="{}">—</span>', _("Not yet founded then")),
        "green": format_html(
            '<span class="fw-semibold" aria-hidden="true">✓</span><span class="visually-hidden">{}</span>',
            _("all held"),
        ),
        "future": format_html('<span class="text-body-secondary">{}</span>', _("Not yet due")),
        "no_quorum": format_html(
            '<span class="text-danger" title="{0}" data-testid="no-quorum"><i class="bi bi-exclamation-triangle-fill"'
            ' aria-hidden="true"></i><span class="visually-hidden">{0}</span></span>',
            _(
                "The branch general meeting was held without a quorum: not more than half of the members with a "
                "vote were present."
            ),
        ),
    }
    missing_word, planned_word = _("Missing"), _("Planned")
    create_url = reverse("meetings:create")

    def missing(item):
        if not can_plan:
            return format_html('<span class="text-nowrap fw-normal">{}</span>', item.label)
        return format_html(
            '<span class="text-nowrap fw-normal"><a href="{}?organization={}&amp;kind={}" title="{}" data-plan>{}</a>'
            "</span>",
            create_url,
            item.organization_id,
            item.kind,
            _("Plan a %(what)s") % {"what": item.label},
            item.label,
        )

    for section in table.sections:
        for _row, cells in section.rows:
            for cell in cells:
                state = cell.state
                if state in ("none", "green"):
                    body = texts[state]
                else:
                    parts = [texts["future"]] if state == "future" else []
                    items = cell.missing
                    if state != "future" and items:
                        parts.append(
                            format_html(
                                '<div class="fw-semibold" data-testid="missing">{}：{}</div>',
                                missing_word,
                                mark_safe("、".join(missing(item) for item in items)),  # noqa: S308 -- escaped above  # nosec B308 B703
                            )
                        )
                    items = cell.planned
                    if items:
                        parts.append(
                            format_html(
                                '<div data-testid="planned">{}：{}</div>',
                                planned_word,
                                format_html_join(
                                    "、", '<span class="text-nowrap">{}</span>', ((item.label,) for item in items)
                                ),
                            )
                        )
                    items = cell.held
                    if items:
                        labels = "、".join(str(item.label) for item in items)
                        parts.append(
                            format_html(
                                '<div class="text-body-secondary text-nowrap" title="{}">✓ {}'
                                '<span class="visually-hidden">：{}</span></div>',
                                labels,
                                ngettext("%(n)s held", "%(n)s held", len(items)) % {"n": len(items)},
                                labels,
                            )
                        )
                    body = mark_safe("".join(parts))  # noqa: S308 -- each part escaped by format_html  # nosec B308 B703
                cell.html = format_html(
                    '<td class="{}" data-state="{}" data-period="{}-{}">{}{}</td>',
                    _CELL_CLASSES.get(state, ""),
                    state,
                    cell.period_kind,
                    cell.index,
                    body,
                    texts["no_quorum"] if cell.no_quorum else "",
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
