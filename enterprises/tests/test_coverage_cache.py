"""The coverage page keeps its counts and its lists' enterprises in the cache (``coverage_report(cached=True)``,
under ``buildingparty.data_cache``'s data version): served from there until something is written, counted again
on the next request after a write.

These tests run outside a test transaction (``transaction=True``): writes then commit as they do in production.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.tests.test_coverage import add_members
from members.models import Member
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def should_form_branch(client) -> tuple[int, list[str]]:
    """The list's count and the names on its first page, from the HTML (a page served from the cache is rendered
    from no template context)."""
    response = client.get(reverse("enterprises:coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('"should-form-branch"') : html.index('"members-without-organization"')]
    count = re.search(r'<span class="badge text-bg-warning">(\d+)</span>', section).group(1)
    return int(count), re.findall(r'<a href="/enterprises/\d+/">([^<]+)</a>', section)


def test_the_coverage_page_counts_once_and_again_after_a_write(admin_client, building, branch_a):
    add_members(EnterpriseFactory(building=building, name="甲公司", floor=2), branch_a, full=3)
    assert should_form_branch(admin_client) == (1, ["甲公司"])
    with CaptureQueriesContext(connection) as cached:
        assert should_form_branch(admin_client) == (1, ["甲公司"])
    counted = [q for q in cached.captured_queries if "COUNT(" in q["sql"] and "enterprises_enterprise" in q["sql"]]
    assert not counted  # no aggregate ran again

    add_members(EnterpriseFactory(building=building, name="乙公司", floor=3), branch_a, full=3)
    assert should_form_branch(admin_client) == (2, ["甲公司", "乙公司"])

    Member.objects.filter(enterprise__name="甲公司").update(whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    assert should_form_branch(admin_client) == (1, ["乙公司"])
