"""The ground floor's scheduled jobs (see buildingparty/jobs.py); imported by the AppConfig so they register."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import jobs, outbox, services


@jobs.job(
    "buildingparty.heartbeat",
    schedule=jobs.every(settings.HEARTBEAT_INTERVAL_SECONDS),
    description=_(
        "Heartbeat. Proves that beat, the broker, the worker and the database work together; shown on /healthz."
    ),
    history_days=2,
    counts={"count": _("heartbeats recorded")},
)
def heartbeat(*, name: str = "worker") -> dict:
    """Idempotent: running it twice only moves the timestamp."""
    return {"count": services.record_heartbeat(name=name).count}


@jobs.job(
    "buildingparty.flush_outbox",
    schedule=jobs.every(60),
    description=_(
        "Send the outbox. Hands the broker the work that waited in the outbox while the broker was unreachable."
    ),
    history_days=2,
    counts={
        "sent": _("tasks sent to the broker"),
        "unsent": _("tasks still waiting"),
        "failed": _("stopped by a broker failure"),
    },
)
def flush_outbox(*, limit: int = 1000) -> dict:
    return outbox.flush(limit=limit)


@jobs.job(
    "buildingparty.prune_history",
    schedule=jobs.crontab(minute="40", hour="3"),
    description=_(
        "Prune old records. Deletes outbox messages sent more than 7 days ago and job runs older than 180 days "
        "(successful runs of the every-minute jobs after 2 days)."
    ),
    counts={"outbox_deleted": _("outbox messages deleted"), "runs_deleted": _("job runs deleted")},
)
def prune_history(*, today: str | None = None) -> dict:
    now = timezone.now()
    if today:  # "YYYY-MM-DD": prune as of that day's start (tests, a catch-up by hand)
        now = timezone.make_aware(datetime.datetime.combine(jobs.job_day(today), datetime.time()))
    return {
        "outbox_deleted": outbox.prune(now=now),
        "runs_deleted": jobs.prune_runs(now=now),
    }
