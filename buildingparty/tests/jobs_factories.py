"""Jobs of the tests' own, registered for one test and forgotten afterwards (the registry is process-wide)."""

import contextlib
import datetime
import uuid

from django.utils import timezone

from buildingparty import jobs
from buildingparty.models import JobRun


@contextlib.contextmanager
def temporary_job(function, *, schedule=None, description="测试任务。检查运行记录。", counts=None):
    """Register ``function`` as a job with a fresh name (Celery keeps a task per name) for the block."""
    name = f"tests.{function.__name__}_{uuid.uuid4().hex[:8]}"
    jobs.job(name, schedule=schedule, description=description, counts=counts)(function)
    try:
        yield jobs.get(name)
    finally:
        jobs.unregister(name)


def job_run(job: str, outcome=JobRun.Outcome.SUCCEEDED, **kwargs) -> JobRun:
    """A recorded run (finished unless it is still running)."""
    started = kwargs.pop("started_at", None) or timezone.now()
    finished = None if outcome == JobRun.Outcome.RUNNING else started + datetime.timedelta(seconds=2)
    defaults = {"finished_at": finished}
    if outcome == JobRun.Outcome.FAILED:
        defaults["error"] = "Traceback (most recent call last):\nValueError: 找不到党费标准"
    return JobRun.objects.create(job=job, outcome=outcome, started_at=started, **{**defaults, **kwargs})


@contextlib.contextmanager
def broker_at(url: str, *, eager: bool = False):
    """Point the Celery app at another broker for the block (not eager: tasks really go to it), then back."""
    from buildingparty import outbox
    from buildingparty.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)

    def reset():  # drop the app's references; kombu keeps one pool per broker URL and reuses it
        app._pool = None
        app.amqp._producer_pool = None
        outbox.reset_breaker()

    app.conf.broker_url = url
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 2, "visibility_timeout": 3600}
    app.conf.task_always_eager = eager
    reset()
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager = saved
        reset()


UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
