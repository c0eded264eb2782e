import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from .models import Heartbeat


def record_heartbeat(*, name: str = "worker") -> Heartbeat:
    """Move the named heartbeat to now, creating it the first time."""
    now = timezone.now()
    with transaction.atomic():
        updated = Heartbeat.objects.filter(name=name).update(beat_at=now, count=F("count") + 1)
        if not updated:
            Heartbeat.objects.get_or_create(name=name, defaults={"beat_at": now, "count": 1})
    return Heartbeat.objects.get(name=name)


def audit(
    *, action: str, actor=None, subject: str, object_id="", filters=None, row_count=None, detail="", request=None
):
    """Record a view or export of personal data. Written in the caller's transaction."""
    from .models import AuditRecord

    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    building_id = getattr(actor, "building_id", None) if actor is not None else None
    return AuditRecord.objects.create(
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


def site_link(path: str) -> str:
    """An absolute link for an email: the address the app is served on (SITE_URL, which ``make run`` sets from
    its host and port) and the path."""
    return f"{settings.SITE_URL}{path}"


def email_notifications(*, ids) -> int:
    """Send each notification's email once (to users who have an address and have not switched email off)."""
    from django.core.mail import send_mail

    from .models import Notification

    sent = 0
    for pk in ids:
        with transaction.atomic():
            note = Notification.objects.select_for_update(of=("self",)).select_related("user").filter(pk=pk).first()
            if note is None or note.emailed_at is not None:
                continue
            user = note.user
            if user.email and user.email_notifications and user.is_active:
                link = f"\n\n{site_link(note.url)}" if note.url else ""
                send_mail(note.title, note.body + link, None, [user.email], fail_silently=False)
                sent += 1
            note.emailed_at = timezone.now()
            note.save(update_fields=["emailed_at"])
    return sent
