"""The main pages at scale 20 run the queries they run at scale 1, and stay small (issue 15).

The module seeds the demo building once at scale 1, fetches every page below and counts its queries, then seeds
on to scale 20 (seeding only adds rows: buildingparty/demo.py) and fetches them again. Both seeds live in one
transaction around the module, rolled back at its end, so no other test sees the demo rows.

PostgreSQL only: seeding scale 20 takes minutes on SQLite (300 s measured), and CI runs PostgreSQL.
"""

import datetime
import io
import os

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buildingparty.models import User
from members.models import Member

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="seeding scale 20 takes minutes on SQLite; CI runs PostgreSQL",
    ),
]

ROLES = ["admin", "secretary1", "secretary2", "liaison1", "member1", "contact1", "street1"]
MAX_HTML = 300 * 1024
PAGE_LABELS = [f"home:{role}" for role in ROLES] + [
    "members:list",
    "dues:member",
    "dues:standard",
    "dues:standards",
    "dues:ledger",
    "enterprises:list",
    "enterprises:coverage",
]


def _pages() -> list[tuple[str, str, str]]:
    """(label, account, url): every role's home, and the admin's lists and member1's dues pages."""
    member = Member.objects.get(user__username="member1")
    year = datetime.date.today().year
    pages = [(f"home:{role}", role, reverse("home")) for role in ROLES]
    pages += [
        ("members:list", "admin", reverse("members:list")),
        ("dues:member", "admin", reverse("dues:member", args=[member.pk])),
        ("dues:standard", "admin", reverse("dues:standard", args=[member.pk, year])),
        ("dues:standards", "admin", reverse("dues:standards")),
        ("dues:ledger", "admin", reverse("dues:ledger")),
        ("enterprises:list", "admin", reverse("enterprises:list")),
        ("enterprises:coverage", "admin", reverse("enterprises:coverage")),
    ]
    return pages


def _measure() -> dict[str, tuple[int, int, int]]:
    """Each page's (status, queries, bytes), fetched once to warm the session and once counted."""
    clients: dict[str, Client] = {}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=role))
    found = {}
    for label, role, url in _pages():
        clients[role].get(url)
        with CaptureQueriesContext(connection) as queries:
            response = clients[role].get(url)
        found[label] = (response.status_code, len(queries), len(response.content))
    return found


def measured_line(found: tuple[int, int, int]) -> str:
    status, queries, size = found
    return f"{status} {queries:3d} queries {size / 1024:6.1f} KB"


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """The pages measured at scale 1 and at scale 20, in one transaction rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--scale", "1", stdout=io.StringIO())
            at_1 = _measure()
            call_command("seed_demo", "--scale", "20", stdout=io.StringIO())
            at_20 = _measure()
            for label in PAGE_LABELS:  # shown with -s: the figures for the README and the issue
                print(f"{label:24} scale 1: {measured_line(at_1[label])}  scale 20: {measured_line(at_20[label])}")
            yield {"1": at_1, "20": at_20}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize("label", PAGE_LABELS)
def test_a_page_runs_the_same_queries_at_scale_20_as_at_scale_1_and_stays_under_300_kb(measured, label):
    status_1, queries_1, _size_1 = measured["1"][label]
    status_20, queries_20, size_20 = measured["20"][label]
    assert (status_1, status_20) == (200, 200)
    assert queries_20 == queries_1, f"{label}: {queries_1} queries at scale 1, {queries_20} at scale 20"
    assert size_20 < MAX_HTML, f"{label}: {size_20} bytes at scale 20"
