"""The environment decides the settings; production defaults are safe; bad values stop start-up."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_extra: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update({"BUILDINGPARTY_VAR_DIR": str(tmp_path)}, **env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_passes_with_production_variables(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        env_extra={
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "party.example.cn",
            # issue 14 (crypto): the ID number keys come from the environment in production.
            "ID_ENCRYPTION_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            "ID_HASH_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_a_malformed_boolean_stops_start_up_with_a_clear_message(tmp_path):
    result = run_manage("check", tmp_path=tmp_path, env_extra={"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_a_malformed_number_stops_start_up(tmp_path):
    result = run_manage("check", tmp_path=tmp_path, env_extra={"AXES_FAILURE_LIMIT": "five"})
    assert result.returncode != 0
    assert "AXES_FAILURE_LIMIT='five' is not a whole number" in result.stderr


def test_without_a_secret_key_one_is_generated_and_kept_private(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        tmp_path=tmp_path,
        env_extra={},
    )
    key_file = tmp_path / "secret_key"
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key_file.read_text().strip()
    assert len(key_file.read_text().strip()) >= 50
    assert oct(key_file.stat().st_mode)[-3:] == "600"


def test_without_redis_celery_uses_the_file_broker_under_var(tmp_path):
    code = "from django.conf import settings; print(settings.CELERY_BROKER_URL)"
    result = run_manage("shell", "--no-imports", "-c", code, tmp_path=tmp_path, env_extra={"REDIS_URL": ""})
    assert result.stdout.strip() == "filesystem://"
    assert (tmp_path / "celery" / "out").is_dir()


def test_with_redis_url_redis_is_broker_and_cache(tmp_path):
    code = (
        "from django.conf import settings; print(settings.CELERY_BROKER_URL); "
        "print(settings.CACHES['default']['BACKEND'])"
    )
    result = run_manage(
        "shell", "--no-imports", "-c", code, tmp_path=tmp_path, env_extra={"REDIS_URL": "redis://127.0.0.1:6379/3"}
    )
    assert result.stdout.split() == ["redis://127.0.0.1:6379/3", "django.core.cache.backends.redis.RedisCache"]


def test_time_language_and_session_defaults():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_MAX_LIFETIME.total_seconds() == 12 * 3600


def test_debug_is_off_unless_asked_for():
    assert settings.DEBUG is False


def test_static_files_collect_with_the_production_manifest_storage(tmp_path):
    """WhiteNoise's manifest storage rejects a stylesheet pointing at a file we do not ship (a source map)."""
    code = (
        "from django.conf import settings; from django.core.management import call_command; "
        f"settings.STATIC_ROOT = {str(tmp_path / 'static')!r}; "
        "call_command('collectstatic', '--noinput', verbosity=0); print('collected')"
    )
    result = run_manage("shell", "--no-imports", "-c", code, tmp_path=tmp_path, env_extra={"DJANGO_DEBUG": "false"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()
