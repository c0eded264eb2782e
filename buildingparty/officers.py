"""Who is told about things of an organisation: one answer for every reminder and notification."""

from collections import defaultdict

from .models import PartyOrganization, Role, User


class Officers:
    """Who is told about things of some organisations: the active secretaries who reach them, or, where no
    secretary does, the building's admins, so that no reminder goes unread.

    A secretary reaches their organisation and everything below it (``buildingparty.scope.in_reach``); the tree
    is at most three levels deep, so a thing's organisation, its parent and its grandparent are all there is.
    Three queries for any number of things.
    """

    def __init__(self, organization_ids):
        ids = {pk for pk in organization_ids if pk is not None}
        rows = PartyOrganization.objects.filter(pk__in=ids).values_list(
            "pk", "parent_id", "parent__parent_id", "building_id"
        )
        self._above = {pk: {pk, parent, grandparent} - {None} for pk, parent, grandparent, _b in rows}
        self._building = {pk: building for pk, _p, _g, building in rows}
        self._secretaries = defaultdict(list)
        reach = set().union(*self._above.values())
        for user in User.objects.filter(role=Role.SECRETARY, is_active=True, organization_id__in=reach).order_by("pk"):
            self._secretaries[user.organization_id].append(user)
        self._admins = defaultdict(list)
        buildings = set(self._building.values())
        for user in User.objects.filter(role=Role.ADMIN, is_active=True, building_id__in=buildings).order_by("pk"):
            self._admins[user.building_id].append(user)

    def of(self, *organization_ids) -> list:
        ids = [pk for pk in organization_ids if pk in self._above]
        secretaries = {u.pk: u for pk in ids for above in self._above[pk] for u in self._secretaries[above]}
        if secretaries:
            return list(secretaries.values())
        admins = {u.pk: u for pk in ids for u in self._admins[self._building[pk]]}
        return list(admins.values())


def officers_of(*organization_ids) -> list:
    """The active secretaries reaching these organisations, else the building's admins (three queries)."""
    return Officers(organization_ids).of(*organization_ids)
