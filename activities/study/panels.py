"""Home-page panels (see buildingparty/dashboard.py): a member's study hours this year, and for a secretary how
many of her members are behind."""

from django.utils import timezone

from buildingparty import dashboard
from buildingparty.models import Role
from buildingparty.scope import organization_ids
from members.models import Member

from . import selectors


@dashboard.register(template="study/_panel_member.html", roles={Role.MEMBER}, order=13, cached_by="user")
def my_study_hours(request):
    """本年度学时 18 / 32."""
    member = Member.objects.filter(user=request.user).only("pk", "organization_id").first()
    if member is None:
        return None
    year = timezone.localdate().year
    return {"year": year, "standing": selectors.standings([member], year)[0]}


@dashboard.register(template="study/_panel_secretary.html", roles={Role.SECRETARY}, order=19, cached_by="scope")
def members_behind(request):
    """How many of the branch's members are behind with their study hours this year."""
    ids = organization_ids(request.user)
    if not ids:
        return None
    year = timezone.localdate().year
    behind, members = selectors.behind_count(ids, year)
    if not members:
        return None
    return {"year": year, "behind": behind, "members": members}
