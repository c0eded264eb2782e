"""Links in emails follow the address the app is actually served on: SITE_URL from the environment, which
``make run`` (bin/run-dev) derives from the port it serves on."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.core import mail

from buildingparty.notifications import notify
from buildingparty.services import email_notifications, site_link

ROOT = Path(__file__).resolve().parents[2]


def _clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    env.update(extra)
    return env


def test_rule_the_email_link_uses_site_url_from_the_environment(tmp_path):
    code = (
        "import django; django.setup(); from buildingparty.services import site_link; "
        "print(site_link('/members/mine/'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_clean_env(
            SITE_URL="http://127.0.0.1:8123/",
            DJANGO_SETTINGS_MODULE="buildingparty.settings",
            BUILDINGPARTY_VAR_DIR=str(tmp_path),
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8123/members/mine/"


def test_the_email_carries_the_absolute_link(settings, member_user):
    settings.SITE_URL = "http://127.0.0.1:8123"
    (note,) = notify(users=[member_user], event="request_withdrawn", context={}, url="/services/1/")

    email_notifications(ids=[note.pk])

    assert mail.outbox[-1].body.endswith("\n\nhttp://127.0.0.1:8123/services/1/")
    assert site_link("/x/") == "http://127.0.0.1:8123/x/"


def _run_dev(tmp_path, **env) -> str:
    """bin/run-dev with stand-ins for gunicorn and celery that report what they were given, then stop."""
    (tmp_path / "bin").mkdir()
    shutil.copy(ROOT / "bin" / "run-dev", tmp_path / "bin" / "run-dev")
    fake_bin = tmp_path / ".venv" / "bin"
    fake_bin.mkdir(parents=True)
    for name in ("gunicorn", "celery"):
        script = fake_bin / name
        # Each reports, then waits for the other's report: run-dev stops both as soon as one ends.
        script.write_text(
            "#!/usr/bin/env bash\n"
            f'seen="$(dirname "$0")/seen"; echo "{name} $* SITE_URL=$SITE_URL" >> "$seen"\n'
            'for _ in $(seq 100); do [ "$(wc -l < "$seen")" -ge 2 ] && exit 0; sleep 0.1; done\n'
        )
        script.chmod(0o755)
    result = subprocess.run(
        ["bash", str(tmp_path / "bin" / "run-dev")], env=_clean_env(**env), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return (fake_bin / "seen").read_text()


def test_rule_make_run_serves_on_port_and_links_follow_it(tmp_path):
    seen = _run_dev(tmp_path, PORT="8123")

    assert "--bind 127.0.0.1:8123" in seen
    assert seen.count("SITE_URL=http://127.0.0.1:8123") == 2  # the web server and the worker that sends emails


def test_an_explicit_site_url_wins(tmp_path):
    seen = _run_dev(tmp_path, PORT="8123", SITE_URL="https://party.example.cn")

    assert seen.count("SITE_URL=https://party.example.cn") == 2
