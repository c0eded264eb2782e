from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from buildingparty import backup


class Command(BaseCommand):
    help = (
        "Back up the database and the private media files into one archive (a .tar with manifest.json): "
        "PostgreSQL with pg_dump --format=custom, SQLite with its online backup API. Encrypted columns stay "
        "encrypted; the encryption keys are not in the archive and must be backed up separately."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "archive",
            nargs="?",
            help="the archive to write (default: var/backups/buildingparty-YYYYmmdd-HHMMSS.tar)",
        )
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, archive, database, **options):
        if archive is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            archive = Path(settings.VAR_DIR) / "backups" / f"buildingparty-{stamp}.tar"
        try:
            manifest = backup.create_backup(archive=Path(archive), alias=database, media_root=settings.MEDIA_ROOT)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{archive}（{len(manifest['rows'])} 张表 {rows} 行，{len(manifest['media'])} 个文件）"
            )
        )
