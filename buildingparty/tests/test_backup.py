"""Backup and restore (issue 14): the demo backed up and restored into a new, empty database has every table's
rows and every media file's bytes; a database with data is never restored over; ID numbers stay encrypted.

Runs on the configured database: PostgreSQL in CI (pg_dump / pg_restore into a scratch database made next to
the test one), SQLite locally (the online backup API into a temporary file)."""

import contextlib
import io
import subprocess
import tarfile
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from buildingparty import backup, demo

FILES = {
    "evidence/2026/学习心得.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,
    "requests/photo.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048,
    "exports/花名册.xlsx": b"PK\x03\x04" + b"x" * 500,
}


@contextlib.contextmanager
def empty_database(tmp_path):
    """A new, empty database of the test database's kind, as a ``settings.DATABASES`` entry; dropped after."""
    if connection.vendor != "postgresql":
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.sqlite3")}
        return
    import psycopg2

    target = {**connection.settings_dict, "NAME": f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"}
    admin = psycopg2.connect(**backup._pg_params(connection.settings_dict))
    admin.autocommit = True  # CREATE / DROP DATABASE cannot run in a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{target["NAME"]}"')
        try:
            yield target
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')
    finally:
        admin.close()


@pytest.fixture
def files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for name, data in FILES.items():
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return settings.MEDIA_ROOT


@pytest.fixture
def demo_with_files(files):
    demo.run()
    return files


@pytest.mark.django_db(transaction=True)
def test_the_demo_is_never_restored_over_data_and_restored_into_an_empty_database_has_every_row_and_file(
    demo_with_files, tmp_path
):
    archive = tmp_path / "backup.tar"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "备份完成" in out.getvalue()

    manifest = backup.read_manifest(archive)
    live = backup._current_rows(connection.settings_dict)
    assert manifest["rows"] == live and live["members_member"] >= 52  # the demo's members, all in the archive
    hashes = {name: backup._sha256(path) for name, path in backup._media_files(demo_with_files)}
    assert manifest["media"] == hashes and set(FILES) < set(hashes)  # the demo's uploads and ours
    assert manifest["migrations"]["members"] and manifest["database"] in ("postgresql", "sqlite")

    with pytest.raises(CommandError, match="目标数据库不是空的"):  # never over data: not even the same data
        call_command("restore", str(archive), stdout=io.StringIO())

    restored_media = tmp_path / "restored-media"
    with empty_database(tmp_path) as target:
        report = backup.restore_backup(archive=archive, database=target, media_root=restored_media)

        assert report.ok, report.problems
        assert backup._current_rows(target) == live  # every table, row for row
    assert {name: backup._sha256(path) for name, path in backup._media_files(restored_media)} == hashes
    assert {name: (restored_media / name).read_bytes() for name in FILES} == FILES
    assert report.files == len(hashes) and report.rows == sum(live.values())


@pytest.mark.django_db(transaction=True)
def test_a_restored_file_that_differs_from_the_archive_is_reported(files, tmp_path):
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    restored_media = tmp_path / "restored-media"
    with empty_database(tmp_path) as target:
        backup.restore_backup(archive=archive, database=target, media_root=restored_media)
        (restored_media / "requests/photo.png").write_bytes(b"changed")

        report = backup._verify(backup.read_manifest(archive), target, restored_media)
    assert report.problems == ["文件 requests/photo.png：SHA-256 与备份不符"]


def test_an_archive_with_a_path_outside_its_folder_is_refused(tmp_path):
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("media/../../etc/cron.d/x")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with tarfile.open(archive) as tar, pytest.raises(backup.BackupError, match="不安全"):
        backup._safe_members(tar)


@pytest.mark.django_db(transaction=True)
def test_the_backup_holds_no_readable_id_number(files, tmp_path):
    from tests.factories import MemberFactory

    numbers = [m.id_number for m in MemberFactory.create_batch(3)]
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive), stdout=io.StringIO())

    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "open", filter="data")
    if connection.vendor == "postgresql":  # the custom format is compressed: read its data as SQL
        dump = subprocess.run(
            ["pg_restore", "--data-only", "--file=-", str(tmp_path / "open" / backup.PG_DUMP)],
            capture_output=True,
            check=True,
        ).stdout
    else:
        dump = (tmp_path / "open" / backup.SQLITE_COPY).read_bytes()
    assert numbers and all(len(n) == 18 for n in numbers)
    assert not [n for n in numbers if n.encode() in dump]


@pytest.mark.django_db(transaction=True)
def test_uploads_waiting_for_their_import_are_left_out_of_the_backup(files, tmp_path):
    # A register file holds ID numbers in clear; it waits under imports/ only until its import ends.
    (files / "imports").mkdir()
    (files / "imports" / "0123abcd.xlsx").write_bytes(b"PK\x03\x04 330106196503013645")
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive), stdout=io.StringIO())

    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "media/evidence/2026/学习心得.pdf" in names
    assert not [name for name in names if "imports" in name]
    assert "imports/0123abcd.xlsx" not in backup.read_manifest(archive)["media"]
