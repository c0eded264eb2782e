"""A secretary narrows the member list to one enterprise: types two characters into the enterprise filter, picks
the suggestion the endpoint sends, and the list shows that enterprise's members only (issue 15)."""

import pytest

from tests.browser.conftest import sign_in
from tests.factories import EnterpriseFactory, MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-test-pass-2026"


def test_a_secretary_filters_the_member_list_by_an_enterprise_picked_while_typing(
    page, secretary_a, branch_a, building
):
    spark = EnterpriseFactory(building=building, name="慈溪星火科技有限公司")
    sea = EnterpriseFactory(building=building, name="慈溪海天贸易有限公司")
    MemberFactory(organization=branch_a, enterprise=spark, name="林星火")
    MemberFactory(organization=branch_a, enterprise=sea, name="陈海天")

    sign_in(page, secretary_a.username, PASSWORD)
    page.goto(page.base_url + "/members/")
    page.locator("[data-testid=member-filters] .ts-control").click()
    page.locator(".ts-dropdown .dropdown-input").fill("星火")
    page.locator(".ts-dropdown .option", has_text="慈溪星火科技有限公司").click()
    with page.expect_navigation():
        page.get_by_test_id("member-filters").locator("button[type=submit]").click()
    assert f"enterprise={spark.pk}" in page.url, page.url

    listed = page.locator("main").inner_text()
    assert "林星火" in listed and "陈海天" not in listed
    # The filter keeps showing the chosen enterprise by name.
    assert "慈溪星火科技有限公司" in page.locator(".ts-control .item").inner_text()
    assert page.console_errors == []
