"""A notification's email, end to end: written in a transaction, queued after it commits, sent by a real worker
consuming from the configured broker (Redis in CI when REDIS_URL is set, the file broker otherwise)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from buildingparty.celery import app
from buildingparty.models import Notification
from buildingparty.notifications import notify
from tests.factories import BuildingFactory, UserFactory
from tests.test_celery_worker import wait_for


class Request:
    title = "电梯维修"
    due_at = None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_a_notification_after_commit(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the worker thread shares the outbox
    mail.outbox = []
    user = UserFactory(username="worker_admin", role="admin", building=BuildingFactory(name="工作楼"))
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            with transaction.atomic():
                (row,) = notify(
                    users=[user], event="request_overdue", context={"request": Request()}, url="/services/1/"
                )
                time.sleep(0.5)  # not yet queued: the transaction is still open
                assert Notification.objects.get(pk=row.pk).emailed_at is None
                assert mail.outbox == []
            assert wait_for(lambda: Notification.objects.get(pk=row.pk).emailed_at is not None)
            assert wait_for(lambda: len(mail.outbox) == 1)
    finally:
        app.conf.task_always_eager = eager
    assert mail.outbox[0].to == [user.email] and "电梯维修" in mail.outbox[0].subject
