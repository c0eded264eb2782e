"""The Content-Security-Policy and the Permissions-Policy (issue 14, point 13).

Scripts come only from our static files: no template holds an inline <script>, an on*= handler or a
``javascript:`` URL, so the policy needs no 'unsafe-inline' for scripts. The browser side (a violation fails a
journey; the admin and axe under the policy) is in tests/browser/test_csp.py.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def all_templates() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


# An opening <script> tag without a src attribute, an on*= event attribute in a tag, a javascript: URL.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)
STYLE_TAG = re.compile(r"<style\b[^>]*>", re.I)


def inline_scripts(html: str) -> list[str]:
    # json_script's <script type="application/json"> is data, not script: the policy does not apply to it.
    found = [tag for tag in INLINE_SCRIPT.findall(html) if 'type="application/json"' not in tag]
    return found + HANDLER.findall(html) + JS_URL.findall(html)


@pytest.mark.django_db
def test_an_html_page_carries_the_policy_without_unsafe_inline_for_scripts(secretary_a_client):
    response = secretary_a_client.get(reverse("home"), secure=True)
    assert response.status_code == 200
    d = directives(response)
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'"]
    assert d["style-src"] == ["'self'"]  # this page has no <style> of its own, so no nonce either
    assert d["img-src"] == ["'self'", "data:"]
    assert d["object-src"] == ["'none'"]
    assert d["base-uri"] == ["'self'"]
    assert d["form-action"] == ["'self'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].replace("style-src-attr 'unsafe-inline'", "")
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_anonymous_login_page_carries_the_policy_too(client):
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_a_printable_page_with_its_own_style_block_gets_the_nonce_of_its_header(admin_client):
    response = admin_client.get(reverse("duty:print"), secure=True)
    assert response.status_code == 200
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode())
    assert nonce, "the print page's <style> has no nonce"
    assert directives(response)["style-src"] == ["'self'", f"'nonce-{nonce.group(1)}'"]
    assert directives(response)["script-src"] == ["'self'"]  # the nonce is for its style only
    again = admin_client.get(reverse("duty:print"), secure=True)
    assert nonce.group(1) not in again["Content-Security-Policy"]  # a fresh nonce for every response


@pytest.mark.django_db
def test_every_page_forbids_camera_microphone_location_payment_and_usb(client):
    response = client.get(reverse("login"), secure=True)
    policy = {part.strip() for part in response["Permissions-Policy"].split(",")}
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"} <= policy


def test_no_template_holds_an_inline_script_an_event_handler_or_a_javascript_url():
    offenders = {}
    for path in all_templates():
        found = inline_scripts(path.read_text())
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, "move these to a static file under static/js/ (data via data-* or json_script)"


def test_every_style_block_in_a_template_carries_the_request_nonce():
    for path in all_templates():
        for tag in STYLE_TAG.findall(path.read_text()):
            assert tag == '<style nonce="{{ request.csp_nonce }}">', f"{path.relative_to(ROOT)}: {tag}"


def test_the_template_scan_would_catch_each_kind_of_inline_script():
    assert inline_scripts("<script>alert(1)</script>")
    assert inline_scripts('<button type="button" onclick="window.print()">')
    assert inline_scripts('<select\n  onchange="this.form.submit()">')
    assert inline_scripts('<a href="javascript:void(0)">')
    assert not inline_scripts("<script src=\"{% static 'js/app.js' %}\" defer></script>")
    assert not inline_scripts('<script id="d" type="application/json">{"a": 1}</script>')
    assert not inline_scripts('<p data-once="1">online</p>')


@pytest.mark.django_db
def test_the_django_admin_pages_load_under_the_policy_without_inline_script(client):
    operator = UserFactory(username="operator", role="admin", is_staff=True, is_superuser=True)
    client.force_login(operator)
    pages = [
        reverse("admin:index"),
        reverse("admin:buildingparty_user_changelist"),
        reverse("admin:buildingparty_user_change", args=[operator.pk]),
        reverse("admin:django_celery_beat_periodictask_add"),
    ]
    for url in pages:
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert directives(response)["script-src"] == ["'self'"], url
        html = response.content.decode()
        assert inline_scripts(html) == [], url
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        for tag in STYLE_TAG.findall(html):
            assert nonce and f'nonce="{nonce.group(1)}"' in tag, f"{url}: {tag} would be refused"


def test_check_deploy_with_production_settings_says_nothing_about_the_policy(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "party.example.org",
        "BUILDINGPARTY_VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_SECURE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert "System check identified" in output, output  # it ran (other points' warnings are theirs to clear)
    assert "csp" not in output.lower() and "content-security" not in output.lower(), output
    assert not any("csp" in check.lower() for check in settings.SILENCED_SYSTEM_CHECKS)


def test_the_policy_is_on_whatever_the_environment():
    # Set in settings.py unconditionally, not under DEBUG or DJANGO_SECURE: make run and the tests see it too.
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert "buildingparty.middleware.PermissionsPolicyMiddleware" in settings.MIDDLEWARE
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]
