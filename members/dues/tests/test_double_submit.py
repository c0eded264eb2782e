"""A payment form sent twice (a double click, a second tab, a retried POST) records the payment once; the second
submit is shown the first result (issue 14, point 1; ``buildingparty.submissions``)."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from buildingparty.models import FormSubmission
from buildingparty.submissions import TOKEN_FIELD, new_token
from members.dues.models import DuesBill, DuesPayment, DuesStandard
from members.dues.tests.factories import month, open_bill, paying_member
from tests.concurrency import at_the_same_moment
from tests.once import ALREADY, signed_in, token_on_page


def messages_text(response) -> str:
    """The request's messages (``tests.once.messages_text`` reads ``response.context["messages"]``, which on a page
    whose content ``data_cache`` keeps finds the kept render's ``messages`` first, one that refuses to be read)."""
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def partial_payment(token: str) -> dict:
    """40.00 of a 120.00 month, as the secretary would type it."""
    return {
        "first_month": f"{month(0):%Y-%m}",
        "last_month": f"{month(0):%Y-%m}",
        "amount": "40.00",
        "partial": "on",
        "paid_on": month(0).isoformat(),
        "method": "cash",
        TOKEN_FIELD: token,
    }


@pytest.fixture
def debtor(branch_a):
    member = paying_member(branch_a)
    open_bill(member, 0)
    return member


def test_each_rendered_payment_form_has_its_own_token(secretary_a_client, debtor):
    url = reverse("dues:record_payment", args=[debtor.pk])
    assert token_on_page(secretary_a_client.get(url)) != token_on_page(secretary_a_client.get(url))
    member_page = secretary_a_client.get(reverse("dues:member", args=[debtor.pk]))
    assert token_on_page(member_page)


def test_a_partial_payment_sent_twice_is_recorded_once_and_the_second_shows_the_first_result(
    secretary_a_client, debtor
):
    url = reverse("dues:record_payment", args=[debtor.pk])
    data = partial_payment(token_on_page(secretary_a_client.get(url)))

    first = secretary_a_client.post(url, data)
    second = secretary_a_client.post(url, data, follow=True)

    assert first.status_code == 302
    assert second.redirect_chain[-1][0] == first.url == reverse("dues:member", args=[debtor.pk])
    assert ALREADY in messages_text(second)
    assert DuesPayment.objects.count() == 1
    assert DuesBill.objects.get().paid_amount == Decimal("40.00")


def test_a_new_form_records_the_next_partial_payment(secretary_a_client, debtor):
    url = reverse("dues:record_payment", args=[debtor.pk])
    secretary_a_client.post(url, partial_payment(token_on_page(secretary_a_client.get(url))))
    secretary_a_client.post(url, partial_payment(token_on_page(secretary_a_client.get(url))))
    assert DuesBill.objects.get().paid_amount == Decimal("80.00")


@pytest.mark.parametrize(
    "token", ["", "not-a-token", "6c1f2b1e-9d7a-4a35-9a43-6d2b7f0e1a11"], ids=["missing", "junk", "unsigned"]
)
def test_a_missing_or_forged_token_is_a_form_error_and_the_form_comes_back_with_a_fresh_one(
    secretary_a_client, debtor, token
):
    url = reverse("dues:record_payment", args=[debtor.pk])
    response = secretary_a_client.post(url, partial_payment(token))

    assert response.status_code == 200
    assert "表单已失效" in " ".join(response.context["form"].non_field_errors())
    assert not DuesPayment.objects.exists()
    assert secretary_a_client.post(url, partial_payment(token_on_page(response))).status_code == 302
    assert DuesPayment.objects.count() == 1


def test_a_refused_payment_leaves_its_token_free_to_send_again(secretary_a_client, debtor):
    url = reverse("dues:record_payment", args=[debtor.pk])
    token = token_on_page(secretary_a_client.get(url))
    too_much = secretary_a_client.post(url, {**partial_payment(token), "amount": "500.00"})
    assert too_much.status_code == 200 and not FormSubmission.objects.exists()

    corrected = secretary_a_client.post(url, partial_payment(token_on_page(too_much)))
    assert corrected.status_code == 302 and DuesPayment.objects.count() == 1


def test_another_persons_token_is_refused_not_answered_with_their_result(secretary_a, admin_user, debtor):
    url = reverse("dues:record_payment", args=[debtor.pk])
    data = partial_payment(new_token())
    assert signed_in(secretary_a).post(url, data).status_code == 302

    response = signed_in(admin_user).post(url, data)

    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert DuesPayment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_the_same_partial_payment_posted_twice_at_once_is_recorded_once(secretary_a, debtor):
    url = reverse("dues:record_payment", args=[debtor.pk])
    data = partial_payment(new_token())
    clients = [signed_in(secretary_a), signed_in(secretary_a)]

    outcomes = at_the_same_moment(*(lambda c=c: c.post(url, data) for c in clients))

    assert all(o.error is None for o in outcomes), outcomes
    assert {o.result.status_code for o in outcomes} == {302}
    assert {o.result.url for o in outcomes} == {reverse("dues:member", args=[debtor.pk])}
    assert DuesPayment.objects.count() == 1
    assert DuesBill.objects.get().paid_amount == Decimal("40.00")
    assert FormSubmission.objects.get().result_url == reverse("dues:member", args=[debtor.pk])


# --- the declaration has a natural key: one standard per member and year, under the member's row lock --------


def declaration() -> dict:
    return {"year": month(0).year, "kind": "employed", "declared_base": "6000", "payer": "self"}


def test_a_declaration_sent_twice_leaves_one_standard(member_client, member_user):
    for _ in range(2):
        assert member_client.post(reverse("dues:declare"), declaration()).status_code == 302
    assert DuesStandard.objects.filter(member=member_user.member).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_the_same_declaration_posted_twice_at_once_leaves_one_standard(member_user):
    clients = [signed_in(member_user), signed_in(member_user)]

    outcomes = at_the_same_moment(*(lambda c=c: c.post(reverse("dues:declare"), declaration()) for c in clients))

    assert all(o.error is None and o.result.status_code == 302 for o in outcomes), outcomes
    assert DuesStandard.objects.filter(member=member_user.member).count() == 1
