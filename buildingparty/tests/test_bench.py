"""`manage.py bench` end to end, small: one account's pages, a dues job of a few members, a two-second load.

The throwaway database is copied from the test database (already migrated), which keeps this to about half a
minute. PostgreSQL only: the bench refuses anything else.
"""

import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from buildingparty.management.commands.bench import server_url

on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="the bench needs PostgreSQL"
)


def _databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bp_bench_%%'")
        return {row[0] for row in cursor.fetchall()}


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_bench_writes_the_figures_and_tables_and_drops_its_database(tmp_path):
    output = tmp_path / "bench.md"
    template = connection.settings_dict["NAME"]
    assert template.startswith("test_")
    before = _databases()
    connections.close_all()  # a template database must have no other session
    call_command(
        "bench",
        "--scale=1",
        "--rounds=1",
        "--only=pages,dues,load",
        "--roles=admin",
        "--pages=home,members:list,enterprises:list",
        "--dues-members=200",
        "--dues-rounds=1",
        "--clients=2",
        "--load-seconds=2",
        "--workers=2",
        f"--template={template}",
        f"--output={output}",
    )
    assert _databases() == before

    markdown = output.read_text(encoding="utf-8")
    assert "| admin | members:list | /members/ | 200 |" in markdown
    assert "| admin | home | / | 200 |" in markdown
    member_list = next(line for line in markdown.splitlines() if line.startswith("| admin | members:list |"))
    assert int(member_list.split("|")[6]) > 0  # its queries were counted
    assert "| member list × trivial (worst account) |" in markdown
    assert "| first request right after a write × trivial (worst; not judged) | admin " in markdown
    assert float(member_list.split("|")[13].strip()) > 0  # "first ms": the fetch right after a new data version
    assert "| dues job makes the floor's bills | True | same set | PASS |" in markdown
    assert "| dues job queries per 1,000 members (all with accounts) |" in markdown
    assert "| member list (admin) | " in markdown
    assert "| load: errors | 0 | 0 | PASS |" in markdown
    # Only the admin's pages were asked for, so the other roles' home pages are reported missing.
    assert "| home pages of the seven demo roles measured | 1/7 (missing: secretary1" in markdown


def test_bench_refuses_a_database_that_is_not_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/x.sqlite3")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        server_url()


def test_bench_uses_the_local_postgresql_server_without_database_url(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert server_url() == "postgres://postgres@127.0.0.1:5432/"
