"""Home-page panels from the enterprise registry: counts from aggregate queries, lists cut at ``PANEL_ROWS``."""

from django.db.models import Count, Q

from buildingparty import dashboard
from buildingparty.models import Role

from .models import Enterprise
from .selectors import coverage_report, organizations_of, with_member_counts

PANEL_ROWS = 8


@dashboard.register(
    template="enterprises/panels/overview.html", roles={Role.ADMIN, Role.STREET}, order=20, cached_by="scope"
)
def enterprise_overview(request):
    counts = Enterprise.objects.for_user(request.user).aggregate(
        total=Count("pk", filter=Q(status=Enterprise.Status.ACTIVE)),
        companies=Count("pk", filter=Q(status=Enterprise.Status.ACTIVE, kind=Enterprise.Kind.COMPANY)),
        social=Count("pk", filter=Q(status=Enterprise.Status.ACTIVE, kind=Enterprise.Kind.SOCIAL_ORG)),
        moved_out=Count("pk", filter=Q(status=Enterprise.Status.MOVED_OUT)),
    )
    return {"counts": counts}


@dashboard.register(template="enterprises/panels/assigned.html", roles={Role.LIAISON}, order=10, cached_by="user")
def assigned_enterprises(request):
    """The first ``PANEL_ROWS`` of the liaison's enterprises in the building and how many there are; the
    registry's list (in the same order, the same members counted) pages through them all."""
    enterprises = Enterprise.objects.for_user(request.user).filter(status=Enterprise.Status.ACTIVE)
    count = enterprises.count()
    shown = with_member_counts(enterprises).order_by("floor", "room", "pk")[:PANEL_ROWS] if count else []
    return {"enterprises": shown, "count": count, "more": max(count - PANEL_ROWS, 0)}


@dashboard.register(template="enterprises/panels/own.html", roles={Role.CONTACT}, order=10, cached_by="user")
def own_enterprise(request):
    enterprise = (
        Enterprise.objects.for_user(request.user)
        .annotate(member_count=Count("members"))
        .select_related("liaison")
        .first()
    )
    return {"enterprise": enterprise}


@dashboard.register(template="enterprises/panels/coverage.html", roles={Role.ADMIN}, order=25, cached_by="scope")
def coverage_summary(request):
    """The coverage report's headline numbers (plain numbers: the panel is cached, see data_cache)."""
    enterprises = Enterprise.objects.for_user(request.user)
    report = coverage_report(enterprises, organizations_of(enterprises))
    return {
        "report": {
            "total": report.total,
            "organisation_covered": report.organisation_covered,
            "work_covered": report.work.covered,
            "should_form_branch": len(report.should_form_branch),
            "members_without_organization": len(report.members_without_organization),
            "oversized_joint_branches": len(report.oversized_joint_branches),
        }
    }
