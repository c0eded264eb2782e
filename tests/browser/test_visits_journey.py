"""secretary1 sees a follow-up overdue on her home page, looks in again and marks it done, then records a visit to
a member she finds by name; every page she passes is accessible and fits a phone. The street reads the counts."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.visits.models import HomeVisit
from buildingparty.models import User
from members.models import Member

from .conftest import axe_violations, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"
PHONE = {"width": 390, "height": 844}


def fits_a_phone(tab) -> bool:
    tab.set_viewport_size(PHONE)
    fits = tab.evaluate("() => document.documentElement.scrollWidth <= 391")
    tab.set_viewport_size({"width": 1280, "height": 900})
    return fits


def check(tab):
    assert axe_violations(tab) == [], tab.url
    assert fits_a_phone(tab), tab.url
    assert tab.console_errors == []


# ``page`` is the browser journeys' fixture (tests/browser/conftest.py).
def test_a_secretary_follows_up_a_visit_and_records_a_new_one(page):
    call_command("seed_demo", verbosity=0)
    secretary1 = User.objects.get(username="secretary1")
    overdue = HomeVisit.objects.filter(organization=secretary1.organization).follow_up_overdue(timezone.localdate())
    late = overdue.get()

    # 1. The home page tells her; the panel leads to the visit.
    sign_in(page, "secretary1", DEMO_PASSWORD)
    panel = page.get_by_test_id("visit-follow-ups-panel")
    assert panel.get_by_test_id("panel-visits-overdue").inner_text() == "1"
    panel.get_by_role("link", name=late.visited_name).first.click()
    page.wait_for_url(f"**/activities/visits/{late.pk}/")
    assert late.found in page.get_by_test_id("visit-notes").inner_text()
    check(page)

    # 2. She marks the follow-up done.
    page.fill("[data-testid=follow-up-done-form] textarea[name=note]", "已上门回访，老人已出院")
    page.locator("[data-testid=follow-up-done-form] button[type=submit]").click()
    page.wait_for_load_state()
    late.refresh_from_db()
    assert late.follow_up_done and late.follow_up_done_by == secretary1
    assert "已上门回访" in page.get_by_test_id("visit-follow-up").inner_text()

    # 3. She records a visit to a member of her branch, found by name.
    member = Member.objects.active().filter(organization__in=[secretary1.organization]).order_by("pk").first()
    page.goto(page.base_url + "/activities/visits/")
    check(page)
    page.get_by_test_id("new-visit").click()
    page.fill("[data-testid=visit-pick] input[name=q]", member.name)
    page.locator("[data-testid=visit-pick] button[type=submit]").click()
    page.wait_for_load_state()
    check(page)
    page.get_by_test_id("pick-results").get_by_role("link", name=member.name).first.click()
    page.wait_for_load_state()
    page.get_by_label("问一问").check()
    page.fill("textarea[name=found]", "工作繁忙但状态良好，希望支部活动安排在周末。")
    check(page)
    page.locator("[data-testid=visit-form] button[type=submit]").click()
    page.wait_for_load_state()
    visit = HomeVisit.objects.filter(member=member).latest("pk")
    assert visit.kind == HomeVisit.Kind.ENQUIRE and visit.recorded_by == secretary1
    assert page.url.endswith(f"/activities/visits/{visit.pk}/")

    # 4. The member's page and the hardship register.
    page.goto(page.base_url + f"/activities/visits/members/{member.pk}/")
    assert "工作繁忙" in page.get_by_test_id("member-visits").inner_text()
    check(page)
    page.goto(page.base_url + "/activities/visits/hardship/?status=all")
    check(page)
    sign_out(page)

    # 5. The street reads the counts, without names.
    sign_in(page, "street1", DEMO_PASSWORD)
    page.goto(page.base_url + "/activities/visits/summary/")
    assert member.name not in page.content()
    check(page)
