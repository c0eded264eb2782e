"""Signing in and out, password change and reset, brute-force lockout, session lifetime."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from buildingparty.middleware import LOGIN_AT_KEY
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_user_signs_in_and_lands_on_home(client, secretary_a):
    response = sign_in(client, "sec_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get("/").status_code == 200


def test_wrong_password_shows_the_form_again_with_an_error(client, secretary_a):
    response = sign_in(client, "sec_a", "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors


def test_sign_out_is_a_post_and_ends_the_session(client, secretary_a):
    client.force_login(secretary_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_five_wrong_passwords_lock_that_username_from_that_address(client, secretary_a):
    for _ in range(5):
        sign_in(client, "sec_a", "wrong")
    locked = sign_in(client, "sec_a", PASSWORD)
    assert locked.status_code == 429
    assert "sign-in" in locked.content.decode().lower() or "登录" in locked.content.decode()


def test_lockout_does_not_stop_the_real_user_at_another_address(client, secretary_a):
    for _ in range(5):
        sign_in(client, "sec_a", "wrong", ip="10.9.9.9")
    assert sign_in(client, "sec_a", PASSWORD, ip="10.0.0.2").status_code == 302


def test_lockout_ends_after_the_cool_off(client, secretary_a, settings):
    for _ in range(5):
        sign_in(client, "sec_a", "wrong")
    assert sign_in(client, "sec_a", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )
    assert sign_in(client, "sec_a", PASSWORD).status_code == 302


def test_password_change(client, secretary_a):
    client.force_login(secretary_a)
    new = "a-new-strong-pass-2026"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    secretary_a.refresh_from_db()
    assert secretary_a.check_password(new)


def test_password_reset_sends_an_email_with_a_working_link(client, secretary_a):
    response = client.post(reverse("password_reset"), {"email": secretary_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new = "a-reset-strong-pass-2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    secretary_a.refresh_from_db()
    assert secretary_a.check_password(new)


def test_session_ends_twelve_hours_after_sign_in_however_active(client, secretary_a):
    client.force_login(secretary_a)
    assert client.get("/").status_code == 200
    session = client.session
    session[LOGIN_AT_KEY] = (timezone.now() - datetime.timedelta(hours=12, minutes=1)).timestamp()
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get("/").status_code == 302


def test_idle_sessions_expire_after_thirty_minutes(client, secretary_a):
    client.force_login(secretary_a)
    client.get("/")
    assert client.session.get_expiry_age() == 30 * 60
