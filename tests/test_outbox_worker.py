"""Redis down, end to end: with the broker stopped, pages that queue work still answer and keep the work in the
outbox; once Redis is back, the flush job and a real worker deliver every email exactly once.

The test runs its own ``redis-server`` on a free port (so stopping it disturbs nobody) and points the Celery
app at it for the duration.
"""

import os
import shutil
import socket
import subprocess
import time

import pytest
from django.core import mail
from django.urls import reverse

from buildingparty import jobs
from buildingparty.models import JobRun, Notification, OutboxMessage
from buildingparty.submissions import new_token
from buildingparty.tests.jobs_factories import broker_at
from services.models import ServiceCategory
from tests.test_celery_worker import wait_for
from tests.test_job_worker import real_worker

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A throw-away redis-server: no snapshots, no append-only file."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.answers, timeout=10), "redis-server did not start"

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        assert not self.answers()

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def own_redis():
    if REDIS_SERVER is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed, and CI must run the Redis-down test")
        pytest.skip("redis-server is not installed: the Redis-down test starts its own server")
    server = OwnRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_pages_answer_and_the_queued_emails_arrive_once_it_is_back(
    own_redis, settings, client, building, member_user, secretary_a
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the worker thread shares it
    mail.outbox = []
    category = ServiceCategory.objects.create(
        building=building,
        code="repair",
        name="报修",
        audience=ServiceCategory.Audience.MEMBERS,
        handler_kind=ServiceCategory.Handler.NAMED,
        handler=secretary_a,
        limit_days=3,
    )
    client.force_login(member_user)

    with broker_at(own_redis.url):
        own_redis.stop()

        # 1. Redis is down: a member submits two requests, each telling the secretary (an email task queued).
        for title in ("电梯异响", "空调漏水"):
            response = client.post(
                reverse("services:create"),
                {
                    "category": category.pk,
                    "title": title,
                    "description": "请尽快处理。",
                    "priority": "normal",
                    "submission_token": new_token(),
                },
            )
            assert response.status_code == 302
        assert client.get(reverse("services:list")).status_code == 200
        waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
        assert waiting.count() == 2
        assert [m.attempts for m in waiting.order_by("pk")] == [1, 0]  # the second did not wait on the broker
        assert Notification.objects.filter(user=secretary_a, emailed_at__isnull=True).count() == 2
        assert mail.outbox == []

        # 2. Redis is back on the same port: the flush job (as beat sends it) and a real worker deliver.
        own_redis.start()
        with real_worker():
            jobs.get("buildingparty.flush_outbox").task.delay()
            assert wait_for(lambda: len(mail.outbox) == 2, timeout=30)
            assert jobs.run_now("buildingparty.flush_outbox") == {"sent": 0, "unsent": 0}
            time.sleep(1)  # time enough for a second delivery, if there were one

    assert sorted(m.subject for m in mail.outbox) == sorted(
        Notification.objects.filter(user=secretary_a).values_list("title", flat=True)
    )
    assert all(m.to == [secretary_a.email] for m in mail.outbox) and len(mail.outbox) == 2
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    flushed = JobRun.objects.filter(job="buildingparty.flush_outbox").order_by("pk").first()
    assert flushed.outcome == JobRun.Outcome.SUCCEEDED and flushed.counts == {"sent": 2, "unsent": 0}
