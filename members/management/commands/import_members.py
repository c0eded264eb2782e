from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from buildingparty.models import User
from members import access
from members.register import NEW, UNCHANGED, UPDATE, apply_import, plan_import


class Command(BaseCommand):
    help = (
        "Import party members from an xlsx or CSV register (the columns of the export). Every row is "
        "checked first; nothing is written unless every row is valid. Existing members are matched by ID "
        "number and updated. With --user the import is limited to that user's branches."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
        parser.add_argument("--user", metavar="USERNAME", help="import as this user, within their branches")

    def handle(self, *args, file, dry_run, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {user!r}")
            if not access.can_import(actor):
                raise CommandError(f"{actor.username} may not import members")

        plan = plan_import(source=path, user=actor)
        for row in plan.rows:
            if row.kind:
                self.stdout.write(
                    f"第 {row.number} 行  {row.kind:<9}  {row.name}"
                    + (f"  ({'、'.join(row.changed)})" if row.changed else "")
                )
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(plan.errors)} 处错误，未导入任何数据。")

        counts = plan.counts
        summary = f"新增 {counts[NEW]}，更新 {counts[UPDATE]}，无变化 {counts[UNCHANGED]}"
        if dry_run:
            self.stdout.write(self.style.WARNING(f"试运行（未写入）：{summary}"))
            return
        apply_import(plan=plan, user=actor, source_name=path.name, command_line=True)
        self.stdout.write(self.style.SUCCESS(f"已导入：{summary}"))
