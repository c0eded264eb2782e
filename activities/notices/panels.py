"""The home-page panel (see buildingparty/dashboard.py): the pinned notices and those not read yet, for every
role, with how many are unread."""

from buildingparty import dashboard
from buildingparty.models import Role

from . import selectors

PANEL_ROWS = 5
PINNED_ROWS = 3


# Per user (what she has read); a notice scheduled to appear or expire shows within a minute.
@dashboard.register(template="notices/_panel.html", roles=set(Role), order=11, cached_by="user", timeout=60)
def bulletin_board(request):
    """置顶 and 未读 notices: three queries (four when more are unread than the panel lists)."""
    pinned = list(selectors.pinned(request.user)[:PINNED_ROWS])
    # A pinned notice not read yet is listed once, with the pinned ones (in bold).
    shown = {n.pk for n in pinned}
    fetched = list(selectors.unread(request.user)[: PANEL_ROWS + len(shown)])
    unread = [n for n in fetched if n.pk not in shown][:PANEL_ROWS]
    count = len(fetched) if len(fetched) < PANEL_ROWS + len(shown) else selectors.unread(request.user).count()
    return {"pinned": pinned, "unread": unread, "unread_count": count}
