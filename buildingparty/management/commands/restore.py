from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from buildingparty import backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup` into an EMPTY database (a database with any row is "
        "refused) and put its media files back; then check every table's row count and every file's SHA-256 "
        "against the archive's manifest and report. Run `manage.py migrate` afterwards if the code is newer."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive written by manage.py backup")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, archive, database, **options):
        connection = connections[database]
        connection.close()  # the restore works on its own connections; Django's must not hold the database
        try:
            report = backup.restore_backup(
                archive=Path(archive), database=connection.settings_dict, media_root=settings.MEDIA_ROOT
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = report.manifest
        self.stdout.write(f"备份时间：{manifest['created_at']}")
        self.stdout.write(f"已恢复：{report.tables} 张表 {report.rows} 行，{report.files} 个文件")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"恢复后核对发现 {len(report.problems)} 处与备份不符")
        self.stdout.write(self.style.SUCCESS("核对一致：每张表的行数和每个文件的 SHA-256 都与备份相同"))
        code = dict(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
        newer = sorted(app for app, name in code.items() if manifest["migrations"].get(app) != name)
        if newer:
            self.stdout.write(f"代码中的迁移比备份新（{', '.join(newer)}）：请运行 manage.py migrate")
