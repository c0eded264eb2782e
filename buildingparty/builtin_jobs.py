"""The ground floor's scheduled jobs (see buildingparty/jobs.py); imported by the AppConfig so they register."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import imports, jobs, outbox, services, submissions


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
    "buildingparty.sweep_abandoned_runs",
    schedule=jobs.every(60),
    description=_(
        "Rescue abandoned jobs. Marks as abandoned the job runs whose worker stopped mid-run (no sign of life "
        "for two minutes) and runs those jobs again."
    ),
    history_days=2,
    counts={
        "abandoned": _("runs abandoned"),
        "resent": _("jobs run again"),
        "given_up": _("jobs not run again (abandoned three times)"),
    },
)
def sweep_abandoned_runs() -> dict:
    return jobs.sweep_abandoned()


@jobs.job(
    "buildingparty.prune_history",
    schedule=jobs.crontab(minute="40", hour="3"),
    description=_(
        "Prune old records. Deletes outbox messages sent more than 7 days ago and job runs older than 180 days "
        "(successful runs of the every-minute jobs after 2 days), one-time form tokens after 2 days, and register "
        "uploads never confirmed for import after a day."
    ),
    counts={
        "outbox_deleted": _("outbox messages deleted"),
        "runs_deleted": _("job runs deleted"),
        "tokens_deleted": _("form tokens deleted"),
        "uploads_deleted": _("unconfirmed uploads deleted"),
    },
)
def prune_history(*, today: str | None = None) -> dict:
    now = timezone.now()
    if today:  # "YYYY-MM-DD": prune as of that day's start (tests, a catch-up by hand)
        now = timezone.make_aware(datetime.datetime.combine(jobs.job_day(today), datetime.time()))
    return {
        "outbox_deleted": outbox.prune(now=now),
        "runs_deleted": jobs.prune_runs(now=now),
        "tokens_deleted": submissions.prune(now=now),
        "uploads_deleted": imports.prune_uploads(now=now.timestamp()),
    }


# Issue 14 (imports): a large register import, confirmed on its import page, runs here rather than in the web
# request; no schedule. "Run now" on the job page takes every import still waiting (or abandoned by a dead worker).
@jobs.job(
    "buildingparty.run_import",
    schedule=None,
    description=_(
        "Import a large register file. Checks every row of a confirmed import, then writes all rows or none; "
        "the person who confirmed it follows its progress on the import's page."
    ),
    counts={"imported": _("imports written"), "failed": _("imports refused"), "skipped": _("already taken")},
)
def run_import(*, run_id: int | None = None) -> dict:
    from . import imports

    return imports.run_queued(run_id=run_id)


@jobs.job(
    "buildingparty.retry_emails",
    schedule=jobs.every(300),
    description=_(
        "Retry failed emails. Sends again the notification emails that could not be sent, with growing pauses; "
        "after five attempts an email is marked failed and listed on this page."
    ),
    history_days=2,
    counts={
        "retried": _("emails tried again"),
        "sent": _("emails sent"),
        "failed": _("emails given up on"),
    },
)
def retry_emails() -> dict:
    return services.retry_emails()
