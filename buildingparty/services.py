import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from .models import Heartbeat

logger = logging.getLogger(__name__)


def record_heartbeat(*, name: str = "worker") -> Heartbeat:
    """Move the named heartbeat to now, creating it the first time."""
    now = timezone.now()
    with transaction.atomic():
        updated = Heartbeat.objects.filter(name=name).update(beat_at=now, count=F("count") + 1)
        if not updated:
            Heartbeat.objects.get_or_create(name=name, defaults={"beat_at": now, "count": 1})
    return Heartbeat.objects.get(name=name)


def audit(
    *,
    action: str,
    actor=None,
    subject: str,
    object_id="",
    filters=None,
    row_count=None,
    detail="",
    request=None,
    object_type: str = "",
    changes: dict | None = None,
    building_id: int | None = None,
):
    """Record a view or export of personal data, or a change of money. Written in the caller's transaction."""
    from .models import AuditRecord

    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    if building_id is None:
        building_id = getattr(actor, "building_id", None) if actor is not None else None
    return AuditRecord.objects.create(
        object_type=object_type,
        changes=changes or {},
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        building_id=building_id,
        subject=subject[:200],
        object_id=str(object_id),
        filters=filters or {},
        row_count=row_count,
        detail=detail[:200],
        ip_address=ip,
    )


def stored(message, params: dict | None = None) -> str:
    """Text kept in the database (history notes, audit details) is written in the site's language, whoever is
    signed in; messages shown to the person acting stay in theirs."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params else str(message)


def plain_value(value):
    """A JSON-friendly value for a history entry."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    return value


def field_changes(old, new, fields) -> dict:
    """``{field: [old, new]}`` for each field that differs between two instances of a model (``old`` may be
    None for a new row). Related rows are recorded by name, dates as ISO text."""
    changes = {}
    for name in fields:
        field = type(new)._meta.get_field(name)
        before = getattr(old, field.attname) if old is not None else None
        after = getattr(new, field.attname)
        if before != after and not (before in (None, "") and after in (None, "")):
            if field.is_relation:
                before = str(getattr(old, name)) if old is not None and before is not None else before
                after = str(getattr(new, name)) if after is not None else after
            changes[name] = [plain_value(before), plain_value(after)]
    return changes


def audit_money(*, instance, fields, actor, old=None, deleted: bool = False, request=None, building_id=None):
    """Record a change of money (issue 14, point 10): ``instance`` created (``old`` None), edited from ``old``, or
    ``deleted``, with who, when and ``{field: [old, new]}`` of ``fields``. An edit that changed none of them
    records nothing. Written in the caller's transaction, so the record and the change stand or fall together."""
    from .models import AuditRecord

    if deleted:
        action, changes = AuditRecord.Action.MONEY_DELETED, field_changes(None, instance, fields)
        changes = {name: [after, None] for name, (_before, after) in changes.items()}
    elif old is None:
        action, changes = AuditRecord.Action.MONEY_CREATED, field_changes(None, instance, fields)
    else:
        action, changes = AuditRecord.Action.MONEY_CHANGED, field_changes(old, instance, fields)
        if not changes:
            return None
    return audit(
        action=action,
        actor=actor,
        subject=str(instance),
        object_id=instance.pk,
        object_type=instance._meta.label_lower,
        changes=changes,
        building_id=building_id if building_id is not None else getattr(instance, "building_id", None),
        request=request,
    )


def site_link(path: str) -> str:
    """An absolute link for an email: the address the app is served on (SITE_URL, which ``make run`` sets from
    its host and port) and the path."""
    return f"{settings.SITE_URL}{path}"


def email_notifications(*, ids, now=None) -> int:
    """Send each notification's email once (to users who have an address and have not switched email off).

    1. A notification already emailed, given up on, or waiting for its retry time is skipped.
    2. A send that fails is recorded on the notification (error, attempts) and retried later with backoff by the
       ``buildingparty.retry_emails`` job; after ``outbox.EMAIL_MAX_ATTEMPTS`` it is marked failed and listed on
       /jobs/. Either way the rest of the batch still goes.
    """
    from . import outbox
    from .models import Notification

    sent = 0
    for pk in ids:
        with transaction.atomic():
            note = Notification.objects.select_for_update(of=("self",)).select_related("user").filter(pk=pk).first()
            if note is None or note.emailed_at is not None or note.email_failed_at is not None:
                continue
            if note.email_retry_at is not None and note.email_retry_at > (now or timezone.now()):
                continue
            user = note.user
            if user.email and user.email_notifications and user.is_active:
                link = f"\n\n{site_link(note.url)}" if note.url else ""
                try:
                    outbox.send_email(subject=note.title, body=note.body + link, to=[user.email])
                except Exception as exc:  # whatever the mail backend raises: recorded, retried, never lost
                    _record_email_failure(note, exc, now=now or timezone.now())
                    continue
                sent += 1
            note.emailed_at = timezone.now()
            note.email_retry_at = None
            note.save(update_fields=["emailed_at", "email_retry_at"])
    return sent


def _record_email_failure(note, exc: Exception, *, now) -> None:
    from . import outbox

    note.email_attempts += 1
    note.email_error = f"{exc.__class__.__name__}: {exc}"[:300]
    if note.email_attempts >= outbox.EMAIL_MAX_ATTEMPTS:
        note.email_failed_at, note.email_retry_at = now, None
    else:
        note.email_retry_at = now + outbox.email_retry_delay(note.email_attempts)
    note.save(update_fields=["email_attempts", "email_error", "email_failed_at", "email_retry_at"])
    logger.warning("email of notification %s failed (attempt %s): %s", note.pk, note.email_attempts, note.email_error)


def retry_emails(*, now=None) -> dict:
    """Send again the emails whose retry time has come (the ``buildingparty.retry_emails`` job)."""
    from .models import Notification

    now = now or timezone.now()
    due = list(
        Notification.objects.filter(
            emailed_at__isnull=True, email_failed_at__isnull=True, email_retry_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )
    sent = email_notifications(ids=due, now=now)
    failed = Notification.objects.filter(email_failed_at__isnull=False).count()
    return {"retried": len(due), "sent": sent, "failed": failed}
