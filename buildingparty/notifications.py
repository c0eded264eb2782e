"""The one notification service every app uses.

``notify`` writes the in-app notifications in the caller's transaction and queues their emails through the
outbox (``buildingparty.outbox``): sent to Celery after the commit, or kept until the broker is back. Each
event has a template, ``templates/notifications/<event>.txt``: its first line is the title, the rest the text;
it is rendered in the site's language, as it is stored. A ``dedupe_key`` makes a notification happen once per
user and key however often a job runs.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from . import outbox
from .models import Notification


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
    if created:
        from .tasks import send_notification_emails

        outbox.enqueue(send_notification_emails, [n.pk for n in created])
    return created


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
