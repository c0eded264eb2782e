"""The funding ledger is kept whole, as HTML, in ``buildingparty.data_cache`` (issue 15): a second visit reads no
entry from the database, a new or changed entry shows on the next visit with the running balance (and the balance
brought forward to the next page) exact, and what is kept for one building's officers is never shown to another's.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.funds import selectors
from activities.funds.models import FundEntry
from tests.factories import BuildingFactory, OrganizationFactory, UserFactory
from tests.kept import main, queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

LIST = reverse("funds:list")
YEAR = datetime.date.today().year


def title(response) -> str:
    return response.content.decode().split("<title>", 1)[1].split("</title>", 1)[0]


def entry(building, amount, day, *, direction="income", description="街道拨付党建经费"):
    extra = {"source": "street"} if direction == "income" else {"purpose": "activities", "voucher_number": "PZ-1"}
    extra |= {"approver": "柴国营"} if direction == "expense" else {}
    return FundEntry.objects.create(
        building=building, date=day, direction=direction, amount=Decimal(amount), description=description, **extra
    )


@pytest.fixture
def other_admin(db):
    other = BuildingFactory(name="另一幢楼")
    OrganizationFactory(building=other, name="另一总支", kind="general_branch", parent=None)
    return UserFactory(username="other_admin", role="admin", building=other)


def test_the_ledger_is_kept_per_building_and_shows_a_write_at_once(building, admin_user, other_admin):
    ours_entry = entry(building, "1000.00", datetime.date(YEAR, 1, 2), description="本楼的拨款")
    entry(other_admin.building, "777.00", datetime.date(YEAR, 1, 3), description="别楼的拨款")
    ours, theirs = signed_in(admin_user), signed_in(other_admin)

    first = main(ours.get(LIST))
    with CaptureQueriesContext(connection) as again:
        second = ours.get(LIST)
    assert main(second) == first and "本楼的拨款" in first and "别楼的拨款" not in first
    assert not queries_on(again, "funds_fundentry")  # from the cache
    assert str(YEAR) in title(second)  # the title's year kept with the content

    other = main(theirs.get(LIST))  # another building's admin: her own ledger, never ours
    assert "别楼的拨款" in other and "本楼的拨款" not in other
    assert "别楼的拨款" not in main(ours.get(LIST))

    FundEntry.objects.filter(pk=ours_entry.pk).update(amount=Decimal("1500.00"), description="改过的拨款")  # bulk
    page = main(ours.get(LIST))
    assert "改过的拨款" in page and "¥1,500.00" in page
    entry(building, "200.00", datetime.date(YEAR, 1, 5), direction="expense", description="买了党旗")  # ORM save
    page = main(ours.get(LIST))
    assert "买了党旗" in page and "¥1,300.00" in page
    assert "买了党旗" not in main(theirs.get(LIST))


def test_the_balance_brought_forward_to_the_next_page_follows_an_earlier_entry(building, admin_user, monkeypatch):
    monkeypatch.setattr(selectors, "LEDGER_PAGE_SIZE", 2)
    for day in (1, 2, 3):
        entry(building, "100.00", datetime.date(YEAR, 1, day), description=f"第{day}笔")
    client = signed_in(admin_user)

    def brought_forward():
        page = main(client.get(LIST, {"page": 2}))
        return page.split('data-testid="opening-row"', 1)[1].split("</tr>", 1)[0]

    assert "¥200.00" in brought_forward()
    assert "¥200.00" in brought_forward()  # from the cache
    first = FundEntry.objects.get(description="第1笔")
    FundEntry.objects.filter(pk=first.pk).update(amount=Decimal("50.00"))  # an entry of page 1
    assert "¥150.00" in brought_forward()


def test_an_admin_and_a_secretary_of_one_building_are_kept_apart(building, admin_user, secretary_a):
    entry(building, "10.00", datetime.date(YEAR, 2, 1))
    admin_page = main(signed_in(admin_user).get(LIST))
    secretary_page = main(signed_in(secretary_a).get(LIST))
    assert 'data-testid="new-entry"' in admin_page and 'data-testid="new-entry"' not in secretary_page
    assert 'data-testid="export-xlsx"' in secretary_page
    assert 'data-testid="new-entry"' in main(signed_in(admin_user).get(LIST))


def test_a_street_viewer_chooses_the_building_and_each_choice_is_kept_apart(building, street_user, other_admin):
    entry(building, "10.00", datetime.date(YEAR, 2, 1), description="本楼的拨款")
    entry(other_admin.building, "20.00", datetime.date(YEAR, 2, 1), description="别楼的拨款")
    client = signed_in(street_user)
    for _ in range(2):  # computed, then from the cache
        ours = main(client.get(LIST, {"building": building.pk}))
        assert "本楼的拨款" in ours and "别楼的拨款" not in ours
        theirs = main(client.get(LIST, {"building": other_admin.building.pk}))
        assert "别楼的拨款" in theirs and "本楼的拨款" not in theirs
