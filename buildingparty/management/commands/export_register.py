from django.core.management.base import BaseCommand, CommandError

from buildingparty import registers
from buildingparty.models import User


class Command(BaseCommand):
    help = (
        "Export a register (members now; enterprises, services and dues as they arrive) to an xlsx or CSV "
        "file. Without --user it exports everything; with --user it exports what that user may see. Every "
        "export is recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the register, e.g. members")
        parser.add_argument("--format", dest="fmt", choices=registers.FORMATS, default="xlsx")
        parser.add_argument("--output", required=True, metavar="FILE", help="where to write the file")
        parser.add_argument("--user", metavar="USERNAME", help="export with this user's scope and rights")
        parser.add_argument(
            "--full-ids", action="store_true", help="write full ID numbers (with --user: only if that user may)"
        )

    def handle(self, *args, name, fmt, output, user, full_ids, **options):
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

        count = registers.write_file(register, register.objects(actor), fmt, output, full=full_ids)
        registers.record_export(register, actor=actor, fmt=fmt, row_count=count, full=full_ids, command_line=True)
        self.stdout.write(self.style.SUCCESS(f"{register.title}: {count} 行 → {output}"))
