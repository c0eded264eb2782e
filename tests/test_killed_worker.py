"""A killed worker loses no job for long (issue 14): a real worker process, SIGKILLed in the middle of a job,
leaves a run that is marked abandoned, and the job runs again once a worker is back, creating everything once.

Needs PostgreSQL and Redis (CI has both): the worker is a separate process, which cannot see SQLite's in-memory
test database or the test session's own file-broker folders."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from buildingparty.celery import app
from buildingparty.models import JobRun, Notification
from tests.factories import UserFactory
from tests.test_celery_worker import wait_for

# Imported by the worker only: registering the job here would add it to every other test's job list.
JOB = "tests.notify_at_a_gate"
DEDUPE_KEY = "tests-killed-worker"
BASE_DIR = Path(settings.BASE_DIR)


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker_process(log: Path) -> subprocess.Popen:
    """``celery worker`` as its own process on the test database and broker, with quick signs of life."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": app.conf.broker_url,
        "JOB_ALIVE_SECONDS": "1",
        "JOB_ABANDONED_AFTER_SECONDS": "3",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONPATH": str(BASE_DIR),
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "buildingparty",
        "worker",
        "--pool=solo",
        "--include=tests.worker_jobs",
        f"--hostname=killed-{uuid.uuid4().hex[:6]}@%h",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=info",
    ]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_runs_again_once_a_worker_is_back_and_notifies_each_user_once(
    tmp_path,
):
    if connection.vendor != "postgresql" or not app.conf.broker_url.startswith("redis://"):
        pytest.skip("needs PostgreSQL and Redis: the worker is another process (CI runs it)")
    users = UserFactory.create_batch(4)
    gate, log = tmp_path / "gate", tmp_path / "worker.log"
    app.conf.task_always_eager = False
    first = start_worker_process(log)
    second = None
    try:
        task_id = app.send_task(JOB, kwargs={"user_ids": [u.pk for u in users], "gate": str(gate)}).id
        assert wait_for(lambda: Notification.objects.filter(dedupe_key=DEDUPE_KEY).count() == 2, timeout=60), (
            log.read_text()
        )
        first.send_signal(signal.SIGKILL)  # mid-run: half notified, waiting at the gate
        first.wait(timeout=10)
        gate.touch()
        killed = JobRun.objects.get(task_id=task_id)
        assert killed.outcome == JobRun.Outcome.RUNNING  # nobody has noticed yet
        time.sleep(3.5)  # its last sign of life is now older than JOB_ABANDONED_AFTER_SECONDS

        back = time.monotonic()
        second = start_worker_process(log)
        assert wait_for(
            lambda: JobRun.objects.filter(task_id=task_id, outcome=JobRun.Outcome.SUCCEEDED).exists(), timeout=60
        ), log.read_text()
        assert time.monotonic() - back < 5 * 60
    finally:
        first.kill() if first.poll() is None else None
        if second is not None:
            stop(second)
        app.conf.task_always_eager = True
        _forget_unacknowledged_messages()

    runs = list(JobRun.objects.filter(task_id=task_id).order_by("pk"))
    assert [(r.outcome, r.attempt) for r in runs] == [(JobRun.Outcome.ABANDONED, 1), (JobRun.Outcome.SUCCEEDED, 2)]
    assert runs[0].finished_at is not None
    notified = Notification.objects.filter(dedupe_key=DEDUPE_KEY)
    assert sorted(notified.values_list("user_id", flat=True)) == sorted(u.pk for u in users)  # each user once


def _forget_unacknowledged_messages():
    """The killed worker's message stays unacknowledged in Redis (redelivered after the visibility timeout, and
    then skipped as done), and the e-mail tasks the job queued; drop them so no later test meets them."""
    import redis

    app.control.purge()
    client = redis.Redis.from_url(app.conf.broker_url)
    client.delete("unacked", "unacked_index")
    client.close()
