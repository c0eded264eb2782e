"""The Celery wiring, end to end: a real worker consumes from the configured broker (Redis in CI, the file
broker otherwise) and writes to the test database."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django_celery_beat.models import PeriodicTask

from buildingparty import jobs
from buildingparty.builtin_jobs import heartbeat
from buildingparty.celery import app
from buildingparty.models import Heartbeat, JobRun

HEARTBEAT = "buildingparty.heartbeat"


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat_sent_after_commit(settings):
    app.conf.task_always_eager = False
    task = jobs.get(HEARTBEAT).task
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        task.delay_on_commit(name="worker-test")  # outside a transaction: sent at once
        assert wait_for(lambda: Heartbeat.objects.filter(name="worker-test").exists())
        task.delay(name="worker-test")
        assert wait_for(lambda: Heartbeat.objects.get(name="worker-test").count == 2)
        assert wait_for(lambda: JobRun.objects.filter(job=HEARTBEAT, outcome=JobRun.Outcome.SUCCEEDED).count() == 2)


@pytest.mark.django_db
def test_heartbeat_is_safe_to_run_twice():
    heartbeat(name="twice")
    first = Heartbeat.objects.get(name="twice").beat_at
    heartbeat(name="twice")
    row = Heartbeat.objects.get(name="twice")
    assert row.count == 2 and row.beat_at >= first
    assert Heartbeat.objects.filter(name="twice").count() == 1


@pytest.mark.django_db
def test_migrate_schedules_the_heartbeat_in_the_database():
    task = PeriodicTask.objects.get(name=HEARTBEAT)
    assert task.task == HEARTBEAT and task.enabled
    assert task.interval.every > 0


@pytest.mark.django_db
def test_migrate_renames_the_heartbeat_row_of_earlier_versions_keeping_its_edits():
    from buildingparty.schedules import ensure_periodic_tasks

    PeriodicTask.objects.filter(name=HEARTBEAT).update(name="heartbeat", task="buildingparty.tasks.heartbeat")
    PeriodicTask.objects.filter(name="heartbeat").update(enabled=False)
    ensure_periodic_tasks()
    task = PeriodicTask.objects.get(task=HEARTBEAT)
    assert task.name == HEARTBEAT and task.enabled is False
    assert not PeriodicTask.objects.filter(name="heartbeat").exists()


@pytest.mark.django_db
def test_an_admins_edit_to_a_schedule_survives_the_next_migrate():
    from buildingparty.schedules import ensure_periodic_tasks

    PeriodicTask.objects.filter(name=HEARTBEAT).update(enabled=False)
    ensure_periodic_tasks()
    assert PeriodicTask.objects.get(name=HEARTBEAT).enabled is False


def test_celery_reads_its_reliability_settings_from_django():
    assert app.conf.task_acks_late is False
    assert jobs.get(HEARTBEAT).task.acks_late is True  # idempotent, so it may be delivered again after a crash
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_publish_retry_policy["max_retries"] <= 3
    assert HEARTBEAT in app.tasks and "buildingparty.tasks.send_notification_emails" in app.tasks
