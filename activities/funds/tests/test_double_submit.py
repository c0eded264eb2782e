"""A ledger line sent twice is written once; the second submit is shown the first result (issue 14, point 1)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from activities.funds.models import FundEntry
from buildingparty.submissions import TOKEN_FIELD, new_token
from tests.concurrency import at_the_same_moment
from tests.once import ALREADY, messages_text, signed_in, token_on_page

CREATE = reverse("funds:create")


def income(token: str) -> dict:
    return {
        "date": "2026-04-01",
        "direction": "income",
        "amount": "800.00",
        "description": "街道拨付党建经费",
        "source": "street",
        TOKEN_FIELD: token,
    }


def test_an_income_sent_twice_is_one_ledger_line_and_the_second_shows_the_ledger(admin_client):
    data = income(token_on_page(admin_client.get(CREATE)))

    first = admin_client.post(CREATE, data)
    second = admin_client.post(CREATE, data, follow=True)

    assert first.status_code == 302
    assert second.redirect_chain[-1][0] == first.url == reverse("funds:list") + "?year=2026"
    assert ALREADY in messages_text(second)
    assert FundEntry.objects.get().amount == Decimal("800.00")


def test_a_ledger_line_without_its_token_is_a_form_error(admin_client):
    response = admin_client.post(CREATE, income(""))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not FundEntry.objects.exists()


def test_editing_a_line_needs_no_token(admin_client):
    admin_client.post(CREATE, income(new_token()))
    entry = FundEntry.objects.get()
    data = {**income(""), "amount": "900.00"}
    del data[TOKEN_FIELD]
    assert admin_client.post(reverse("funds:edit", args=[entry.pk]), data).status_code == 302
    entry.refresh_from_db()
    assert entry.amount == Decimal("900.00")


def test_only_admins_may_send_a_ledger_line_even_with_a_token(secretary_a_client, client):
    assert secretary_a_client.post(CREATE, income(new_token())).status_code == 403
    client.logout()
    assert client.post(CREATE, income(new_token())).status_code == 302  # to the sign-in page
    assert not FundEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_the_same_ledger_line_posted_twice_at_once_is_written_once(admin_user):
    data = income(new_token())
    clients = [signed_in(admin_user), signed_in(admin_user)]

    outcomes = at_the_same_moment(*(lambda c=c: c.post(CREATE, data) for c in clients))

    assert all(o.error is None and o.result.status_code == 302 for o in outcomes), outcomes
    assert FundEntry.objects.count() == 1
