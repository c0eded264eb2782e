"""Every change of the ledger's money is on record (issue 14, point 10): a correction from 1.00 to 99,999.00
leaves who, when and both amounts, shown on the entry's page; creating and deleting are recorded too."""

import datetime

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from activities.funds import services
from activities.funds.models import FundEntry
from activities.funds.tests.test_funds import income, other_admin  # noqa: F401 (fixture)
from buildingparty.models import AuditRecord
from buildingparty.submissions import new_token

pytestmark = pytest.mark.django_db

Action = AuditRecord.Action


def edit_url(entry):
    return reverse("funds:edit", args=[entry.pk])


def corrected(entry, amount):
    return {
        "date": entry.date.isoformat(),
        "direction": "income",
        "amount": amount,
        "description": entry.description,
        "source": entry.source,
    }


def money_records(entry):
    return AuditRecord.objects.filter(object_type="funds.fundentry", object_id=str(entry.pk)).order_by("pk")


def test_an_edit_of_the_amount_is_recorded_with_who_when_and_both_values(admin_client, admin_user, building):
    entry = income(building, "1.00", datetime.date(2026, 1, 5))
    response = admin_client.post(edit_url(entry), corrected(entry, "99999.00"))
    assert response.status_code == 302

    record = money_records(entry).get()
    assert (record.action, record.actor, record.actor_name, record.building_id) == (
        Action.MONEY_CHANGED,
        admin_user,
        admin_user.name or admin_user.username,
        building.pk,
    )
    assert record.changes == {"amount": ["1.00", "99999.00"]}


def test_an_edit_that_changes_nothing_records_nothing(admin_client, building):
    entry = income(building, "10.00", datetime.date(2026, 1, 5))
    admin_client.post(edit_url(entry), corrected(entry, "10.00"))
    assert not money_records(entry).exists()


def test_a_new_entry_is_recorded_with_its_values(admin_client, admin_user, building):
    response = admin_client.post(
        reverse("funds:create"),
        {
            "submission_token": new_token(),
            "date": "2026-04-01",
            "direction": "income",
            "amount": "800.00",
            "description": "街道拨付",
            "source": "street",
        },
    )
    assert response.status_code == 302
    record = money_records(FundEntry.objects.get()).get()
    assert record.action == Action.MONEY_CREATED and record.actor == admin_user
    assert record.changes["amount"] == [None, "800.00"] and record.changes["direction"] == [None, "income"]


def test_the_entrys_page_shows_its_history(admin_client, admin_user, building):
    entry = income(building, "1.00", datetime.date(2026, 1, 5))
    admin_client.post(edit_url(entry), corrected(entry, "99999.00"))
    response = admin_client.get(edit_url(entry))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="money-history"' in page and page.count('data-testid="money-history-row"') == 1
    assert "99999.00" in page and "1.00" in page and (admin_user.name or admin_user.username) in page


def test_the_history_is_not_shown_to_anonymous_visitors(client, building):
    entry = income(building, "1.00", datetime.date(2026, 1, 5))
    response = client.get(edit_url(entry))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_secretary_cannot_open_the_entrys_history(secretary_a_client, building):
    entry = income(building, "1.00", datetime.date(2026, 1, 5))
    assert secretary_a_client.get(edit_url(entry)).status_code == 403


def test_another_buildings_admin_cannot_see_or_change_our_entry(login_as, building, other_admin):  # noqa: F811
    entry = income(building, "1.00", datetime.date(2026, 1, 5))
    client = login_as(other_admin)
    assert client.get(edit_url(entry)).status_code == 404
    assert client.post(edit_url(entry), corrected(entry, "99999.00")).status_code == 404
    entry.refresh_from_db()
    assert entry.amount == 1 and not money_records(entry).exists()


def test_deleting_an_entry_in_the_django_admin_records_what_it_held(admin_user, building):
    entry = income(building, "250.00", datetime.date(2026, 1, 5))
    pk = entry.pk
    request = RequestFactory().post("/")
    request.user = admin_user
    site._registry[FundEntry].delete_model(request, entry)

    assert not FundEntry.objects.filter(pk=pk).exists()
    record = AuditRecord.objects.get(object_type="funds.fundentry", object_id=str(pk))
    assert record.action == Action.MONEY_DELETED and record.actor == admin_user
    assert record.changes["amount"] == ["250.00", None]


def test_the_service_records_a_deletion_and_an_edit_in_one_transaction(admin_user, building):
    entry = income(building, "5.00", datetime.date(2026, 1, 5))
    entry.amount = 7
    services.fund_entry_save(entry=entry, by=admin_user)
    services.fund_entry_delete(entry=entry, by=admin_user)
    actions = list(AuditRecord.objects.filter(object_type="funds.fundentry").values_list("action", flat=True))
    assert actions == [Action.MONEY_DELETED, Action.MONEY_CHANGED]  # newest first


# --- the entry's page for everyone who reads the ledger -------------------------------------------------------


def history_url(entry):
    return reverse("funds:history", args=[entry.pk])


@pytest.mark.parametrize("persona", ["admin_user", "secretary_a", "street_user"])
def test_whoever_reads_the_ledger_sees_an_entrys_history(request, login_as, admin_client, building, persona):
    entry = income(building, "1.00", datetime.date(2026, 1, 5))
    admin_client.post(edit_url(entry), corrected(entry, "99999.00"))
    response = login_as(request.getfixturevalue(persona)).get(history_url(entry))
    assert response.status_code == 200
    assert [r.changes for r in response.context["history"]] == [{"amount": ["1.00", "99999.00"]}]
    assert response.context["can_edit"] == (persona == "admin_user")


def test_the_ledger_links_each_entry_to_its_history(secretary_a_client, building):
    entry = income(building, "1.00", datetime.date(2026, 1, 5))
    page = secretary_a_client.get(reverse("funds:list"), {"year": 2026}).content.decode()
    assert history_url(entry) in page


def test_an_entrys_history_needs_a_sign_in(client, building):
    response = client.get(history_url(income(building, "1.00", datetime.date(2026, 1, 5))))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_members_liaisons_and_contacts_cannot_see_an_entrys_history(request, login_as, building, persona):
    entry = income(building, "1.00", datetime.date(2026, 1, 5))
    assert login_as(request.getfixturevalue(persona)).get(history_url(entry)).status_code == 403


def test_another_buildings_admin_cannot_see_our_entrys_history(login_as, building, other_admin):  # noqa: F811
    entry = income(building, "1.00", datetime.date(2026, 1, 5))
    assert login_as(other_admin).get(history_url(entry)).status_code == 404
