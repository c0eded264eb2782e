"""Who may do what to an enterprise in scope. Out of scope never reaches here: views fetch with for_user.

Read access is ``Enterprise.objects.for_user``; these answer the other questions (403 when False).
"""

from buildingparty.models import Role

LIST_ROLES = (Role.ADMIN, Role.SECRETARY, Role.STREET, Role.LIAISON)
COVERAGE_ROLES = (Role.ADMIN, Role.SECRETARY, Role.STREET)
# Fields a liaison may not change on the enterprises they look after: who looks after it, its identity, and
# its place in the party organisation (decided by the general branch).
LIAISON_LOCKED_FIELDS = ("liaison", "credit_code", "moved_in_on", "party_org_status", "party_organization", "contacts")


def _is_building_admin(user, enterprise) -> bool:
    return user.role == Role.ADMIN and user.building_id is not None and enterprise.building_id == user.building_id


def can_edit(user, enterprise) -> bool:
    """The building's admins, and the liaison the enterprise is assigned to."""
    if not user.is_authenticated or not user.is_active:
        return False
    if _is_building_admin(user, enterprise):
        return True
    return user.role == Role.LIAISON and enterprise.liaison_id is not None and enterprise.liaison_id == user.pk


def can_create(user) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN and user.building_id is not None


def can_move(user, enterprise) -> bool:
    """Moving out and back in changes the building's registry: admins only."""
    return user.is_authenticated and _is_building_admin(user, enterprise)


def is_restricted_editor(user) -> bool:
    """Liaisons edit a narrower form (``LIAISON_LOCKED_FIELDS`` stay as they are)."""
    return user.role == Role.LIAISON


def can_see_internal(user) -> bool:
    """Survey visits, follow-ups, history, the owner's attitude and internal notes: the people who run the
    registry and the survey. An enterprise's own contact and its employees see its profile only."""
    return user.role in LIST_ROLES


def can_see_member_names(user) -> bool:
    """Names of the members working at an enterprise: those who see members at all (the list is then limited
    further by ``Member.objects.for_user``). Everybody else sees counts only."""
    return user.role in (Role.ADMIN, Role.SECRETARY, Role.STREET)
