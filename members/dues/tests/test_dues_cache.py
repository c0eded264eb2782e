"""The dues pages kept whole by ``data_cache.page`` (issue 15): a repeat GET reads none of the page's data, a write
to it (ORM or ``update()``) shows on the next GET, and two viewers of different scope never see each other's."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buildingparty import data_cache
from members.dues.models import DuesBill, DuesStandard
from members.dues.tests.factories import StandardFactory, month, open_bill, paid_bill, paying_member
from tests.factories import MemberFactory, UserFactory
from tests.kept import main_without_tokens as main
from tests.kept import queries_on, signed_in
from tests.once import token_on_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

YEAR = timezone.localdate().year


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def has_own_tokens(first, second) -> bool:
    """Both pages' forms carry a real token (not the kept placeholder), each request's own."""
    ones, twos = (TOKEN.findall(r.content.decode()) for r in (first, second))
    return bool(ones) and bool(twos) and data_cache.CSRF_PLACEHOLDER not in ones + twos and set(ones) != set(twos)


def kept_twice(client, url: str, table: str) -> str:
    """The page, asked twice: the second is the first, read from the cache (no query on ``table``)."""
    first = main(client.get(url))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get(url))
    assert second == first
    assert not queries_on(again, table), "the second GET read the page's data again"
    return second


@pytest.fixture
def two_branches(branch_a, branch_b):
    """A paying member in each branch, this month's bill open and last two months' unpaid (arrears)."""
    mine = paying_member(branch_a, name="甲党员")
    theirs = paying_member(branch_b, name="乙党员")
    for member in (mine, theirs):
        for offset in (-2, -1, 0):
            open_bill(member, offset)
    return mine, theirs


# --- the month page -----------------------------------------------------------------------------------------


def test_the_month_page_is_kept_per_scope_and_shows_a_payment_at_once(two_branches, secretary_a, secretary_b):
    mine, theirs = two_branches
    sec_a, sec_b = signed_in(secretary_a), signed_in(secretary_b)
    url = reverse("dues:month")
    page = kept_twice(sec_a, url, "dues_duesbill")
    assert mine.name in page and theirs.name not in page and 'data-state="unpaid"' in page
    other = main(sec_b.get(url))
    assert theirs.name in other and mine.name not in other  # another branch: its own
    DuesBill.objects.filter(member=mine, month=month(0)).update(paid_amount=Decimal("120.00"), paid_on=month(0))
    page = main(sec_a.get(url))
    assert 'data-state="paid"' in page and 'data-state="unpaid"' not in page
    assert 'data-state="unpaid"' in main(sec_b.get(url))  # the other branch's bill is still open


def test_the_month_page_s_generate_form_gets_each_request_s_csrf_token(admin_client, two_branches, branch_a):
    paying_member(branch_a, name="无账单")  # paying, no bill: the admin's "make the bills" form shows
    url = reverse("dues:month")
    first = admin_client.get(url)
    second = admin_client.get(url)
    assert 'data-testid="generate-bills"' in main(second)
    assert has_own_tokens(first, second)


# --- arrears ------------------------------------------------------------------------------------------------


def test_the_arrears_are_kept_per_scope_and_a_payment_clears_them_at_once(two_branches, secretary_a, secretary_b):
    mine, theirs = two_branches
    sec_a, sec_b = signed_in(secretary_a), signed_in(secretary_b)
    url = reverse("dues:arrears")
    page = kept_twice(sec_a, url, "dues_duesbill")
    assert mine.name in page and theirs.name not in page
    other = main(sec_b.get(url))
    assert theirs.name in other and mine.name not in other
    for bill in DuesBill.objects.filter(member=mine, month__lt=month(0)):
        bill.paid_amount, bill.paid_on = bill.amount, bill.month
        bill.save()
    assert mine.name not in main(sec_a.get(url))
    assert theirs.name in main(sec_b.get(url))


# --- the standards of a year --------------------------------------------------------------------------------


def test_the_standards_are_kept_per_scope_with_each_request_s_csrf_token(branch_a, branch_b, secretary_a, secretary_b):
    declared = StandardFactory(member=MemberFactory(organization=branch_a, name="甲申报"), status="declared")
    StandardFactory(member=MemberFactory(organization=branch_b, name="乙申报"), status="declared")
    sec_a, sec_b = signed_in(secretary_a), signed_in(secretary_b)
    url = reverse("dues:standards")
    page = kept_twice(sec_a, url, "dues_duesstandard")
    assert "甲申报" in page and "乙申报" not in page and f'data-testid="confirm-{declared.pk}"' in page
    assert has_own_tokens(sec_a.get(url), sec_a.get(url))
    other = main(sec_b.get(url))
    assert "乙申报" in other and "甲申报" not in other
    DuesStandard.objects.filter(pk=declared.pk).update(status=DuesStandard.Status.CONFIRMED)
    assert f'data-testid="confirm-{declared.pk}"' not in main(sec_a.get(url))


# --- the ledger ---------------------------------------------------------------------------------------------


def test_the_ledger_is_kept_per_scope_and_shows_a_payment_at_once(two_branches, secretary_a, secretary_b):
    mine, theirs = two_branches
    sec_a, sec_b = signed_in(secretary_a), signed_in(secretary_b)
    url = reverse("dues:ledger")
    page = kept_twice(sec_a, url, "dues_duesbill")
    assert mine.name in page and theirs.name not in page and 'data-state="paid"' not in page
    other = main(sec_b.get(url))
    assert theirs.name in other and mine.name not in other
    bill = DuesBill.objects.get(member=mine, month=month(0))
    bill.paid_amount, bill.paid_on = bill.amount, timezone.localdate()
    bill.save()
    assert 'data-state="paid"' in main(sec_a.get(url))
    assert 'data-state="paid"' not in main(sec_b.get(url))


def test_the_street_viewer_s_ledger_names_the_buildings_and_is_kept(two_branches, street_user):
    street = signed_in(street_user)
    page = kept_twice(street, reverse("dues:ledger"), "dues_duesbill")
    mine, theirs = two_branches
    assert mine.name in page and theirs.name in page
    assert f"{mine.organization.building.name} · {mine.organization.name}" in page


def test_another_branch_s_ledger_is_not_found_once_kept(two_branches, branch_b, secretary_a):
    sec_a = signed_in(secretary_a)
    sec_a.get(reverse("dues:ledger"))
    assert sec_a.get(reverse("dues:ledger"), {"branch": branch_b.pk}).status_code == 404


# --- a member's own dues ------------------------------------------------------------------------------------


def test_my_dues_are_kept_per_member_and_show_a_payment_at_once(branch_a):
    people = []
    for username, amount in (("m_one", "111.00"), ("m_two", "222.00")):
        user = UserFactory(username=username, role="member", building=branch_a.building)
        member = paying_member(branch_a, user=user)
        paid_bill(member, -1, amount=Decimal(amount))
        open_bill(member, 0, amount=Decimal(amount))
        people.append((signed_in(user), member))
    (one, first), (two, _second) = people
    url = reverse("dues:mine")
    page = kept_twice(one, url, "dues_duesbill")
    assert "111.00" in page and "222.00" not in page and 'data-state="unpaid"' in page
    theirs = main(two.get(url))
    assert "222.00" in theirs and "111.00" not in theirs  # one branch, two members: each their own
    DuesBill.objects.filter(member=first, month=month(0)).update(paid_amount=F("amount"), paid_on=month(0))
    assert 'data-state="unpaid"' not in main(one.get(url))
    assert 'data-state="unpaid"' in main(two.get(url))


def test_a_member_s_dues_page_keeps_its_forms_working_per_request(admin_client, two_branches):
    mine, _theirs = two_branches
    url = reverse("dues:member", args=[mine.pk])
    first = admin_client.get(url)
    second = admin_client.get(url)
    assert 'data-testid="record-payment"' in main(second) and "js/dues-payment.js" in second.content.decode()
    assert has_own_tokens(first, second)
    # The payment form's one-time token is each request's own (two tabs are two payments), never the placeholder.
    tokens = [token_on_page(r) for r in (first, second)]
    assert tokens[0] != tokens[1] and data_cache.ONCE_PLACEHOLDER not in tokens[0] + tokens[1]


# --- one member's standard ----------------------------------------------------------------------------------


def test_a_member_s_standard_is_kept_and_shows_an_override_at_once(branch_a, secretary_a, secretary_b):
    standard = StandardFactory(member=MemberFactory(organization=branch_a, name="甲标准"))
    url = reverse("dues:standard", args=[standard.member_id, YEAR])
    sec_a, sec_b = signed_in(secretary_a), signed_in(secretary_b)
    page = kept_twice(sec_a, url, "dues_duesstandard")
    assert "甲标准" in page and 'data-testid="override-form"' in page
    assert has_own_tokens(sec_a.get(url), sec_a.get(url))
    assert sec_b.get(url).status_code == 404  # another branch's member: not found, cache or not
    standard.override_amount, standard.override_reason = Decimal("1.00"), "困难"
    standard.override_approved_by = "支委会"
    standard.save()
    assert "困难" in main(sec_a.get(url))


def test_a_standard_sent_back_with_errors_is_rendered_each_time(branch_a, secretary_a):
    standard = StandardFactory(member=MemberFactory(organization=branch_a))
    sec_a = signed_in(secretary_a)
    url = reverse("dues:standard", args=[standard.member_id, YEAR])
    sec_a.get(url)
    response = sec_a.post(url, {"kind": "employed", "declared_base": "-5", "payer": "self"})
    assert response.status_code == 200 and response.context["form"].errors
    assert data_cache.CSRF_PLACEHOLDER not in response.content.decode()
