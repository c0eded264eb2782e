"""Home-page panels (see buildingparty/dashboard.py): a member's appraisal still to write, a branch's members
still to grade."""

from buildingparty import dashboard
from buildingparty.models import Role

from . import selectors

PANEL_ROWS = 5


@dashboard.register(template="appraisal/_panel_member.html", roles={Role.MEMBER}, order=14, cached_by="user")
def my_appraisal(request):
    member = selectors.own_member(request.user)
    if member is None:
        return None
    return selectors.pending_for_member(member)


@dashboard.register(
    template="appraisal/_panel_staff.html", roles={Role.SECRETARY, Role.ADMIN}, order=18, cached_by="scope"
)
def rounds_to_grade(request):
    rounds = list(selectors.open_rounds_to_grade(request.user)[:PANEL_ROWS])
    if not rounds:
        return None
    return {"rounds": rounds}
