"""Periodic jobs, registered in django-celery-beat's tables so admins can edit them.

Rows are created when missing and never overwritten, so an admin's change to a schedule survives upgrades.
"""

from django.conf import settings


def default_schedules() -> list[dict]:
    return [
        {
            "name": "heartbeat",
            "task": "buildingparty.tasks.heartbeat",
            "every_seconds": settings.HEARTBEAT_INTERVAL_SECONDS,
            "description": "Proves beat, broker, worker and database work together; shown on /healthz.",
        },
    ]


def ensure_periodic_tasks(**kwargs):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    using = kwargs.get("using", "default")
    for spec in default_schedules():
        if PeriodicTask.objects.using(using).filter(name=spec["name"]).exists():
            continue
        interval, _ = IntervalSchedule.objects.using(using).get_or_create(
            every=spec["every_seconds"], period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.using(using).create(
            name=spec["name"], task=spec["task"], interval=interval, description=spec["description"]
        )
