"""Home-page panels (see buildingparty/dashboard.py): a member's total and rank, the claims waiting."""

from buildingparty import dashboard
from buildingparty.models import Role
from members.models import Member
from members.points import selectors

PANEL_ROWS = 5


@dashboard.register(template="points/_panel_member.html", roles={Role.MEMBER}, order=12, cached_by="user")
def my_points(request):
    member = Member.objects.filter(user=request.user).select_related("organization", "organization__parent").first()
    if member is None:
        return None
    year = selectors.current_year()
    rank = selectors.member_rank(member, year)
    return {"year": year, **rank, "branch": str(rank["branch"])}  # plain data: the panel is cached


@dashboard.register(
    template="points/_panel_claims.html", roles={Role.SECRETARY, Role.ADMIN}, order=16, cached_by="scope"
)
def claims_waiting(request):
    pending = selectors.pending_claims(request.user)
    claims = list(pending[:PANEL_ROWS])
    if not claims:
        return None
    return {"claims": claims, "count": len(claims) if len(claims) < PANEL_ROWS else pending.count()}
