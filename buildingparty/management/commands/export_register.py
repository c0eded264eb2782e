from django.core.management.base import BaseCommand, CommandError

from buildingparty import registers
from buildingparty.models import User


class Command(BaseCommand):
    help = (
        "Export a register (members, enterprises, services, funds, dues) to an xlsx or CSV file. Without --user "
        "it exports everything; with --user it exports what that user may see; --filter narrows the rows of "
        "registers that take filters. Every export is recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the register, e.g. members")
        parser.add_argument("--format", dest="fmt", choices=registers.FORMATS, default="xlsx")
        parser.add_argument("--output", required=True, metavar="FILE", help="where to write the file")
        parser.add_argument("--user", metavar="USERNAME", help="export with this user's scope and rights")
        parser.add_argument(
            "--full-ids", action="store_true", help="write full ID numbers (with --user: only if that user may)"
        )
        parser.add_argument(
            "--filter",
            dest="filters",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="narrow the rows, for registers that take filters (e.g. dues: year=2026, month=3, branch=NAME)",
        )

    def handle(self, *args, name, fmt, output, user, full_ids, filters, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {user!r}")
        try:
            register = registers.get(name, user=actor)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if actor is not None:
            if not register.may_export(actor):
                raise CommandError(f"{actor.username} may not export the {name} register")
            if full_ids and not register.may_export_full(actor):
                raise CommandError(f"{actor.username} may not export full ID numbers")

        chosen = {}
        for item in filters:
            key, equals, value = item.partition("=")
            if not equals:
                raise CommandError(f"write a filter as KEY=VALUE, not {item!r}")
            chosen[key.strip()] = value.strip()
        objects = register.objects(actor)
        if chosen:
            narrow = register.options.get("filter")
            if narrow is None:
                raise CommandError(f"the {name} register takes no filters")
            try:
                objects = narrow(objects, chosen)
            except ValueError as error:
                raise CommandError(str(error)) from None
        count = registers.write_file(register, objects, fmt, output, full=full_ids)
        registers.record_export(
            register, actor=actor, fmt=fmt, row_count=count, full=full_ids, filters=chosen, command_line=True
        )
        self.stdout.write(self.style.SUCCESS(f"{register.title}: {count} 行 → {output}"))
