"""The enterprise list and the coverage page are kept whole, as HTML, by ``buildingparty.data_cache.page``: a repeat
request reads no enterprise, a write shows on the next request, and viewers of different scope (two buildings'
admins, two liaisons) never see each other's content.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises.models import Enterprise
from enterprises.tests.test_coverage import add_members
from tests.factories import BuildingFactory, EnterpriseFactory, MemberFactory, UserFactory
from tests.kept import main, queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]


def main_of(html: str) -> str:
    """The page's content, its CSRF tokens (masked anew on every request) left out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html.split("<main", 1)[1].split("</main>", 1)[0])


@pytest.fixture
def other_admin(db):
    return UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别的大厦"))


def test_the_list_is_kept_and_shows_a_write_at_once(admin_user, building):
    kept = EnterpriseFactory(building=building, name="甲公司", floor=2)
    client = signed_in(admin_user)
    first = main(client.get("/enterprises/"))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get("/enterprises/"))
    assert second == first and "甲公司" in second
    assert not queries_on(again, "enterprises_enterprise")  # the list from the cache
    assert 'data-testid="add-enterprise"' in second  # the admin's buttons, passed by the view

    Enterprise.objects.filter(pk=kept.pk).update(name="甲公司（新）")  # update(): no signal, still seen
    assert "甲公司（新）" in main(client.get("/enterprises/"))
    EnterpriseFactory(building=building, name="乙公司", floor=3)
    assert "乙公司" in main(client.get("/enterprises/"))
    assert "乙公司" in main(client.get("/enterprises/?q=乙"))
    assert "甲公司" not in main(client.get("/enterprises/?q=乙"))  # the query is part of the key


def test_the_list_of_one_building_or_liaison_is_never_shown_to_another(admin_user, other_admin, building):
    EnterpriseFactory(building=building, name="甲公司")
    EnterpriseFactory(building=other_admin.building, name="丙公司")
    mine, theirs = main(signed_in(admin_user).get("/enterprises/")), main(signed_in(other_admin).get("/enterprises/"))
    assert "甲公司" in mine and "丙公司" not in mine
    assert "丙公司" in theirs and "甲公司" not in theirs

    one, two = (UserFactory(username=f"liaison{n}", role="liaison", building=building) for n in (1, 2))
    EnterpriseFactory(building=building, name="一号的公司", liaison=one)
    EnterpriseFactory(building=building, name="二号的公司", liaison=two)
    seen_by_one, seen_by_two = (main(signed_in(u).get("/enterprises/")) for u in (one, two))
    assert "一号的公司" in seen_by_one and "二号的公司" not in seen_by_one
    assert "二号的公司" in seen_by_two and "一号的公司" not in seen_by_two
    assert 'data-testid="add-enterprise"' not in seen_by_one  # an admin's button, never kept for a liaison


def test_the_coverage_page_is_kept_and_shows_a_write_at_once(admin_user, building, branch_a):
    add_members(EnterpriseFactory(building=building, name="甲公司", floor=2), branch_a, full=3)
    client = signed_in(admin_user)
    first = main(client.get("/enterprises/coverage/"))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get("/enterprises/coverage/"))
    assert second == first and "甲公司" in second and 'id="coverage-data"' in second
    assert not queries_on(again, "enterprises_enterprise")

    Enterprise.objects.filter(name="甲公司").update(name="甲公司（新）")
    assert "甲公司（新）" in main(client.get("/enterprises/coverage/"))


def test_the_coverage_page_of_one_building_is_never_shown_to_another(admin_user, other_admin, building, branch_a):
    add_members(EnterpriseFactory(building=building, name="甲公司", floor=2), branch_a, full=3)
    assert "甲公司" in main(signed_in(admin_user).get("/enterprises/coverage/"))
    assert "甲公司" not in main(signed_in(other_admin).get("/enterprises/coverage/"))


def test_an_enterprise_page_is_kept_and_shows_a_write_at_once(admin_user, building):
    kept = EnterpriseFactory(building=building, name="甲公司")
    client = signed_in(admin_user)
    url = f"/enterprises/{kept.pk}/"
    first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as again:
        second = client.get(url).content.decode()
    assert main_of(second) == main_of(first) and "<title>甲公司" in second  # the title too, from the cache
    assert not queries_on(again, "enterprises_enterprise")

    Enterprise.objects.filter(pk=kept.pk).update(name="甲公司（新）")
    renamed = client.get(url).content.decode()
    assert "甲公司（新）" in main_of(renamed) and "<title>甲公司（新）" in renamed
    with CaptureQueriesContext(connection) as again:
        assert "<title>甲公司（新）" in client.get(url).content.decode()
    assert not queries_on(again, "enterprises_enterprise")


def test_an_enterprise_page_is_never_shown_to_another_viewer(building, branch_a, branch_b, secretary_a, secretary_b):
    one, two = (UserFactory(username=f"liaison{n}", role="liaison", building=building) for n in (1, 2))
    theirs = EnterpriseFactory(building=building, name="一号的公司", liaison=one)
    url = f"/enterprises/{theirs.pk}/"
    assert signed_in(one).get(url).status_code == 200
    assert signed_in(two).get(url).status_code == 404  # another liaison's: still not found
    MemberFactory(organization=branch_a, enterprise=theirs, name="甲支部党员")
    MemberFactory(organization=branch_b, enterprise=theirs, name="乙支部党员")
    seen_by_a, seen_by_b = (main(signed_in(u).get(url)) for u in (secretary_a, secretary_b))
    assert "甲支部党员" in seen_by_a and "乙支部党员" not in seen_by_a
    assert "乙支部党员" in seen_by_b and "甲支部党员" not in seen_by_b
    assert 'data-testid="edit-enterprise"' in main(signed_in(one).get(url))  # the liaison's own button, not kept
    assert 'data-testid="edit-enterprise"' not in seen_by_a  # for the next viewer
