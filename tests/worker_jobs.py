"""A job of the tests' own for the killed-worker test, imported by the test and by the worker process it starts
(``celery worker --include tests.worker_jobs``): it notifies half its users, waits at a gate (a file) until the
test lets it go, then notifies the other half; dedupe keys make each notification happen once however often it
runs."""

import time
from pathlib import Path

from buildingparty import jobs
from buildingparty.models import User
from buildingparty.notifications import notify

NAME = "tests.notify_at_a_gate"
DEDUPE_KEY = "tests-killed-worker"


@jobs.job(NAME, schedule=None, description="测试任务。在闸门处等待。")
def notify_at_a_gate(*, user_ids: list[int], gate: str) -> dict:
    users = list(User.objects.filter(pk__in=user_ids).order_by("pk"))
    half = len(users) // 2
    first = notify(users=users[:half], event="dues_reminder", dedupe_key=DEDUPE_KEY)
    while not Path(gate).exists():  # the test kills the first worker here
        time.sleep(0.1)
    second = notify(users=users[half:], event="dues_reminder", dedupe_key=DEDUPE_KEY)
    return {"notified": len(first) + len(second)}
