"""Each demo account signs in through the real login page and finds its own navigation."""

import pytest
from django.core.management import call_command

from .conftest import ARTIFACTS, axe_violations, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"
# What each role must find in the bar, and what it must not.
EXPECTED_NAV = {
    "admin": ({"首页", "党组织", "党员", "企业", "系统管理"}, {"我的档案", "本企业"}),
    "secretary1": ({"首页", "党组织", "党员", "企业"}, {"系统管理", "我的档案"}),
    "secretary2": ({"首页", "党组织", "党员", "企业"}, {"系统管理", "我的档案"}),
    "liaison1": ({"首页", "企业"}, {"党员", "党组织"}),
    "member1": ({"首页", "我的档案"}, {"党员", "企业", "党组织"}),
    "contact1": ({"首页", "本企业"}, {"党员", "企业", "党组织"}),
    "street1": ({"首页", "党组织", "党员", "企业"}, {"系统管理"}),
}


def test_anonymous_visitor_is_sent_to_the_chinese_login_page(page):
    page.goto(page.base_url + "/members/")
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "楼宇党建管理平台"
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_each_demo_account_signs_in_and_sees_its_own_navigation(page):
    call_command("seed_demo", verbosity=0)
    ARTIFACTS.mkdir(exist_ok=True)
    for username, (must, must_not) in EXPECTED_NAV.items():
        sign_in(page, username, DEMO_PASSWORD)
        assert page.url.rstrip("/") == page.base_url.rstrip("/"), f"{username} did not reach home: {page.url}"
        labels = {t.strip() for t in page.get_by_test_id("main-nav").locator("a").all_inner_texts()}
        assert must <= labels, f"{username} misses {must - labels}"
        assert not (must_not & labels), f"{username} should not see {must_not & labels}"
        # Every offered link opens without error.
        for href in page.get_by_test_id("main-nav").locator("a").evaluate_all("els => els.map(e => e.href)"):
            response = page.request.get(href)
            assert response.status == 200, f"{username}: {href} answered {response.status}"
        page.screenshot(path=str(ARTIFACTS / f"home-{username}.png"), full_page=True)
        sign_out(page)
        assert "/accounts/login/" in page.url
    assert page.console_errors == []


ACCESSIBILITY_PAGES = [
    ("admin", "/"),
    ("admin", "/services/library/loans/"),
    ("admin", "/enterprises/coverage/"),
    ("admin", "/members/dues/arrears/"),
    ("admin", "/jobs/"),
    ("admin", "/jobs/members.generate_dues/"),
    ("secretary1", "/"),
    ("secretary1", "/members/"),
    ("secretary1", "/members/dues/"),
    ("secretary1", "/members/dues/arrears/"),
    ("secretary1", "/members/dues/reports/ledger/"),
    ("secretary1", "/members/points/board/"),
    ("member1", "/"),
    ("member1", "/notifications/"),
    ("member1", "/members/dues/mine/"),
    ("member1", "/members/points/mine/"),
    ("contact1", "/services/"),
]


def test_pages_have_no_serious_accessibility_violations(page):
    call_command("seed_demo", verbosity=0)
    signed_in = None
    for username, path in ACCESSIBILITY_PAGES:
        if username != signed_in:
            if signed_in:
                sign_out(page)
            sign_in(page, username, DEMO_PASSWORD)
            signed_in = username
        page.goto(page.base_url + path)
        serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{username} {path}: {serious}"


def test_navigation_collapses_into_a_menu_on_a_phone(page):
    call_command("seed_demo", verbosity=0)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "secretary1", DEMO_PASSWORD)
    group = page.get_by_test_id("main-nav").locator("a.dropdown-toggle", has_text="党员")
    assert not group.is_visible()
    page.locator(".navbar-toggler").click()
    group.wait_for(state="visible")
    group.click()
    page.get_by_test_id("main-nav").locator("a.dropdown-item", has_text="党员名录").click()
    page.wait_for_url("**/members/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-members.png"), full_page=True)
