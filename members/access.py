"""Who may do what to a member record in scope. Out of scope never reaches here: views fetch with for_user.

Read access is ``Member.objects.for_user``; these answer the write questions (403 when False).
"""

from buildingparty.models import Role
from buildingparty.scope import in_reach

# The roles that manage members (their branch's, or the building's): records, dues, points.
MANAGERS = (Role.ADMIN, Role.SECRETARY)


def can_edit(user, member) -> bool:
    """Admins edit any member of their building, secretaries those of their branch and its groups."""
    if user.role == Role.ADMIN and user.is_active and member.organization_id and _organization_read(member):
        # ``in_reach``'s question, answered from the branch already read with the member (no query).
        return member.organization.building_id == user.building_id
    return user.role in (Role.ADMIN, Role.SECRETARY) and in_reach(user, member.organization_id)


def _organization_read(member) -> bool:
    return type(member)._meta.get_field("organization").is_cached(member)


def can_add_to(user, organization) -> bool:
    return organization is not None and user.role in (Role.ADMIN, Role.SECRETARY) and in_reach(user, organization.pk)


def can_reveal_id(user, member) -> bool:
    """The full ID number: the building admin, and the member's own secretary, nobody else."""
    return can_edit(user, member)


def can_manage_transfers(user, member) -> bool:
    """May issue a letter for this member: whoever may edit the member."""
    return can_edit(user, member)


def can_manage_transfer(user, transfer) -> bool:
    """May record the steps of this letter: the member's branch, and for a move inside the building the
    receiving branch too (the member reports there; its secretary records it)."""
    if user.role not in (Role.ADMIN, Role.SECRETARY):
        return False
    return any(
        in_reach(user, org_id)
        for org_id in (transfer.member.organization_id, transfer.from_organization_id, transfer.to_organization_id)
        if org_id
    )


def can_export(user) -> bool:
    return user.role in (Role.ADMIN, Role.SECRETARY, Role.STREET)


def can_export_full_ids(user) -> bool:
    return user.role == Role.ADMIN


def can_import(user) -> bool:
    return user.role in (Role.ADMIN, Role.SECRETARY)


def is_own_record(user, member) -> bool:
    return member.user_id is not None and member.user_id == user.pk
