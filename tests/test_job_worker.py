"""Jobs on a real worker consuming from the configured broker (Redis in CI, the file broker otherwise): a failing
job is recorded as failed and the job page shows it; a lost database connection is retried after a back-off."""

import contextlib

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError
from django.urls import reverse

from buildingparty import jobs, outbox
from buildingparty.celery import app
from buildingparty.models import JobRun, OutboxMessage
from buildingparty.tests.jobs_factories import temporary_job
from tests.test_celery_worker import wait_for

Outcome = JobRun.Outcome


def missing_dues_standard() -> dict:
    raise ValueError("找不到党费标准")


def database_gone() -> dict:
    raise OperationalError("could not connect to server")


@contextlib.contextmanager
def real_worker():
    """A worker thread; start it after registering the test's jobs (it learns its tasks when it starts)."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = eager


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_failing_job_on_a_real_worker_is_recorded_failed_and_shown_on_the_job_page(admin_user, client):
    with temporary_job(missing_dues_standard) as job, real_worker():
        message = outbox.enqueue(job.name)  # what "run now" does
        assert wait_for(lambda: JobRun.objects.filter(job=job.name, outcome=Outcome.FAILED).exists())
        run = JobRun.objects.get(job=job.name)
        assert run.attempt == 1 and run.task_id and "ValueError: 找不到党费标准" in run.error
        assert OutboxMessage.objects.get(pk=message.pk).sent_at is not None

        client.force_login(admin_user)
        body = client.get(reverse("job_list")).content.decode()
        row = body[body.index(f'data-job="{job.name}"') :]
        row = row[: row.index("</tr>")]
        assert 'class="table-danger"' in row and 'data-outcome="failed"' in row
        assert "找不到党费标准" in client.get(reverse("job_detail", args=[job.name])).content.decode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_lost_database_after_a_growing_wait(monkeypatch):
    monkeypatch.setattr(jobs, "BACKOFF_SECONDS", 1)  # 1 s, then 2 s
    monkeypatch.setattr(jobs, "MAX_RETRIES", 2)
    with temporary_job(database_gone) as job, real_worker():
        job.task.delay()
        assert wait_for(lambda: JobRun.objects.filter(job=job.name, outcome=Outcome.FAILED).exists(), timeout=30)
    runs = list(JobRun.objects.filter(job=job.name).order_by("attempt"))
    assert [(r.attempt, r.outcome) for r in runs] == [(1, Outcome.RETRYING), (2, Outcome.RETRYING), (3, Outcome.FAILED)]
    waits = [(b.started_at - a.finished_at).total_seconds() for a, b in zip(runs, runs[1:], strict=False)]
    assert waits[0] >= 0.9 and waits[1] >= 1.9  # the back-off doubles
    assert len({r.task_id for r in runs}) == 1  # one task, retried
