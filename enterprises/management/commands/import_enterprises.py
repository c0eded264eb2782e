from django.core.management.base import CommandError

from buildingparty.imports import ImportCommand
from buildingparty.models import Building
from enterprises.register import apply_import, can_import, plan_import


class Command(ImportCommand):
    help = (
        "Import enterprises from an xlsx or CSV register (the columns of the export). Every row is checked "
        "first; nothing is written unless every row is valid. Existing enterprises are matched by credit code "
        "and updated. The import is into the --user admin's building, or into the only building there is."
    )
    user_help = "import as this building admin, into their building"

    def may_import(self, user) -> bool:
        return can_import(user)

    def plan(self, *, source, user):
        building = None
        if user is None:
            buildings = list(Building.objects.all()[:2])
            if len(buildings) != 1:
                raise CommandError("name the admin of the building to import into with --user")
            building = buildings[0]
        return plan_import(source=source, user=user, building=building)

    def apply(self, *, plan, user, source_name):
        return apply_import(plan=plan, user=user, source_name=source_name, command_line=True)
