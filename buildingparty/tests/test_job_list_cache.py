"""The job page is kept whole (``data_cache.page``) under the account, until a run, an email or a schedule is written
(their tables have versions of their own), for ``JOB_LIST_SECONDS`` at most (whether the worker is late moves with
the clock).

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buildingparty import data_cache, job_views
from buildingparty.models import JobRun, Notification
from tests.factories import BuildingFactory, UserFactory
from tests.kept import main_without_tokens as main
from tests.kept import queries_on, signed_in

from .jobs_factories import job_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

PRUNE = "buildingparty.prune_history"


def job_row(body: str, name: str) -> str:
    return body.split(f'data-job="{name}"', 1)[1].split("</tr>", 1)[0]


def test_the_job_page_is_kept_until_a_run_is_written_and_a_minute_at_most(admin_user, monkeypatch):
    client = signed_in(admin_user)
    url = reverse("job_list")
    first = main(client.get(url))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get(url))
    assert second == first
    assert not queries_on(again, "buildingparty_jobrun")  # from the cache

    job_run(PRUNE, JobRun.Outcome.FAILED)  # a run written: shown at once
    assert 'data-outcome="failed"' in job_row(main(client.get(url)), PRUNE)
    kept = []  # and a minute at most: the timeout it is kept with (the cache backend, Redis in CI, expires it)
    real = data_cache.cached

    def spy(name, parts, compute, timeout=data_cache.TIMEOUT, **options):
        kept.append((name, timeout))
        return real(name, parts, compute, timeout, **options)

    monkeypatch.setattr(data_cache, "cached", spy)
    client.get(url)
    assert kept == [("job_list", job_views.JOB_LIST_SECONDS)]


def test_an_email_problem_shows_at_once(admin_user, building):
    client = signed_in(admin_user)
    url = reverse("job_list")
    recipient = UserFactory(username="recipient", role="member", building=building, name="收件人")
    assert 'data-testid="email-problems"' not in main(client.get(url))
    Notification.objects.create(user=recipient, event="test", title="一封没发出去的信", email_attempts=2)
    assert "一封没发出去的信" in main(client.get(url))


def test_two_buildings_admins_never_see_each_others_email_problems(admin_user, building):
    other_building = BuildingFactory(name="另一幢楼")
    other_admin = UserFactory(username="other_admin", role="admin", building=other_building)
    ours = UserFactory(username="ours", role="member", building=building)
    theirs = UserFactory(username="theirs", role="member", building=other_building)
    Notification.objects.create(user=ours, event="test", title="本楼的信", email_attempts=1)
    Notification.objects.create(user=theirs, event="test", title="别楼的信", email_attempts=1)
    url = reverse("job_list")
    mine = signed_in(admin_user)
    mine.get(url)
    first, second = main(mine.get(url)), main(signed_in(other_admin).get(url))
    assert "本楼的信" in first and "别楼的信" not in first
    assert "别楼的信" in second and "本楼的信" not in second
