"""Home-page panels (see buildingparty/dashboard.py): a party member's next shifts; for whoever decides swaps (a
team's leader, the building's admins), the swap requests waiting."""

from buildingparty import dashboard
from buildingparty.models import Role
from members.models import Member

from . import selectors

NEXT_SHIFTS = 3
SWAPS_SHOWN = 5


# Cached per member; a shift leaves the list when it ends: kept a minute at most.
@dashboard.register(template="duty/_panel_shifts.html", roles={Role.MEMBER}, order=16, cached_by="user", timeout=60)
def my_next_shifts(request):
    member = Member.objects.filter(user=request.user).first()
    if member is None or not selectors.own_places(member).filter(is_active=True).exists():
        return None
    return {"assignments": list(selectors.upcoming_for(member)[:NEXT_SHIFTS])}


# Per user: a member sees the swaps of the teams she leads.
@dashboard.register(template="duty/_panel_swaps.html", roles={Role.MEMBER, Role.ADMIN}, order=16, cached_by="user")
def swaps_waiting(request):
    waiting = selectors.waiting_swaps(selectors.teams_run_by(request.user).values("pk"))
    swaps = list(waiting[: SWAPS_SHOWN + 1])
    if not swaps:
        return None
    return {"swaps": swaps[:SWAPS_SHOWN], "more": len(swaps) > SWAPS_SHOWN}
