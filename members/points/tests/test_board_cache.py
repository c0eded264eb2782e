"""The leaderboard keeps the year's sums of each branch (``selectors.branch_board``) and of the branches' averages
(``selectors.branch_averages``) in the cache under the data version of ``buildingparty.data_cache``: served from
the cache until something is written, added up again on the next request after any write (a claim approved, a
bulk update).

These tests run outside a test transaction (``transaction=True``): writes then commit as they do in production.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.points.models import PointEntry
from members.points.tests.factories import claim, this_year
from members.points.tests.factories import rule as rule  # fixture
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def table(html: str, testid: str) -> list[list[str]]:
    """The cells' text of each body row of a table of the page (the page's content may come from the cache: its
    HTML is what is checked, not the view's context)."""
    body = html.split(f'data-testid="{testid}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = r"<t[hd][^>]*>(.*?)</t[hd]>"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(cells, row, re.S)] for row in rows]


def board_totals(client) -> dict[str, tuple[int, int]]:
    html = client.get(reverse("points:board"), {"year": this_year()}).content.decode()
    return {name: (int(total), int(rank)) for rank, name, total in table(html, "board-table")}


def averages(client) -> dict[str, tuple[int, float | None, int | None]]:
    html = client.get(reverse("points:board")).content.decode()

    def number(text, kind):
        return None if text == "—" else kind(text)

    return {
        name: (int(members), number(average, float), number(best, int))
        for name, members, average, best in table(html, "averages-table")
    }


def sums(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"].upper()]


def test_the_board_comes_from_the_cache_until_a_claim_is_approved_or_entries_updated(
    secretary_a_client, secretary_a, branch_a, group_a, rule
):
    MemberFactory(organization=branch_a, name="张一")
    li = MemberFactory(organization=group_a, name="李二")
    honour = rule["honour"]

    with CaptureQueriesContext(connection) as first:
        before = board_totals(secretary_a_client)
    with CaptureQueriesContext(connection) as second:
        assert board_totals(secretary_a_client) == before
    assert sums(first) and not sums(second)  # the second from the cache
    assert before["张一"] == before["李二"]

    entry = claim(li, honour, by=secretary_a)  # a claim waiting counts for nothing yet
    assert board_totals(secretary_a_client) == before
    response = secretary_a_client.post(reverse("points:decide", args=[entry.pk]), {"decision": "approve"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == PointEntry.Status.APPROVED and entry.points > 0
    after = board_totals(secretary_a_client)  # the next request adds up again
    assert after["李二"] == (before["李二"][0] + entry.points, 1)
    assert after["张一"] == (before["张一"][0], 2)

    PointEntry.objects.filter(pk=entry.pk).update(points=0)  # a bulk update as well
    assert board_totals(secretary_a_client) == before

    with CaptureQueriesContext(connection) as again:
        assert board_totals(secretary_a_client) == before
    assert not sums(again)


def test_the_averages_come_from_the_cache_until_entries_change(
    admin_client, secretary_a, branch_a, branch_b, group_a, rule
):
    MemberFactory(organization=branch_a, name="张一")
    li = MemberFactory(organization=group_a, name="李二")
    MemberFactory(organization=branch_b, name="王三")

    with CaptureQueriesContext(connection) as first:
        before = averages(admin_client)
    with CaptureQueriesContext(connection) as second:
        assert averages(admin_client) == before
    assert sums(first) and not sums(second)
    members, average, best = before["第一党支部"]
    assert members == 2

    entry = claim(li, rule["honour"], by=secretary_a)
    PointEntry.objects.filter(pk=entry.pk).update(status=PointEntry.Status.APPROVED, points=10)
    after = averages(admin_client)
    assert after["第一党支部"] == (2, round((average * 2 + 10) / 2, 1), best + 10)
    assert after["第二党支部"] == before["第二党支部"]
