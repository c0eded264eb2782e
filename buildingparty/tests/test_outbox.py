"""The outbox: work is written in the caller's transaction, handed to the broker after the commit, kept when
the broker is unreachable (a circuit breaker spares the next requests the wait), and flushed later, once."""

import threading

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from buildingparty import jobs, outbox
from buildingparty.models import JobRun, Notification, OutboxMessage
from buildingparty.notifications import notify
from buildingparty.tasks import send_notification_emails

from .jobs_factories import UNREACHABLE_BROKER, broker_at

EMAIL_TASK = "buildingparty.tasks.send_notification_emails"


class Request:
    title = "电梯维修"
    due_at = None


def note(user, n=1) -> Notification:
    return Notification.objects.create(user=user, event="request_overdue", title=f"通知{n}", body="正文", url="/")


@pytest.fixture
def unreachable_broker():
    with broker_at(UNREACHABLE_BROKER) as app:
        yield app


# --- enqueue -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_work_queued_in_a_transaction_that_rolls_back_leaves_nothing(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue(send_notification_emails, [note(admin_user).pk])
            raise RuntimeError("the form failed after all")
    assert callbacks == [] and not OutboxMessage.objects.exists() and mail.outbox == []


@pytest.mark.django_db
def test_after_the_commit_the_task_runs_and_the_message_is_marked_sent(admin_user, django_capture_on_commit_callbacks):
    row = note(admin_user)
    with django_capture_on_commit_callbacks() as callbacks:
        message = outbox.enqueue(send_notification_emails, [row.pk])
        assert OutboxMessage.objects.get(pk=message.pk).sent_at is None and mail.outbox == []
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.task == EMAIL_TASK and message.args == [[row.pk]]
    assert message.sent_at is not None and message.attempts == 1 and message.last_error == ""
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_notify_queues_its_email_through_the_outbox(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (made,) = notify(users=[admin_user], event="request_overdue", context={"request": Request()})
    message = OutboxMessage.objects.get()
    assert message.task == EMAIL_TASK and message.args == [[made.pk]] and message.sent_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_with_the_broker_unreachable_the_work_is_kept_with_its_error(
    admin_user, unreachable_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(send_notification_emails, [note(admin_user).pk])
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1
    assert message.last_error.startswith("OperationalError")
    assert outbox.broker_known_down() and mail.outbox == []


@pytest.mark.django_db
def test_while_the_breaker_is_open_requests_leave_their_work_without_trying_the_broker(
    admin_user, unreachable_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.enqueue(send_notification_emails, [note(admin_user, 1).pk])
        second = outbox.enqueue(send_notification_emails, [note(admin_user, 2).pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.attempts == 1 and second.attempts == 0  # not even tried
    assert first.sent_at is None and second.sent_at is None


# --- flush ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_flush_sends_what_waited_exactly_once(admin_user, secretary_a):
    for user in (admin_user, secretary_a):
        OutboxMessage.objects.create(task=EMAIL_TASK, args=[[note(user).pk]])
    OutboxMessage.objects.create(task=EMAIL_TASK, args=[[note(admin_user).pk]]).delete()
    assert outbox.flush() == {"sent": 2, "unsent": 0}
    assert outbox.flush() == {"sent": 0, "unsent": 0}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_user.email, secretary_a.email])
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_flush_sends_the_oldest_first_and_no_more_than_its_limit(admin_user):
    rows = [OutboxMessage.objects.create(task=EMAIL_TASK, args=[[note(admin_user, n).pk]]) for n in range(3)]
    assert outbox.flush(limit=2) == {"sent": 2, "unsent": 1}
    assert list(OutboxMessage.objects.filter(sent_at__isnull=True)) == [rows[2]]


@pytest.mark.django_db
def test_flush_stops_at_the_first_broker_failure_and_counts_the_attempt(admin_user, unreachable_broker):
    rows = [OutboxMessage.objects.create(task=EMAIL_TASK, args=[[note(admin_user, n).pk]]) for n in range(3)]
    assert outbox.flush() == {"sent": 0, "unsent": 3, "failed": 1}
    assert [OutboxMessage.objects.get(pk=r.pk).attempts for r in rows] == [1, 0, 0]
    assert "Connection refused" in OutboxMessage.objects.get(pk=rows[0].pk).last_error


@pytest.mark.django_db
def test_the_flush_job_records_its_run(admin_user):
    OutboxMessage.objects.create(task=EMAIL_TASK, args=[[note(admin_user).pk]])
    jobs.get("buildingparty.flush_outbox").task.delay()
    run = JobRun.objects.get(job="buildingparty.flush_outbox")
    assert run.outcome == JobRun.Outcome.SUCCEEDED and run.counts == {"sent": 1, "unsent": 0}


@pytest.mark.django_db
def test_the_flush_command_reports_what_it_sent(admin_user, capsys):
    OutboxMessage.objects.create(task=EMAIL_TASK, args=[[note(admin_user).pk]])
    call_command("flush_outbox")
    assert "sent 1, still waiting 0" in capsys.readouterr().out
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_flush_command_fails_loudly_while_the_broker_is_away(admin_user, unreachable_broker):
    OutboxMessage.objects.create(task=EMAIL_TASK, args=[[note(admin_user).pk]])
    with pytest.raises(CommandError, match="unreachable"):
        call_command("flush_outbox", limit=10)
    assert OutboxMessage.objects.get().sent_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite has none)")
def test_a_flush_skips_a_message_another_process_is_sending(admin_user, unreachable_broker):
    held, other = (OutboxMessage.objects.create(task=EMAIL_TASK, args=[[note(admin_user, n).pk]]) for n in (1, 2))
    locked, release = threading.Event(), threading.Event()

    def sender():  # another web process, sending its own message
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=sender)
    thread.start()
    try:
        assert locked.wait(10)
        outbox.flush()  # the broker is away: it tries the one message it may take, and fails
    finally:
        release.set()
        thread.join()
    assert OutboxMessage.objects.get(pk=held.pk).attempts == 0
    assert OutboxMessage.objects.get(pk=other.pk).attempts == 1


def test_the_breaker_closes_again_after_its_time(monkeypatch):
    outbox.reset_breaker()
    assert not outbox.broker_known_down()
    monkeypatch.setattr(outbox, "BREAKER_SECONDS", 0)
    outbox._open_breaker()
    assert not outbox.broker_known_down()


@pytest.mark.django_db
def test_a_job_function_can_be_queued_by_itself(django_capture_on_commit_callbacks):
    from buildingparty.builtin_jobs import prune_history

    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(prune_history, today="2026-03-01")
    assert message.task == "buildingparty.prune_history" and message.kwargs == {"today": "2026-03-01"}
    assert JobRun.objects.get(job="buildingparty.prune_history").arguments == {"today": "2026-03-01"}
