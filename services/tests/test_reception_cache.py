"""The reception visits are kept whole, as HTML, per account in ``buildingparty.data_cache`` (issue 15): a second
visit reads no reception visit from the database, a visit recorded or turned into a request shows on the next
visit, and a secretary never sees what is kept for another branch's secretary (she sees the visits she recorded).

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.models import ReceptionVisit, ServiceCategory
from services.reception import reception_record, reception_to_request
from tests.kept import main_without_tokens as main
from tests.kept import queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

LIST = reverse("services:reception_list")


def test_the_visits_are_kept_per_account_and_show_a_write_at_once(building, secretary_a, secretary_b, admin_user):
    ServiceCategory.objects.create(building=building, code="help", name="困难帮扶", audience="members")
    ours_visit = reception_record(recorded_by=secretary_a, visitor_name="王阿姨", topic="咨询党费交纳标准")
    reception_record(recorded_by=secretary_b, visitor_name="李师傅", topic="转接组织关系")
    ours, theirs = signed_in(secretary_a), signed_in(secretary_b)

    first = main(ours.get(LIST))
    with CaptureQueriesContext(connection) as again:
        second = main(ours.get(LIST))
    assert second == first and "王阿姨" in first and "李师傅" not in first
    assert not queries_on(again, "services_receptionvisit")  # from the cache
    assert reverse("services:reception_to_request", args=[ours_visit.pk]) in second
    assert "bp-kept-csrf-token" not in second

    other = main(theirs.get(LIST))  # another branch's secretary: the visits she recorded, never ours
    assert "李师傅" in other and "王阿姨" not in other
    assert "李师傅" not in main(ours.get(LIST))

    ReceptionVisit.objects.filter(pk=ours_visit.pk).update(topic="改过的来访事由")  # a bulk update
    assert "改过的来访事由" in main(ours.get(LIST))
    reception_record(recorded_by=secretary_a, visitor_name="赵大爷", topic="看望")  # an ORM save
    page = main(ours.get(LIST))
    assert "赵大爷" in page and "赵大爷" not in main(theirs.get(LIST))
    assert "赵大爷" in main(signed_in(admin_user).get(LIST))  # the admin sees the building's every visit

    category = ServiceCategory.objects.get(code="help")
    reception_to_request(visit=ours_visit, category=category, by=secretary_a)
    assert reverse("services:reception_to_request", args=[ours_visit.pk]) not in main(ours.get(LIST))


def test_a_street_viewer_gets_no_buttons_kept_from_staff(building, admin_user, street_user):
    ServiceCategory.objects.create(building=building, code="help", name="困难帮扶", audience="members")
    visit = reception_record(recorded_by=admin_user, visitor_name="王阿姨", topic="咨询")
    button = reverse("services:reception_to_request", args=[visit.pk])
    assert button in main(signed_in(admin_user).get(LIST))
    for _ in range(2):  # computed, then from the cache
        seen = main(signed_in(street_user).get(LIST))
        assert "王阿姨" in seen and button not in seen and 'data-testid="reception-create"' not in seen
