"""Home-page panel (see buildingparty/dashboard.py): the building's 党员亮相 board, for everybody of the building;
a member also sees whether her own card is on it."""

from buildingparty import dashboard
from buildingparty.models import Role
from members.models import Member

from .models import ShowcaseProfile


@dashboard.register(
    template="showcase/_panel.html",
    roles={Role.ADMIN, Role.SECRETARY, Role.LIAISON, Role.MEMBER, Role.CONTACT},
    order=60,
    cached_by="user",  # whether her own card is on the board
)
def board(request):
    """亮相党员 12 名 · 我的亮相: 已展示."""
    user = request.user
    if not user.building_id:
        return None
    member = Member.objects.filter(user=user).select_related("showcase_profile").first()
    profile = getattr(member, "showcase_profile", None) if member is not None else None
    return {
        "building_id": user.building_id,
        "count": ShowcaseProfile.objects.on_board().in_building(user.building_id).count(),
        "member": member,
        "own_on_board": profile is not None and profile.is_on_board,
        "own_consent": profile is not None and profile.has_consent,
    }
