"""Home-page panels from the member register."""
from buildingparty import dashboard
from buildingparty.models import PartyOrganization, Role

from .models import Member
from .selectors import member_counts


@dashboard.register(template="members/panels/overview.html", roles={Role.ADMIN, Role.STREET}, order=10)
def building_overview(request):
    members = Member.objects.for_user(request.user)
    organizations = PartyOrganization.objects.for_user(request.user)
    by_org = member_counts_by_organization(members)
    return {"counts": member_counts(members), "organization_count": organizations.count(), "by_org": by_org}


def member_counts_by_organization(members):
    from django.db.models import Count

    return list(members.values("organization__name").annotate(n=Count("pk")).order_by("organization__name"))


@dashboard.register(template="members/panels/branch.html", roles={Role.SECRETARY}, order=10)
def my_branch(request):
    members = Member.objects.for_user(request.user)
    return {"organization": request.user.organization, "counts": member_counts(members),
            "lost": members.filter(lost_contact_since__isnull=False).order_by("lost_contact_since")[:5],
            "mobile": members.filter(is_mobile=True).order_by("name")[:5]}


@dashboard.register(template="members/panels/own_record.html", roles={Role.MEMBER}, order=10)
def own_record(request):
    member = Member.objects.filter(user=request.user).select_related("organization", "enterprise").first()
    return {"member": member}
