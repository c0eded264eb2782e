from buildingparty.imports import ImportCommand
from members import access
from members.register import apply_import, plan_import


class Command(ImportCommand):
    help = (
        "Import party members from an xlsx or CSV register (the columns of the export). Every row is "
        "checked first; nothing is written unless every row is valid. Existing members are matched by ID "
        "number and updated. With --user the import is limited to that user's branches."
    )
    user_help = "import as this user, within their branches"

    def may_import(self, user) -> bool:
        return access.can_import(user)

    def plan(self, *, source, user):
        return plan_import(source=source, user=user)

    def apply(self, *, plan, user, source_name):
        return apply_import(plan=plan, user=user, source_name=source_name, command_line=True)
