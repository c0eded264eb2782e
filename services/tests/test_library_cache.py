"""The study-material catalogue is kept whole, as HTML, per account in ``buildingparty.data_cache`` (issue 15): a
second visit reads no material from the database, a loan or a catalogue change shows on the next visit (the copies
available, the member's own loans and Borrow buttons), and one member's loans are never shown to another.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services import library
from services.models import Loan, Material
from tests.factories import MemberFactory, UserFactory
from tests.kept import main_without_tokens as main
from tests.kept import queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

LIST = reverse("services:material_list")


def available(page: str, material) -> str:
    row = page.split(f'data-testid="material-{material.pk}"', 1)[1]
    return row.split('data-testid="available">', 1)[1].split("</td>", 1)[0]


@pytest.fixture
def material(building):
    return Material.objects.create(building=building, title="党章学习读本", copies=2, location="A-1")


def test_the_catalogue_is_kept_and_shows_a_loan_and_an_edit_at_once(material, member_user, admin_user):
    client = signed_in(member_user)
    first = main(client.get(LIST))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get(LIST))
    assert second == first and "党章学习读本" in first and available(first, material) == "2"
    assert not queries_on(again, "services_material") and not queries_on(again, "services_loan")  # from the cache
    assert "bp-kept-csrf-token" not in second and 'name="csrfmiddlewaretoken"' in second  # the Borrow forms' token

    loan = library.loan_request(material=material, member=member_user.member)  # an ORM save
    page = main(client.get(LIST))
    assert "党章学习读本" in page.split('data-testid="my-loans"', 1)[1].split("</section>", 1)[0]
    assert reverse("services:loan_request", args=[material.pk]) not in page  # hers already: no Borrow button
    library.loan_lend(loan=loan, by=admin_user)
    assert available(main(client.get(LIST)), material) == "1"

    Material.objects.filter(pk=material.pk).update(title="改过的书名", copies=5)  # a bulk update
    page = main(client.get(LIST))
    assert "改过的书名" in page and available(page, material) == "4"


def test_one_members_loans_are_never_shown_to_another(material, member_user, branch_a, building):
    other_user = UserFactory(username="m_two", role="member", building=building)
    MemberFactory(organization=branch_a, user=other_user)
    ours, theirs = signed_in(member_user), signed_in(other_user)
    borrow = reverse("services:loan_request", args=[material.pk])
    assert borrow in main(ours.get(LIST)) and borrow in main(theirs.get(LIST))  # both kept

    library.loan_request(material=material, member=member_user.member)
    mine, hers = main(ours.get(LIST)), main(theirs.get(LIST))
    assert borrow not in mine and "党章学习读本" in mine.split('data-testid="my-loans"', 1)[1].split("</section>", 1)[0]
    assert borrow in hers  # a request takes no copy: she may still borrow it
    assert "党章学习读本" not in hers.split('data-testid="my-loans"', 1)[1].split("</section>", 1)[0]
    Loan.objects.filter(member=member_user.member).update(status=Loan.Status.CANCELLED)
    assert borrow in main(ours.get(LIST))


def test_the_buttons_and_a_search_are_kept_apart(material, member_user, admin_user, street_user):
    Material.objects.create(building=material.building, title="另一本书", copies=1)
    admin_page = main(signed_in(admin_user).get(LIST))
    member_page = main(signed_in(member_user).get(LIST))
    assert 'data-testid="material-create"' in admin_page and 'data-testid="material-create"' not in member_page
    assert 'data-testid="my-loans"' in member_page
    client = signed_in(admin_user)
    for _ in range(2):  # computed, then from the cache
        found = main(client.get(LIST, {"q": "党章"}))
        assert "党章学习读本" in found and "另一本书" not in found
        assert reverse("services:material_list") + '">' in found  # the Clear link of a search
        assert reverse("services:material_list") + '">' not in main(client.get(LIST))
