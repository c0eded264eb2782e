"""Personas and test-wide settings.

Personas follow STYLE.md: an admin, a secretary of branch A and of branch B, a member of branch A, and an
outsider (a member of another building). Each is a logged-in ``Client`` fixture as well as a user.
"""

import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import (
    BuildingFactory,
    EnterpriseFactory,
    MemberFactory,
    OrganizationFactory,
    UserFactory,
)

PASSWORD = "a-test-pass-2026"


def pytest_configure(config):
    # Tests talk plain HTTP to the test client and the live server; the production defaults stay as they are.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    # The manifest exists only after collectstatic; tests resolve static files from the source tree.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Two-factor sign-in is off unless a test turns it on (settings.REQUIRE_2FA = True): buildingparty/two_factor.py
    settings.REQUIRE_2FA = False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if settings.CELERY_BROKER_URL.startswith("redis://") and worker.startswith("gw"):
        # Under pytest-xdist each process gets its own Redis database, so one process's real worker never takes
        # another's messages (PostgreSQL test databases are suffixed per process by pytest-django already).
        from urllib.parse import urlsplit, urlunsplit

        from buildingparty.celery import app

        parts = urlsplit(settings.CELERY_BROKER_URL)
        url = urlunsplit(parts._replace(path=f"/{1 + int(worker[2:]) % 15}"))
        settings.CELERY_BROKER_URL = url
        app.conf.broker_url = url
    # Caches: each test process its own, so one process clearing the cache (the _empty_cache fixture) or caching a
    # home panel never reaches another's tests. Redis (CI): a database of its own per process, apart from the
    # brokers' above; otherwise memory (the folder cache of `make run` would be shared by the processes).
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(settings.CACHES["default"]["LOCATION"])
        database = 15 - int(worker[2:]) % 8 if worker.startswith("gw") else 15
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": urlunsplit(parts._replace(path=f"/{database}"))}
        }
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if settings.CELERY_BROKER_URL == "filesystem://":
        # Each test session gets its own file-broker folders, so two runs on one machine never take each
        # other's messages (with Redis, CI runs one session at a time).
        import tempfile
        from pathlib import Path

        from buildingparty.celery import app

        root = Path(tempfile.mkdtemp(prefix="bp-broker-"))
        options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
        for key, sub in (
            ("data_folder_in", "out"),
            ("data_folder_out", "out"),
            ("processed_folder", "processed"),
            ("control_folder", "control"),
        ):
            (root / sub).mkdir(exist_ok=True)
            options[key] = str(root / sub)
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
        app.conf.broker_transport_options = options


def _tasks_inline():
    from buildingparty.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run inline unless a test starts a real worker (see tests/test_celery_worker.py)."""
    _tasks_inline()
    yield


@pytest.fixture
def kept_pages_at_once(monkeypatch):
    """For tests of pages kept by ``data_cache`` inside the test's transaction (which never commits, and is far
    cheaper than emptying every table after a ``transaction=True`` test): each write gives its tables a new
    version at once, as its commit would. ``buildingparty/tests/test_data_cache.py`` checks the commit itself."""
    from buildingparty import data_cache

    monkeypatch.setattr(data_cache, "BUMP_AT_ONCE", True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """No test sees another test's cached home panels (buildingparty.data_cache) or anything else cached."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(request, settings, tmp_path):
    """Uploaded files (attachments, evidence, the demo's files) go to the test's own folder, never to var/media.
    Under ``demo_seeded`` the folder starts with the files the module's seed wrote."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if "demo_seeded" in request.fixturenames:
        seeded = request.getfixturevalue("demo_seeded").media
        if seeded.exists():
            shutil.copytree(seeded, settings.MEDIA_ROOT)


@dataclass(frozen=True)
class SeededDemo:
    output: str  # what `seed_demo` printed
    media: Path  # the files it wrote


@pytest.fixture(scope="module")
def demo_seeded(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """`manage.py seed_demo` once for a whole test module instead of once per test (it takes seconds).

    The seed runs in a transaction that is rolled back after the module's last test; each test runs in a savepoint
    inside it, as tests always do, so what a test writes (a second seed included) is undone before the next. A
    module opts in whole, ``pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]``, so no
    test meets the demo without asking for it: tests that need an empty database live in another module."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    module = request.node
    unasked = [
        item.name
        for item in request.session.items
        if item.module is module.obj and "demo_seeded" not in getattr(item, "fixturenames", ())
    ]
    if unasked:
        pytest.fail(f"{module.name}: every test of a module seeded once must use demo_seeded; not: {unasked}")
    media = tmp_path_factory.mktemp("demo") / "media"
    _tasks_inline()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        cache.clear()
        try:
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield SeededDemo(output=out.getvalue(), media=media)
        finally:
            transaction.set_rollback(True)
            cache.clear()


@pytest.fixture
def building(db):
    return BuildingFactory(name="中央大厦")


@pytest.fixture
def general_branch(building):
    return OrganizationFactory(building=building, name="联合党总支", kind="general_branch", parent=None)


@pytest.fixture
def branch_a(general_branch):
    return OrganizationFactory(building=general_branch.building, name="第一党支部", parent=general_branch)


@pytest.fixture
def group_a(branch_a):
    return OrganizationFactory(building=branch_a.building, name="第一党小组", kind="group", parent=branch_a)


@pytest.fixture
def branch_b(general_branch):
    return OrganizationFactory(building=general_branch.building, name="第二党支部", parent=general_branch)


@pytest.fixture
def enterprise(building):
    return EnterpriseFactory(building=building)


@pytest.fixture
def admin_user(building):
    return UserFactory(username="admin", role="admin", building=building, is_staff=True)


@pytest.fixture
def secretary_a(branch_a):
    return UserFactory(username="sec_a", role="secretary", building=branch_a.building, organization=branch_a)


@pytest.fixture
def secretary_b(branch_b):
    return UserFactory(username="sec_b", role="secretary", building=branch_b.building, organization=branch_b)


@pytest.fixture
def member_user(branch_a, enterprise):
    user = UserFactory(username="member_a", role="member", building=branch_a.building)
    MemberFactory(organization=branch_a, enterprise=enterprise, user=user)
    return user


@pytest.fixture
def liaison_user(building, enterprise):
    user = UserFactory(username="liaison", role="liaison", building=building)
    enterprise.liaison = user
    enterprise.save(update_fields=["liaison"])
    return user


@pytest.fixture
def contact_user(building, enterprise):
    user = UserFactory(username="contact", role="contact", building=building)
    enterprise.contacts.add(user)
    return user


@pytest.fixture
def street_user(db):
    return UserFactory(username="street", role="street", building=None)


@pytest.fixture
def outsider(db):
    """A member of another building's branch: in no scope of ours."""
    other = BuildingFactory(name="另一幢楼")
    root = OrganizationFactory(building=other, name="另一总支", kind="general_branch", parent=None)
    branch = OrganizationFactory(building=other, name="另一支部", parent=root)
    user = UserFactory(username="outsider", role="member", building=other)
    MemberFactory(organization=branch, user=user)
    return user


@pytest.fixture
def admin_client(admin_user, client):
    client.force_login(admin_user)
    return client


@pytest.fixture
def secretary_a_client(secretary_a, client):
    client.force_login(secretary_a)
    return client


@pytest.fixture
def member_client(member_user, client):
    client.force_login(member_user)
    return client


@pytest.fixture
def login_as(client):
    """login_as(user) -> the test client, signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
