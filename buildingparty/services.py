from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Heartbeat


def record_heartbeat(*, name: str = "worker") -> Heartbeat:
    """Move the named heartbeat to now, creating it the first time."""
    now = timezone.now()
    with transaction.atomic():
        updated = Heartbeat.objects.filter(name=name).update(beat_at=now, count=F("count") + 1)
        if not updated:
            Heartbeat.objects.get_or_create(name=name, defaults={"beat_at": now, "count": 1})
    return Heartbeat.objects.get(name=name)
