"""The Content-Security-Policy in a real browser: what it refuses is reported and fails the journey (the page
fixture), the Django admin works under it, and axe still runs."""

import pytest
from django.core.management import call_command

from tests.factories import UserFactory

from .conftest import axe_violations, csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-test-pass-2026"


def test_an_injected_inline_script_is_refused_and_reported(page):
    page.goto(page.base_url + "/accounts/login/")
    ran = page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.injectedRan = true;";
          document.body.appendChild(s);
          return window.injectedRan === true;
        }"""
    )
    assert ran is False
    page.wait_for_function("() => true")  # let the violation event reach the console
    assert any("script-src" in text for text in csp_violations(page)), page.console_errors
    page.console_errors.clear()  # seen and expected; the fixture would fail the test otherwise


def test_the_django_admin_works_under_the_policy(page):
    UserFactory(username="operator", role="admin", is_staff=True, is_superuser=True)
    sign_in(page, "operator", PASSWORD)
    for path in [
        "/admin/",
        "/admin/buildingparty/user/",
        "/admin/django_celery_beat/periodictask/add/",
    ]:
        response = page.goto(page.base_url + path)
        assert response.status == 200, path
        assert "'unsafe-inline'" not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    # The admin's own scripts ran: the changelist's select-all box and the add form's collapsible fieldsets.
    page.goto(page.base_url + "/admin/buildingparty/user/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select").first.is_checked()
    assert csp_violations(page) == []


def test_pages_with_charts_and_print_buttons_run_their_static_scripts(page):
    call_command("seed_demo", verbosity=0)
    sign_in(page, "admin", "demo-pass-2026")
    for path in [
        "/enterprises/coverage/",
        "/services/statistics/",
        "/members/points/board/",
        "/members/dues/reports/collection/",
    ]:
        response = page.goto(page.base_url + path)
        assert response.status == 200, path
        # Chart.js drew on the canvas: it sizes the canvas through the CSSOM, which the policy allows.
        assert page.locator("canvas").first.evaluate("c => c.width > 0 && !!window.Chart.getChart(c)"), path
    # A printable page with its own <style> (nonce) and a print button bound by static/js/print-button.js.
    page.goto(page.base_url + "/activities/duty/print/")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_test_id("print-button").click()
    assert page.evaluate("() => window.printed") == 1
    assert csp_violations(page) == []


def test_axe_runs_under_the_policy(page):
    page.goto(page.base_url + "/accounts/login/")
    assert axe_violations(page) == []
    assert csp_violations(page) == []
