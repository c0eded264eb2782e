"""Two-factor sign-in: who must use it, the gate, enrolment, verification, recovery codes, the account page,
brute force, and the deploy check."""

import io
import time

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from buildingparty import two_factor
from conftest import PASSWORD
from tests.concurrency import at_the_same_moment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VERIFY = reverse("two_factor_verify")
ENROL = reverse("two_factor_enrol")
ACCOUNT = reverse("two_factor_account")
CODES = reverse("two_factor_recovery_codes")


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.REQUIRE_2FA = True


def code_for(device, *, steps_ahead=0) -> str:
    """The code the user's authenticator app shows now (or that many 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device, two_factor.recovery_codes_renew(user=user)


def sign_in(client, username, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)


def verified_client(client, user):
    device, codes = enrol(user)
    client.force_login(user)
    response = client.post(VERIFY, {"otp_token": code_for(device)})
    assert response.status_code == 302
    return client, device, codes


# --- Who must use it -------------------------------------------------------------------------------------------


def test_admins_street_viewers_and_superusers_must_use_it_other_roles_not(
    admin_user, street_user, secretary_a, member_user, liaison_user, contact_user
):
    superuser = UserFactory(username="root", role="member", is_superuser=True, is_staff=True)
    assert [two_factor.required_for(u) for u in (admin_user, street_user, superuser)] == [True, True, True]
    assert not any(two_factor.required_for(u) for u in (secretary_a, member_user, liaison_user, contact_user))


def test_with_the_setting_off_nobody_must_use_it(admin_user, settings):
    settings.REQUIRE_2FA = False
    assert not two_factor.required_for(admin_user)


def test_with_the_setting_off_an_admin_signs_in_with_the_password_alone(client, admin_user, settings):
    settings.REQUIRE_2FA = False
    sign_in(client, "admin")
    assert client.get(reverse("home")).status_code == 200


# --- The gate ----------------------------------------------------------------------------------------------------


def test_after_the_password_an_admin_without_an_authenticator_is_sent_to_enrol(client, admin_user):
    response = sign_in(client, "admin")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2F"


def test_after_the_password_an_enrolled_admin_is_sent_to_verify_with_the_page_asked_for(client, admin_user):
    enrol(admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("organization_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Forganizations%2F"


@pytest.mark.parametrize(
    "url_name", ["home", "audit_list", "job_list", "notification_list", "password_change", "two_factor_account"]
)
def test_every_page_sends_an_unverified_street_viewer_to_verify(client, street_user, url_name):
    enrol(street_user)
    client.force_login(street_user)
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_the_admin_site_is_behind_the_gate_too(client):
    superuser = UserFactory(username="root", role="member", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(ENROL)


def test_a_post_before_verification_is_not_carried_out(client, admin_user):
    enrol(admin_user)
    client.force_login(admin_user)
    response = client.post(reverse("notification_read_all"))
    assert response.status_code == 302 and response["Location"] == VERIFY


def test_sign_out_health_and_language_stay_open_before_verification(client, admin_user):
    enrol(admin_user)
    client.force_login(admin_user)
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302  # signed out: the login page now
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_members_and_secretaries_are_not_affected(member_client, secretary_a, client):
    assert member_client.get(reverse("home")).status_code == 200
    member_client.force_login(secretary_a)
    assert member_client.get(reverse("organization_list")).status_code == 200


def test_a_verified_admin_uses_the_site(client, admin_user):
    verified_client(client, admin_user)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("organization_list")).status_code == 200


# --- Who may open the pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [VERIFY, ENROL, ACCOUNT, CODES])
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", [VERIFY, ENROL, ACCOUNT, CODES])
def test_a_member_does_not_use_two_factor_sign_in_and_gets_403(member_client, url):
    assert member_client.get(url).status_code == 403


def test_with_the_setting_off_the_pages_are_403_even_for_an_admin(admin_client, settings):
    settings.REQUIRE_2FA = False
    assert admin_client.get(ENROL).status_code == 403


# --- Enrolment ---------------------------------------------------------------------------------------------------


def test_enrolment_shows_the_qr_code_and_the_key_and_keeps_the_key_on_reload(admin_client, admin_user):
    response = admin_client.get(ENROL)
    assert response.status_code == 200
    body = response.content.decode()
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    assert "<svg" in body and "<script" not in body.split("<main", 1)[1].split("</main>")[0]
    assert response.context["secret"].replace(" ", "") in body.replace(" ", "")
    assert admin_client.get(ENROL).context["secret"] == response.context["secret"]
    assert TOTPDevice.objects.filter(user=admin_user).count() == 1
    assert two_factor.secret_text(device) == response.context["secret"]


def test_enrolment_with_the_right_code_turns_it_on_and_shows_ten_recovery_codes_once(admin_client, admin_user):
    admin_client.get(ENROL)
    device = TOTPDevice.objects.get(user=admin_user)
    response = admin_client.post(ENROL, {"otp_token": code_for(device), "next": "/organizations/"})
    assert response.status_code == 302 and response["Location"].startswith(CODES)
    device.refresh_from_db()
    assert device.confirmed
    page = admin_client.get(response["Location"])
    codes = page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in page.content.decode() for code in codes)
    assert page.context["next"] == "/organizations/"
    assert sorted(StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True)) == sorted(codes)
    # shown once: the next visit goes to the account page
    assert admin_client.get(CODES)["Location"] == ACCOUNT
    # and this session is verified
    assert admin_client.get(reverse("organization_list")).status_code == 200


def test_enrolment_with_a_wrong_code_is_refused_with_a_chinese_message(admin_client, admin_user):
    admin_client.get(ENROL)
    device = TOTPDevice.objects.get(user=admin_user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = admin_client.post(ENROL, {"otp_token": wrong})
    assert response.status_code == 200
    assert "验证码不正确" in response.context["form"].errors["otp_token"][0]
    device.refresh_from_db()
    assert not device.confirmed
    assert admin_client.get(reverse("home")).status_code == 302


def test_an_enrolled_admin_cannot_enrol_again_before_verifying(client, admin_user):
    """Someone with only the password must not replace the authenticator."""
    device, _ = enrol(admin_user)
    client.force_login(admin_user)
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    response = client.post(ENROL, {"otp_token": "123456"})
    assert response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=admin_user)) == [device]


# --- Verification ------------------------------------------------------------------------------------------------


def test_the_current_code_verifies_and_goes_on_to_the_page_asked_for(client, admin_user):
    device, _ = enrol(admin_user)
    client.force_login(admin_user)
    response = client.post(VERIFY, {"otp_token": code_for(device), "next": "/organizations/"})
    assert response.status_code == 302 and response["Location"] == "/organizations/"
    assert client.get("/organizations/").status_code == 200


def test_an_unsafe_next_is_ignored(client, admin_user):
    device, _ = enrol(admin_user)
    client.force_login(admin_user)
    response = client.post(VERIFY, {"otp_token": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_a_wrong_code_is_refused_in_chinese_and_recorded_as_a_failed_sign_in(client, admin_user):
    device, _ = enrol(admin_user)
    client.force_login(admin_user)
    wrong = f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"
    response = client.post(VERIFY, {"otp_token": wrong}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    attempt = AccessAttempt.objects.get(username="admin")
    assert attempt.failures_since_start == 1 and attempt.path_info == VERIFY
    assert wrong not in attempt.post_data  # the code is masked in the record
    assert client.get(reverse("home")).status_code == 302


def test_a_code_is_not_accepted_twice(client, admin_user):
    device, _ = enrol(admin_user)
    code = code_for(device)
    client.force_login(admin_user)
    assert client.post(VERIFY, {"otp_token": code}).status_code == 302
    client.post(reverse("logout"))
    client.force_login(admin_user)
    response = client.post(VERIFY, {"otp_token": code})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()


def test_right_after_a_wrong_code_the_device_waits_before_checking_again(client, admin_user):
    device, _ = enrol(admin_user)
    client.force_login(admin_user)
    client.post(VERIFY, {"otp_token": "000000" if code_for(device) != "000000" else "111111"})
    response = client.post(VERIFY, {"otp_token": code_for(device)})
    assert response.status_code == 200
    assert "错误次数过多" in response.content.decode()


def test_five_wrong_codes_lock_the_account_out_and_end_the_session(client, admin_user):
    device, _ = enrol(admin_user)
    client.force_login(admin_user)
    statuses = [client.post(VERIFY, {"otp_token": "abcdefgh"}).status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4 and statuses[4] == 429
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    # the password alone does not get back in while locked
    assert sign_in(client, "admin", ip="127.0.0.1").status_code == 429


def test_a_recovery_code_works_once(client, admin_user):
    _, codes = enrol(admin_user)
    client.force_login(admin_user)
    response = client.post(VERIFY, {"otp_token": codes[0].upper()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "还剩 9 个恢复码" in response.content.decode()
    assert StaticToken.objects.filter(device__user=admin_user).count() == 9
    client.post(reverse("logout"))
    client.force_login(admin_user)
    response = client.post(VERIFY, {"otp_token": codes[0]})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()


def test_verified_users_are_sent_on_from_the_verify_page(client, admin_user):
    verified_client(client, admin_user)
    assert client.get(VERIFY)["Location"] == reverse("home")


# --- The account page --------------------------------------------------------------------------------------------


def test_the_account_page_shows_the_status_and_is_linked_from_the_user_menu(client, admin_user):
    verified_client(client, admin_user)
    response = client.get(ACCOUNT)
    assert response.status_code == 200
    assert response.context["codes_left"] == 10
    assert response.context["device"].user == admin_user
    assert ACCOUNT in client.get(reverse("home")).content.decode()


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(client, admin_user):
    _, _, old = verified_client(client, admin_user)
    response = client.post(ACCOUNT, {"action": "renew", "password": "wrong"})
    assert response.status_code == 200
    assert "密码不正确" in response.content.decode()
    assert AccessAttempt.objects.get(username="admin").failures_since_start == 1
    response = client.post(ACCOUNT, {"action": "renew", "password": PASSWORD}, follow=True)
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True)) == set(new)


def test_reset_needs_the_password_then_removes_the_authenticator_and_asks_to_enrol(client, admin_user):
    verified_client(client, admin_user)
    client.post(ACCOUNT, {"action": "reset", "password": "wrong"})
    assert TOTPDevice.objects.filter(user=admin_user).exists()
    response = client.post(ACCOUNT, {"action": "reset", "password": PASSWORD})
    assert response["Location"] == ENROL
    assert not TOTPDevice.objects.filter(user=admin_user).exists()
    assert not StaticDevice.objects.filter(user=admin_user).exists()
    assert client.get(reverse("home"))["Location"].startswith(ENROL)
    assert client.get(ENROL).status_code == 200


# --- Deploy check ------------------------------------------------------------------------------------------------


def test_the_deploy_check_warns_when_production_runs_without_two_factor_sign_in(settings):
    settings.DEBUG = False
    settings.REQUIRE_2FA = False
    assert [w.id for w in two_factor.check_two_factor_required(None)] == ["buildingparty.W014"]
    settings.REQUIRE_2FA = True
    assert two_factor.check_two_factor_required(None) == []


def test_the_operator_resets_a_user_who_lost_phone_and_codes_from_the_command_line(client, admin_user):
    enrol(admin_user)
    out = io.StringIO()
    call_command("two_factor_reset", "admin", stdout=out)
    assert "removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=admin_user).exists()
    client.force_login(admin_user)
    assert client.get(reverse("home"))["Location"].startswith(ENROL)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_one_recovery_code_sent_twice_at_the_same_moment_signs_in_once(admin_user):
    _, codes = enrol(admin_user)
    outcomes = at_the_same_moment(*[lambda: two_factor.verify(user=admin_user, token=codes[0]).device] * 2)
    assert [o.error for o in outcomes] == [None, None]
    assert sum(o.result is not None for o in outcomes) == 1
    assert StaticToken.objects.filter(device__user=admin_user, token=codes[0]).count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_one_app_code_sent_twice_at_the_same_moment_signs_in_once(admin_user):
    device, _ = enrol(admin_user)
    code = code_for(device)
    outcomes = at_the_same_moment(*[lambda: two_factor.verify(user=admin_user, token=code).device] * 2)
    assert [o.error for o in outcomes] == [None, None]
    assert sum(o.result is not None for o in outcomes) == 1
