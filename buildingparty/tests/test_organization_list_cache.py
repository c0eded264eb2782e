"""The party organisations' tree is kept whole, as HTML, per scope in ``buildingparty.data_cache`` (issue 15): a
second visit reads no organisation from the database, a branch added or renamed and a member moved show on the next
visit, and one branch's secretary never sees the tree kept for another's.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buildingparty.models import PartyOrganization
from tests.factories import MemberFactory, OrganizationFactory
from tests.kept import main, queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

LIST = reverse("organization_list")


def members_badge(page: str, org) -> str:
    return page.split(f'data-testid="org-members-{org.pk}">', 1)[1].split("</span>", 1)[0]


def test_the_tree_is_kept_per_scope_and_shows_a_write_at_once(branch_a, branch_b, secretary_a, secretary_b):
    ours, theirs = signed_in(secretary_a), signed_in(secretary_b)
    first = main(ours.get(LIST))
    with CaptureQueriesContext(connection) as again:
        second = main(ours.get(LIST))
    assert second == first and branch_a.name in first and branch_b.name not in first
    assert not queries_on(again, "buildingparty_partyorganization") and not queries_on(again, "members_member")

    other = main(theirs.get(LIST))
    assert branch_b.name in other and branch_a.name not in other
    assert branch_b.name not in main(ours.get(LIST))

    PartyOrganization.objects.filter(pk=branch_a.pk).update(name="改名的支部")  # a bulk update
    assert "改名的支部" in main(ours.get(LIST)) and "改名的支部" not in main(theirs.get(LIST))
    before = members_badge(main(ours.get(LIST)), branch_a)
    MemberFactory(organization=branch_a)  # an ORM save: one member more
    after = members_badge(main(ours.get(LIST)), branch_a)
    assert before != after and "1" in after
    OrganizationFactory(building=branch_a.building, name="新的党小组", kind="group", parent=branch_a)
    assert "新的党小组" in main(ours.get(LIST)) and "新的党小组" not in main(theirs.get(LIST))


def test_an_admin_and_a_street_viewer_are_kept_apart(building, branch_a, admin_user, street_user, outsider):
    admin_page = main(signed_in(admin_user).get(LIST))
    street_page = main(signed_in(street_user).get(LIST))
    assert branch_a.name in admin_page and "另一支部" not in admin_page
    assert "另一支部" in street_page and branch_a.name in street_page
    assert "另一支部" not in main(signed_in(admin_user).get(LIST))
