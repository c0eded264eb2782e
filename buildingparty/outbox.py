"""Handing work to Celery without ever hanging a request or losing the work when the broker (Redis) is away.

``enqueue(task, *args, **kwargs)``:

1. writes an ``OutboxMessage`` in the caller's transaction (rolled back with it, so no task for work that
   never happened);
2. after the commit, hands it to the broker (``apply_async``, whose retries are bounded by
   ``CELERY_TASK_PUBLISH_RETRY_POLICY`` and the connection timeout) and marks it sent;
3. if the broker does not answer, the message stays in the outbox and a short process-local circuit breaker
   opens: for ``BREAKER_SECONDS`` the next requests leave their work in the outbox without waiting on the
   broker again.

``flush()`` sends what is left (the ``buildingparty.flush_outbox`` job every minute, or
``manage.py flush_outbox``). A message may reach the broker twice (a crash between sending and marking), never
zero times: tasks are safe to run twice. Under ``CELERY_TASK_ALWAYS_EAGER`` (tests) the task runs inline after
the commit, as Celery's ``delay_on_commit`` would.
"""

import contextlib
import datetime
import functools
import logging
import threading
import time

from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 30
FLUSH_BATCH = 100
KEEP_SENT_DAYS = 7

_breaker = {"open_until": 0.0}
_breaker_lock = threading.Lock()


# --- the circuit breaker -------------------------------------------------------------------------------------


def broker_known_down() -> bool:
    """Did sending fail in this process less than ``BREAKER_SECONDS`` ago?"""
    return time.monotonic() < _breaker["open_until"]


def _open_breaker() -> None:
    with _breaker_lock:
        _breaker["open_until"] = time.monotonic() + BREAKER_SECONDS


def reset_breaker() -> None:
    with _breaker_lock:
        _breaker["open_until"] = 0.0


# --- sending -------------------------------------------------------------------------------------------------


def _app():
    from .celery import app

    return app


def _task_name(task_or_name) -> str:
    """A task's name from its name, the Celery task, or a job function (``@jobs.job``)."""
    if isinstance(task_or_name, str):
        return task_or_name
    job = getattr(task_or_name, "job", None)
    return job.name if job is not None else task_or_name.name


def enqueue(task_or_name, *args, **kwargs) -> OutboxMessage:
    """Queue a task (a Celery task, its name, or a job function) with JSON arguments once the caller's
    transaction commits; returns the outbox row."""
    message = OutboxMessage.objects.create(task=_task_name(task_or_name), args=list(args), kwargs=kwargs)
    transaction.on_commit(functools.partial(_send_after_commit, message.pk))
    return message


def enqueue_chunks_sql(task_or_name, *, source: str, per_message: int) -> tuple[str, list]:
    """``enqueue`` inside a statement (PostgreSQL): an ``INSERT … SELECT … RETURNING id`` queueing ``task(ids)``
    for the ``id`` column of ``source`` (a CTE written earlier in the same ``WITH``), ``per_message`` ids per
    message in id order, with its parameters. The caller hands the returned ids to ``send_after_commit``.
    So a job writing thousands of rows in one statement queues their work without the ids coming to Python."""
    table = OutboxMessage._meta.db_table
    sql = f"""
        INSERT INTO {table} (task, args, kwargs, created_at, attempts, last_error)
        SELECT %s, jsonb_build_array(jsonb_agg(q.id ORDER BY q.id)), '{{}}'::jsonb, %s, 0, ''
        FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s AS part FROM {source}) AS q
        GROUP BY q.part
        RETURNING id
    """  # the table from the model's metadata, ``source`` a CTE name of the caller's; every value a parameter
    return sql, [_task_name(task_or_name), timezone.now(), per_message]


def send_after_commit(pks) -> None:
    """What ``enqueue`` does after writing its row, for messages written by ``enqueue_chunks_sql``."""
    for pk in sorted(pks or ()):
        transaction.on_commit(functools.partial(_send_after_commit, pk))


def _send_after_commit(pk: int) -> None:
    if _app().conf.task_always_eager:
        _run_inline(pk)  # the task's errors are the caller's, as with delay_on_commit
    elif not broker_known_down():  # else the flush job sends it when the broker is back
        _send_one(pk)


def _send_one(pk: int) -> bool:
    """Send one unsent message, holding its row (PostgreSQL) so a concurrent flush skips it."""
    with _holding_rows():
        message = _unsent().filter(pk=pk).first()
        return message is not None and _publish(message)


def _unsent():
    return OutboxMessage.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True)


def _holding_rows():
    """A transaction to hold the rows taken, where the database has row locks (PostgreSQL). SQLite has none:
    there a transaction would only lock the whole database while the broker is called, so none is opened (a
    message may then, rarely, be sent twice; tasks are safe to run twice)."""
    if connection.features.has_select_for_update_skip_locked:
        return transaction.atomic()
    return contextlib.nullcontext()


def _publish(message: OutboxMessage) -> bool:
    """Hand one message to the broker and mark it sent; on failure count the attempt and open the breaker."""
    app = _app()
    try:
        if message.task in app.tasks:
            app.tasks[message.task].apply_async(args=message.args, kwargs=message.kwargs)
        else:  # a task only the workers know: send it by name
            app.send_task(message.task, args=message.args, kwargs=message.kwargs)
    except Exception as exc:  # whatever the broker client raises, the work stays here
        _open_breaker()
        logger.warning("outbox message %s kept, the broker did not take it: %r", message.pk, exc)
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, last_error=f"{exc.__class__.__name__}: {exc}"[:300]
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=F("attempts") + 1, sent_at=timezone.now(), last_error=""
    )
    reset_breaker()
    return True


def _run_inline(pk: int) -> bool:
    """Eager mode (tests): mark the message sent, then run its task here, outside any lock."""
    message = OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).first()
    if message is None:
        return False
    taken = OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).update(
        attempts=F("attempts") + 1, sent_at=timezone.now()
    )
    if taken:
        _app().tasks[message.task].apply_async(args=message.args, kwargs=message.kwargs)
    return bool(taken)


def flush(*, limit: int = 1000) -> dict:
    """Send up to ``limit`` unsent messages, oldest first; stop at the first broker failure.

    On PostgreSQL each batch is taken with ``SELECT ... FOR UPDATE SKIP LOCKED``, so two flushes, or a flush and
    a request sending its own message, never send the same message twice.
    """
    sent = 0
    if _app().conf.task_always_eager:
        for pk in OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)[:limit]:
            sent += _run_inline(pk)
        return {"sent": sent, "unsent": pending()["unsent"]}
    while sent < limit:
        with _holding_rows():
            batch = list(_unsent().order_by("created_at", "pk")[: min(FLUSH_BATCH, limit - sent)])
            for message in batch:
                if not _publish(message):
                    return {"sent": sent, "unsent": pending()["unsent"], "failed": 1}
                sent += 1
        if len(batch) < FLUSH_BATCH:
            break
    return {"sent": sent, "unsent": pending()["unsent"]}


# --- reading and pruning -------------------------------------------------------------------------------------


def pending() -> dict:
    """``{"unsent": n, "oldest": datetime | None}``: the work waiting for the broker."""
    row = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(unsent=Count("pk"), oldest=Min("created_at"))
    return {"unsent": row["unsent"], "oldest": row["oldest"]}


def prune(*, now: datetime.datetime | None = None) -> int:
    """Delete messages sent more than ``KEEP_SENT_DAYS`` ago (one bulk delete); unsent ones stay."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_SENT_DAYS)
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


# --- email -----------------------------------------------------------------------------------------------------
# Every email the platform sends goes through ``send_email``: the one place a subject is made a single line (a
# title typed with a line break would otherwise raise BadHeaderError) and the backoff of a failed send is decided.

EMAIL_MAX_ATTEMPTS = 5
EMAIL_SUBJECT_MAX = 200


def one_line(subject: str) -> str:
    """A subject as one line: any run of whitespace (line breaks, tabs, ``\\r``) becomes one space."""
    return " ".join(str(subject).split())[:EMAIL_SUBJECT_MAX]


def send_email(*, subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text email; raises what the mail backend raises (the caller records it)."""
    from django.core.mail import send_mail

    send_mail(one_line(subject), body, None, to, fail_silently=False)


def email_retry_delay(attempts: int) -> datetime.timedelta:
    """How long after its ``attempts``-th failure an email is tried again: 5, 10, 20, 40 minutes."""
    return datetime.timedelta(minutes=5 * 2 ** max(attempts - 1, 0))
