"""Two-factor sign-in end to end: a building admin signs in with the password, enrols an authenticator by reading
the key from the page (the code is made here as the phone's app would make it), keeps the recovery codes, signs out,
signs in again with a code, and once more with a recovery code, which is then spent."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from conftest import PASSWORD
from tests.factories import BuildingFactory, UserFactory

from .conftest import ARTIFACTS, axe_violations, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(key: bytes, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for ``key`` now, or that many 30-second steps later."""
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def submit_code(page, form_testid: str, code: str):
    form = page.get_by_test_id(form_testid)
    form.locator("input[name=otp_token]").fill(code)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_an_admin_enrols_and_signs_in_with_a_code_and_with_a_recovery_code(page, settings):
    settings.REQUIRE_2FA = True
    UserFactory(username="admin2fa", role="admin", building=BuildingFactory(name="中央大厦"), is_staff=True)
    home = page.base_url.rstrip("/")

    # 1. The password alone leads to the enrolment page, not home.
    sign_in(page, "admin2fa", PASSWORD)
    assert "/accounts/two-factor/enrol/" in page.url
    assert page.locator("h1").inner_text().strip() == "设置两步验证"
    assert page.get_by_test_id("totp-qr").locator("svg").count() == 1
    assert axe_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the card fits without sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "two-factor-enrol-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    key = b32decode(page.get_by_test_id("totp-secret").inner_text().replace(" ", ""))

    # 2. A wrong code is refused next to the field; the right one turns it on and shows the recovery codes.
    wrong = f"{(int(app_code(key)) + 500_000) % 1_000_000:06d}"
    submit_code(page, "two-factor-enrol-form", wrong)
    assert "验证码不正确" in page.locator(".invalid-feedback").inner_text()
    time.sleep(1.1)  # the device waits a second after a wrong code
    submit_code(page, "two-factor-enrol-form", app_code(key))
    assert "/accounts/two-factor/recovery-codes/" in page.url
    codes = [c.strip() for c in page.get_by_test_id("recovery-code").all_inner_texts()]
    assert len(codes) == 10
    page.screenshot(path=str(ARTIFACTS / "two-factor-recovery-codes.png"), full_page=True)
    page.get_by_test_id("recovery-codes-done").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == home
    sign_out(page)

    # 3. Next sign-in: the password, then the app's code (the next step's: the one used to enrol is spent).
    sign_in(page, "admin2fa", PASSWORD)
    assert "/accounts/two-factor/verify/" in page.url
    assert axe_violations(page) == []
    submit_code(page, "two-factor-verify-form", app_code(key, steps_ahead=1))
    assert page.url.rstrip("/") == home
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("two-factor-link").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("recovery-codes-left").inner_text().strip() == "10"
    sign_out(page)

    # 4. Without the phone: a recovery code signs in once.
    sign_in(page, "admin2fa", PASSWORD)
    submit_code(page, "two-factor-verify-form", codes[0])
    assert page.url.rstrip("/") == home
    assert "还剩 9 个恢复码" in page.content()
    sign_out(page)
    sign_in(page, "admin2fa", PASSWORD)
    submit_code(page, "two-factor-verify-form", codes[0])
    assert "/accounts/two-factor/verify/" in page.url
    assert "验证码不正确" in page.locator(".invalid-feedback").inner_text()

    assert page.console_errors == []
