"""The one notification service every app uses.

``notify`` writes the in-app notifications in the caller's transaction and queues their emails through the
outbox (``buildingparty.outbox``): sent to Celery after the commit, or kept until the broker is back. Each
event has a template, ``templates/notifications/<event>.txt``: its first line is the title, the rest the text;
it is rendered in the site's language, as it is stored. A ``dedupe_key`` makes a notification happen once per
user and key however often a job runs.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from . import outbox
from .models import Notification, User


def render(event: str, context: dict) -> tuple[str, str]:
    """The title and text of an event, as plain text: stored unescaped and escaped once, where it is shown (the
    bell's page autoescapes; an email is plain text). So autoescaping is off here, for every template."""
    with translation.override(settings.LANGUAGE_CODE):
        template = get_template(f"notifications/{event}.txt").template
        text = template.render(Context(context, autoescape=False)).strip()
    title, _, body = text.partition("\n")
    return title.strip()[:200], body.strip()


def notify(*, users, event: str, context: dict | None = None, url: str = "", dedupe_key: str = "") -> list:
    """Notify each (distinct, active) user; returns the notifications created (none twice for a dedupe key)."""
    title, body = render(event, context or {})
    created = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user, event=event, title=title, body=body, url=url, dedupe_key=dedupe_key
                    )
                )
        except IntegrityError:  # the same key written at the same moment by another run
            continue
    _email([n.pk for n in created])
    return created


def _email(ids: list[int]) -> None:
    """One outbox message for the emails of the notifications just written (none when there are none)."""
    if ids:
        from .tasks import send_notification_emails

        outbox.enqueue(send_notification_emails, ids)


@dataclass(frozen=True)
class Notice:
    """One notification to write with ``notify_bulk``: to whom, about what (the event template's context)."""

    user_id: int | None
    context: dict = field(default_factory=dict, hash=False)
    url: str = ""
    dedupe_key: str = ""


BULK_BATCH = 1000


def notify_bulk(notices: Iterable[Notice], *, event: str, batch_size: int = BULK_BATCH) -> int:
    """``notify`` for the jobs that tell many people at once; returns how many notifications were written.

    Per batch of ``batch_size``, whatever the number of people: on PostgreSQL one ``INSERT … SELECT FROM
    unnest(…) ON CONFLICT DO NOTHING RETURNING id`` (the join keeps active users, the conflict skips keys already
    used, by an earlier run or one at the same moment) and one outbox message for the batch's emails; elsewhere
    one query for the active users, one for the keys already used, one insert and the outbox message. The
    event's template is rendered once per distinct context (a context of plain values and model instances,
    compared by value and pk), so a month's bills of a few amounts render a few times.
    ``notices`` may be a generator: it is read batch by batch.
    """
    written = 0
    rendered: dict = {}
    iterator = iter(notices)
    write = _write_batch_postgresql if connection.vendor == "postgresql" else _write_batch
    while batch := list(itertools.islice(iterator, batch_size)):
        written += write(event, batch, rendered)
    return written


def _context_key(context: dict):
    def value(v):
        if isinstance(v, models.Model):
            return (type(v).__name__, v.pk)
        try:
            hash(v)
        except TypeError:
            return repr(v)
        return v

    return tuple(sorted((k, value(v)) for k, v in context.items()))


def _rendered(event: str, context: dict, rendered: dict) -> tuple[str, str]:
    key = _context_key(context)
    if key not in rendered:
        rendered[key] = render(event, context)
    return rendered[key]


# The columns the PostgreSQL statement writes: every NOT NULL one of Notification (test_notify_bulk checks the model
# against this list, so a new column cannot be forgotten silently).
BULK_COLUMNS = ("user_id", "title", "body", "url", "dedupe_key", "event", "created_at", "email_attempts", "email_error")


def _insert_sql(rows: str) -> str:
    """The INSERT of notifications both PostgreSQL paths write: from ``rows`` (a FROM item aliased ``n`` with the
    columns ``user_id``, ``title``, ``body``, ``url`` and ``dedupe_key``), for active users only, skipping a key
    already used (as ``notify_bulk``), ``RETURNING id``. Its parameters: the event and the time, then those of
    ``rows``."""
    return f"""
        INSERT INTO {Notification._meta.db_table} ({", ".join(BULK_COLUMNS)})
        SELECT n.user_id, n.title, n.body, n.url, n.dedupe_key, %s, %s, 0, ''
        FROM {rows}
        JOIN {User._meta.db_table} u ON u.id = n.user_id AND u.is_active
        ON CONFLICT (user_id, dedupe_key) WHERE NOT (dedupe_key = '') DO NOTHING
        RETURNING id
    """  # table and column names from the models' own metadata and BULK_COLUMNS, ``rows`` the caller's SQL


def _write_batch_postgresql(event: str, batch: list[Notice], rendered: dict) -> int:
    """The batch as one statement: at district scale a month's bill notices cost about what the bills do."""
    columns = {"user_id": [], "title": [], "body": [], "url": [], "dedupe_key": []}
    for notice in batch:
        if notice.user_id:
            title, body = _rendered(event, notice.context, rendered)
            for name, value in zip(columns, (notice.user_id, title, body, notice.url, notice.dedupe_key), strict=True):
                columns[name].append(value)
    if not columns["user_id"]:
        return 0
    rows = "unnest(%s::integer[], %s::text[], %s::text[], %s::text[], %s::text[])"
    sql = _insert_sql(f"{rows} AS n(user_id, title, body, url, dedupe_key)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [event, timezone.now(), *columns.values()])
        ids = [row[0] for row in cursor.fetchall()]
    _email(ids)
    return len(ids)


def notify_sql(
    event: str, *, source: str, contexts: dict[str, dict], url: str = "", per_message: int = BULK_BATCH
) -> tuple[str, list]:
    """``notify_bulk`` inside one statement (PostgreSQL), for a job that makes what it tells about in SQL.

    ``source`` is a CTE written earlier in the caller's ``WITH``, with the columns ``user_id``, ``text_key`` and
    ``dedupe_key``; ``text_key`` picks the row's context among ``contexts`` (``{text_key: context}``). Each
    context is rendered here, once, by the event's template, and its title and text go in as parameters (arrays,
    a row's picked by the position of its key: joining the rows to the keys made PostgreSQL, which cannot guess
    how many rows a CTE holds, compare every row with every key). Returns two more CTEs, to follow ``source``
    after a comma, and their parameters: ``notified`` writes the rows (``_insert_sql``, as ``notify_bulk``);
    ``emailed`` queues their emails, ``per_message`` per outbox message. The caller's final SELECT counts
    ``notified`` and hands ``(SELECT array_agg(id) FROM emailed)`` to ``outbox.send_after_commit``. A row
    whose ``text_key`` is not in ``contexts`` is not written: the caller tells those another way.
    """
    from .tasks import send_notification_emails

    texts = {"text_key": [], "title": [], "body": []}
    for key, context in contexts.items():
        title, body = render(event, context)
        for name, value in zip(texts, (str(key), title, body), strict=True):
            texts[name].append(value)
    emailed, emailed_params = outbox.enqueue_chunks_sql(
        send_notification_emails, source="notified", per_message=per_message
    )
    rows = f"""(
        SELECT user_id, (%s::text[])[text] AS title, (%s::text[])[text] AS body, %s AS url, dedupe_key
        FROM (SELECT user_id, dedupe_key, array_position(%s::text[], text_key) AS text FROM {source}) s
        WHERE text IS NOT NULL
    ) n"""  # ``source`` the caller's CTE
    sql = f"notified AS ({_insert_sql(rows)}), emailed AS ({emailed})"
    params = [event, timezone.now(), texts["title"], texts["body"], url, texts["text_key"], *emailed_params]
    return sql, params


def _keys_taken(user_ids: set, keys: set) -> set:
    if not keys:
        return set()
    return set(
        Notification.objects.filter(user_id__in=user_ids, dedupe_key__in=keys).values_list("user_id", "dedupe_key")
    )


def _write_batch(event: str, batch: list[Notice], rendered: dict) -> int:
    active = set(
        User.objects.filter(pk__in={n.user_id for n in batch if n.user_id}, is_active=True).values_list("pk", flat=True)
    )
    keys = {n.dedupe_key for n in batch if n.dedupe_key and n.user_id in active}
    taken = _keys_taken(active, keys)
    rows = []
    for notice in batch:
        once = (notice.user_id, notice.dedupe_key)
        if notice.user_id not in active or (notice.dedupe_key and once in taken):
            continue
        if notice.dedupe_key:
            taken.add(once)
        title, body = _rendered(event, notice.context, rendered)
        rows.append(
            Notification(
                user_id=notice.user_id,
                event=event,
                title=title,
                body=body,
                url=notice.url,
                dedupe_key=notice.dedupe_key,
            )
        )
    if not rows:
        return 0
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows)
    except IntegrityError:  # another run wrote some of the same keys meanwhile: one by one, skipping those
        created = []
        for row in rows:
            row.pk = None
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(row)
    _email([n.pk for n in created])
    return len(created)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
