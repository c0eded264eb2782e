"""The ground floor's own home-page panel: is the machinery alive."""

from . import dashboard
from .models import Role
from .selectors import last_heartbeat


@dashboard.register(template="buildingparty/panels/system.html", roles={Role.ADMIN}, order=90)
def system_status(request):
    return {"heartbeat": last_heartbeat()}
