"""Backup and restore: the database and the private media files in one archive (``manage.py backup`` and
``manage.py restore``).

The archive is a tar file holding:

- ``manifest.json``: when it was made, the database kind, the migration each app had reached, the row count of
  every table and the SHA-256 of every media file;
- ``db.dump`` (PostgreSQL: ``pg_dump --format=custom``) or ``db.sqlite3`` (SQLite: a copy made with SQLite's
  online backup API, safe while the app runs);
- ``media/…``: the files under ``MEDIA_ROOT``.

Nothing is decrypted: encrypted columns (ID numbers) stay encrypted in the archive, and the keys are not in it
(back them up separately). The row counts are taken in the same snapshot as the dump, so they are exactly what
the archive holds; a restore checks them and the file hashes and reports any difference.

Restore goes into an empty database only (no table with a row): it never overwrites data.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump and pg_restore, with fixed arguments and no shell
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.db import DEFAULT_DB_ALIAS

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "db.dump"
SQLITE_COPY = "db.sqlite3"
MEDIA = "media"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class RestoreReport:
    manifest: dict
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- backup ---------------------------------------------------------------------------------------------


def create_backup(*, archive: Path, alias: str = "default", media_root: Path) -> dict:
    """Write the archive of the database ``alias`` and of ``media_root``; returns the manifest."""
    from django.db import connections

    database = connections[alias].settings_dict
    archive = Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bp-backup-") as scratch:
        scratch = Path(scratch)
        if _is_postgresql(database):
            db_file, rows = scratch / PG_DUMP, _pg_dump(database, scratch / PG_DUMP)
        else:
            db_file = scratch / SQLITE_COPY
            _sqlite_copy(alias, db_file)
            rows = _sqlite_rows(db_file)
        media = {name: _sha256(path) for name, path in _media_files(media_root)}
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": "postgresql" if _is_postgresql(database) else "sqlite",
            "migrations": applied_migrations(alias),
            "rows": rows,
            "media": media,
        }
        partial = archive.with_name(archive.name + ".partial")  # never a half-written archive under the name
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(datetime.datetime.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for name, path in _media_files(media_root):
                tar.add(path, arcname=f"{MEDIA}/{name}")
        partial.chmod(0o600)  # it holds members' personal information
        partial.replace(archive)
    return manifest


def _pg_dump(database: dict, target: Path) -> dict[str, int]:
    """pg_dump in the snapshot the row counts are taken in (an exported snapshot held open meanwhile)."""
    import psycopg2

    connection = psycopg2.connect(**_pg_params(database))
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            rows = _pg_rows(cursor)
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], database)
        connection.rollback()
    finally:
        connection.close()
    return rows


def _sqlite_copy(alias: str, target: Path) -> None:
    """SQLite's online backup API through Django's connection: a consistent copy even while the app writes
    (an in-memory test database included)."""
    from django.db import connections

    source = connections[alias]
    source.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        source.connection.backup(destination)
    finally:
        destination.close()


def applied_migrations(alias: str = "default") -> dict[str, str]:
    """Each app's latest applied migration in the database ``alias``."""
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    latest: dict[str, str] = {}
    for app, name in MigrationLoader(connections[alias]).applied_migrations:
        latest[app] = max(latest.get(app, name), name)  # names start with their number
    return dict(sorted(latest.items()))


# --- restore --------------------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r") as tar:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))
        except (KeyError, ValueError) as exc:
            raise BackupError(f"{archive} 不是本系统的备份文件（没有可读的 {MANIFEST}）") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} 的格式版本 {manifest.get('format')} 不受支持")
    return manifest


def restore_backup(*, archive: Path, database: dict, media_root: Path) -> RestoreReport:
    """Restore the archive into ``database``, which must be empty, and its files into ``media_root``; then
    compare the row counts and file hashes with the manifest.

    1. Read the manifest; refuse an archive of the other database kind, or a non-empty target database.
    2. Restore the database (pg_restore in one transaction, or SQLite's backup API onto the target file).
    3. Put the media files back (a file already there with other contents is refused, never overwritten).
    4. Count and hash, and report every difference.
    """
    archive, media_root = Path(archive), Path(media_root)
    manifest = read_manifest(archive)
    kind = "postgresql" if _is_postgresql(database) else "sqlite"
    if manifest["database"] != kind:
        raise BackupError(f"这是 {manifest['database']} 的备份，不能恢复到 {kind} 数据库")
    occupied = {table: n for table, n in _current_rows(database).items() if n}
    if occupied:
        sample = "，".join(f"{t}（{n} 行）" for t, n in sorted(occupied.items())[:5])
        raise BackupError(
            f"目标数据库不是空的：{len(occupied)} 张表有数据，例如 {sample}。请恢复到一个新建的空数据库。"
        )
    with tempfile.TemporaryDirectory(prefix="bp-restore-") as scratch, tarfile.open(archive, "r") as tar:
        scratch = Path(scratch)
        members = _safe_members(tar)
        if kind == "postgresql":
            tar.extract(members[PG_DUMP], scratch, filter="data")
            _run(
                ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                 "--clean", "--if-exists", f"--dbname={database['NAME']}", str(scratch / PG_DUMP)],
                database,
            )  # fmt: skip
        else:
            tar.extract(members[SQLITE_COPY], scratch, filter="data")
            _sqlite_restore(scratch / SQLITE_COPY, database)
        for name in manifest["media"]:
            _put_back(tar, members[f"{MEDIA}/{name}"], media_root / name)
    return _verify(manifest, database, media_root)


def _safe_members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """The archive's regular files by name; a link, an absolute path or ".." refuses the whole archive."""
    members = {}
    for member in tar.getmembers():
        path = PurePosixPath(member.name)
        if not member.isfile() or path.is_absolute() or ".." in path.parts:
            raise BackupError(f"备份文件中有不安全的条目：{member.name!r}")
        members[member.name] = member
    return members


def _put_back(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    data = tar.extractfile(member).read()
    if target.exists():
        if hashlib.sha256(data).hexdigest() != _sha256(target):
            raise BackupError(f"{target} 已存在且内容不同，未覆盖")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _sqlite_restore(copy: Path, database: dict) -> None:
    name = str(database["NAME"])
    if _sqlite_in_memory(name):
        raise BackupError("不能恢复到内存中的 SQLite 数据库")
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    source, destination = sqlite3.connect(copy), sqlite3.connect(name)
    try:
        source.backup(destination)  # replaces every page of the (empty) target
    finally:
        source.close()
        destination.close()


def _verify(manifest: dict, database: dict, media_root: Path) -> RestoreReport:
    report = RestoreReport(manifest=manifest)
    rows = _current_rows(database)
    for table, expected in sorted(manifest["rows"].items()):
        found = rows.get(table)
        if found != expected:
            report.problems.append(
                f"表 {table}：备份中 {expected} 行，恢复后 {found if found is not None else '无此表'}"
            )
    report.tables, report.rows = len(rows), sum(rows.values())
    for name, expected in sorted(manifest["media"].items()):
        path = media_root / name
        if not path.is_file():
            report.problems.append(f"文件 {name}：恢复后缺失")
        elif _sha256(path) != expected:
            report.problems.append(f"文件 {name}：SHA-256 与备份不符")
        else:
            report.files += 1
    return report


# --- the two databases ----------------------------------------------------------------------------------


def _is_postgresql(database: dict) -> bool:
    return "postgresql" in database["ENGINE"]


def _sqlite_in_memory(name: str) -> bool:
    return name == ":memory:" or "mode=memory" in name


def _pg_params(database: dict) -> dict:
    params = {"dbname": database["NAME"], "user": database.get("USER") or None}
    params.update(host=database.get("HOST") or None, port=database.get("PORT") or None)
    params["password"] = database.get("PASSWORD") or None
    return {k: v for k, v in params.items() if v}


def _run(command: list[str], database: dict) -> None:
    """pg_dump / pg_restore against ``database``; the password goes through the environment, never argv."""
    env = {**os.environ}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    if command[0] == "pg_dump":
        env["PGDATABASE"] = str(database["NAME"])
    if shutil.which(command[0]) is None:
        raise BackupError(f"找不到 {command[0]}：请安装与数据库服务器同一大版本（或更新）的 postgresql-client")
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # nosec B603 # fixed arguments
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.strip()[-2000:]}")


def _pg_rows(cursor) -> dict[str, int]:
    from psycopg2 import sql

    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [name for (name,) in cursor.fetchall()]
    rows = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        rows[table] = cursor.fetchone()[0]
    return rows


def _sqlite_rows(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        return _sqlite_count(connection)
    finally:
        connection.close()


def _sqlite_count(connection) -> dict[str, int]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    quoted = {t: '"' + t.replace('"', '""') + '"' for t in tables}  # names read from sqlite_master
    return {t: connection.execute("SELECT count(*) FROM " + quoted[t]).fetchone()[0] for t in tables}  # nosec B608


def _current_rows(database: dict) -> dict[str, int]:
    """Every table of ``database`` with its row count (no tables: a new, empty database)."""
    if _is_postgresql(database):
        import psycopg2

        connection = psycopg2.connect(**_pg_params(database))
        try:
            with connection.cursor() as cursor:
                return _pg_rows(cursor)
        finally:
            connection.close()
    name = str(database["NAME"])
    if _sqlite_in_memory(name):  # only Django's open connection sees it (the test database)
        from django.db import connections

        source = connections[DEFAULT_DB_ALIAS]
        source.ensure_connection()
        return _sqlite_count(source.connection)
    if not Path(name).exists():
        return {}
    return _sqlite_rows(Path(name))


# --- media ----------------------------------------------------------------------------------------------


def _media_files(media_root: Path):
    """(name relative to the root, path) for every regular file under ``media_root``, in a stable order.

    Uploads waiting for their import (``imports/``) are left out: they are transient, and a register file holds ID
    numbers in clear, which no backup may."""
    from .imports import UPLOAD_DIR

    root = Path(media_root)
    if not root.is_dir():
        return []
    return [
        (name, path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not path.is_symlink()
        and not (name := path.relative_to(root).as_posix()).startswith(f"{UPLOAD_DIR}/")
    ]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
