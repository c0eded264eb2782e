"""Scheduled jobs: one registry, one way to run them, every run recorded.

An app declares its jobs in its own ``jobs.py``, imported by its ``AppConfig.ready`` (the ground floor never
imports a higher one)::

    from buildingparty import jobs

    @jobs.job(
        "members.generate_dues",
        schedule=jobs.crontab(minute="10", hour="1", day_of_month="1"),
        description=_("Make the month's dues bills for every paying member."),
        counts={"created": _("bills made"), "existing": _("bills already made")},  # labels on the job page
    )
    def generate_dues(*, month: str | None = None) -> dict:
        ...
        return {"created": 51, "existing": 0}

The decorator makes a Celery task of the same name. Each attempt is recorded as a ``JobRun`` (start, end,
outcome, the counts the function returns, the error); transient errors (a database or broker connection lost)
are retried with exponential back-off, anything else fails at once; both show on the job page. Jobs take only
JSON values (ids, dates as ``YYYY-MM-DD`` text), never objects, and must be safe to run twice and at the same
time: unique constraints, row locks and a notification ``dedupe_key`` per reminder and period.

The schedule is written into django-celery-beat's tables once (``buildingparty.schedules``, after migrate) and
from then on belongs to the admins, who edit it on the job page (``/jobs/``). To start a job from a web request
(the job page's "run now"), enqueue it through ``buildingparty.outbox`` so a broker outage never loses it.
"""

import dataclasses
import datetime
import logging
import threading
import traceback

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
BACKOFF_SECONDS = 30  # 30 s, 60 s, 120 s, 240 s, 480 s
BACKOFF_MAX_SECONDS = 15 * 60
STUCK_AFTER_SECONDS = 60 * 60  # a run "running" this long has died with its worker (or hangs)
RUN_KEEP_DAYS = 180
# A running run writes a sign of life every settings.JOB_ALIVE_SECONDS; one silent for
# settings.JOB_ABANDONED_AFTER_SECONDS lost its worker (SIGKILL, OOM, a power cut) and is marked abandoned and
# run again by the sweep (``sweep_abandoned``).
MAX_ABANDONED = 3  # a job whose worker dies this often on the same task is not run again (it kills its worker)


def _transient_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OperationalError, InterfaceError, ConnectionError, TimeoutError]
    try:
        from kombu.exceptions import OperationalError as BrokerError

        errors.append(BrokerError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


TRANSIENT_ERRORS = _transient_errors()


@dataclasses.dataclass(frozen=True)
class Crontab:
    """A django-celery-beat crontab, in the building's time zone. Fields are cron text: "*", "1", "*/15"."""

    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"


@dataclasses.dataclass(frozen=True)
class Every:
    """An interval schedule, in seconds."""

    seconds: int


def job_day(today: str | None) -> datetime.date:
    """The day a job runs for: ``today`` as "YYYY-MM-DD" (tests, re-runs, catch-ups), else the building's date."""
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


BATCH = 1000


def in_batches(queryset, size: int = BATCH):
    """A job's rows, ``size`` at a time, by primary key (keyset, not OFFSET): memory stays flat, and a job that
    does a fixed number of queries per batch does the same number for 30 members as for 90."""
    queryset = queryset.order_by("pk")
    rows = list(queryset[:size])
    while rows:
        yield rows
        if len(rows) < size:  # the last batch: no query to find out
            return
        rows = list(queryset.filter(pk__gt=rows[-1].pk)[:size])


def crontab(**fields) -> Crontab:
    return Crontab(**{k: str(v) for k, v in fields.items()})


def every(seconds: int) -> Every:
    return Every(seconds=int(seconds))


@dataclasses.dataclass
class Job:
    name: str
    function: object
    schedule: Crontab | Every | None
    description: str
    task: object = None
    history_days: int | None = None  # successful runs kept this long (frequent jobs); None: the general rule
    counts: dict = dataclasses.field(default_factory=dict)  # count key → its (lazily translated) label

    def labelled_counts(self, counts: dict | None) -> list[tuple[str, object]]:
        """A run's counts as (label, value) pairs in their order; a key without a label shows as itself."""
        return [(self.counts.get(key, key), value) for key, value in (counts or {}).items()]

    @property
    def label(self):
        """The description's first sentence, for lists."""
        return str(self.description).split("。")[0].split(". ")[0]

    @property
    def details(self):
        """The description after its first sentence."""
        text = str(self.description)
        return text[len(self.label) :].lstrip("。. ").strip()


_registry: dict[str, Job] = {}


def registered() -> list[Job]:
    return sorted(_registry.values(), key=lambda j: j.name)


def get(name: str) -> Job:
    return _registry[name]


def find(name: str) -> Job | None:
    return _registry.get(name)


def backoff(retries: int) -> int:
    """Seconds to wait before the next attempt after ``retries`` retries: doubling, capped."""
    return min(BACKOFF_SECONDS * 2**retries, BACKOFF_MAX_SECONDS)


def job(
    name: str,
    *,
    schedule: Crontab | Every | None,
    description,
    history_days: int | None = None,
    counts: dict[str, str] | None = None,
):
    """Register a job function and make its Celery task (named ``name``).

    ``history_days``: for jobs that run every minute or so, how long their successful runs are kept (failures
    follow the general rule), so the run history stays small.
    ``counts``: a label for each key of the dict the function returns, lazily translated
    (``{"created": _("bills made")}``), shown on the job page instead of the key.
    """

    def decorator(function):
        spec = Job(
            name=name,
            function=function,
            schedule=schedule,
            description=description,
            history_days=history_days,
            counts=dict(counts or {}),
        )

        @shared_task(name=name, bind=True, acks_late=True, ignore_result=True, max_retries=MAX_RETRIES)
        def task(self, **kwargs):
            last_attempt = self.request.retries >= MAX_RETRIES
            task_id = self.request.id or ""
            try:
                abandoned = _earlier_runs(task_id) if task_id and not self.request.is_eager else 0
                if abandoned is None:  # the broker handed out a message already done (redelivered after a crash)
                    logger.info("job %s: task %s already finished; not run again", spec.name, task_id)
                    return None
                attempt = self.request.retries + 1 + abandoned
                return run(spec, kwargs, task_id=task_id, attempt=attempt, final=last_attempt)
            except TRANSIENT_ERRORS as exc:
                if last_attempt:
                    raise
                if self.request.is_eager:  # tests: Celery would raise Retry here; make the next attempt now
                    return self.apply(kwargs=kwargs, retries=self.request.retries + 1, throw=True).get()
                raise self.retry(exc=exc, countdown=backoff(self.request.retries), kwargs=kwargs) from exc

        spec.task = task
        _registry[name] = spec
        function.job = spec
        return function

    return decorator


def unregister(name: str) -> None:
    """Forget a job and its task (tests that register jobs of their own clean up with this)."""
    from .celery import app

    _registry.pop(name, None)
    app.tasks.pop(name, None)


def run(spec: Job, kwargs: dict, *, task_id: str = "", attempt: int = 1, final: bool = True):
    """Run a job here and now, recording the attempt. ``final``: a transient error is a failure, not a retry."""
    from .models import JobRun

    now = timezone.now()
    record = JobRun.objects.create(
        job=spec.name, task_id=task_id, attempt=attempt, arguments=kwargs, started_at=now, alive_at=now
    )
    alive = _KeepAlive(record.pk)
    alive.start()
    try:
        counts = spec.function(**kwargs) or {}
    except BaseException as exc:
        alive.stop()
        transient = isinstance(exc, TRANSIENT_ERRORS) and not final
        outcome = JobRun.Outcome.RETRYING if transient else JobRun.Outcome.FAILED
        _finish(record, outcome=outcome, error="".join(traceback.format_exception(exc))[-4000:])
        logger.warning("job %s attempt %s %s: %s", spec.name, attempt, outcome, exc)
        raise
    alive.stop()
    _finish(record, outcome=JobRun.Outcome.SUCCEEDED, counts=_jsonable(counts))
    return counts


class _KeepAlive(threading.Thread):
    """Writes the run's ``alive_at`` every ``JOB_ALIVE_SECONDS`` while the job works, on its own connection.
    A worker killed outright (SIGKILL) takes this thread with it, so the silence shows its death."""

    def __init__(self, pk: int):
        super().__init__(name=f"job-run-{pk}-alive", daemon=True)
        self.pk = pk
        self.stopped = threading.Event()

    def run(self):
        from django.db import connections

        from .models import JobRun

        try:
            while not self.stopped.wait(settings.JOB_ALIVE_SECONDS):
                try:
                    JobRun.objects.filter(pk=self.pk, outcome=JobRun.Outcome.RUNNING).update(alive_at=timezone.now())
                except Exception:  # the database is away for a moment; the next beat tries again
                    logger.warning("could not record that job run %s is alive", self.pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self):
        self.stopped.set()
        self.join(timeout=5)


def _earlier_runs(task_id: str) -> int | None:
    """Before a worker runs task ``task_id``: None if a run of it already ended (a duplicate delivery), else
    the number of its earlier runs abandoned by a dead worker, after marking a still-"running" one abandoned
    (the broker redelivered the message of a worker that died)."""
    from .models import JobRun

    Outcome = JobRun.Outcome
    runs = JobRun.objects.filter(task_id=task_id)
    if runs.filter(outcome__in=[Outcome.SUCCEEDED, Outcome.FAILED]).exists():
        return None
    runs.filter(outcome=Outcome.RUNNING).update(
        outcome=Outcome.ABANDONED, finished_at=timezone.now(), error=ABANDONED_ERROR
    )
    return runs.filter(outcome=Outcome.ABANDONED).count()


ABANDONED_ERROR = "The worker running this job stopped mid-run (killed or lost) and recorded no end."


def sweep_abandoned(*, now: datetime.datetime | None = None) -> dict:
    """Mark runs silent for ``JOB_ABANDONED_AFTER_SECONDS`` abandoned and hand their tasks to the broker again.

    1. Take the silent "running" rows, locked (PostgreSQL: a second sweep at the same moment skips them).
    2. Mark them abandoned, in the same transaction as 3, so a broker failure leaves them for the next sweep.
    3. Send each task again under its own task id (a late redelivery of the original message is then seen as
       done and skipped), unless that task was abandoned ``MAX_ABANDONED`` times: a job that kills its worker
       is left for a person, shown on the job page.
    Runs by the beat schedule every minute and when a worker starts (``buildingparty.celery``).
    """
    from django.db.models import Q

    from .models import JobRun

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.JOB_ABANDONED_AFTER_SECONDS)
    silent = Q(alive_at__lt=cutoff) | Q(alive_at__isnull=True, started_at__lt=cutoff)
    resent = given_up = 0
    with transaction.atomic():
        rows = JobRun.objects.filter(silent, outcome=JobRun.Outcome.RUNNING)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        runs = list(rows)
        JobRun.objects.filter(pk__in=[r.pk for r in runs]).update(
            outcome=JobRun.Outcome.ABANDONED, finished_at=now, error=ABANDONED_ERROR
        )
        for record in runs:
            spec = find(record.job)
            times = JobRun.objects.filter(task_id=record.task_id, outcome=JobRun.Outcome.ABANDONED).count()
            if spec is None or (record.task_id and times >= MAX_ABANDONED):
                given_up += 1
                logger.error("job %s: run %s abandoned %s times; not run again", record.job, record.pk, times)
                continue
            spec.task.apply_async(kwargs=record.arguments, task_id=record.task_id or None)
            resent += 1
    if runs:
        logger.warning("job runs abandoned by a dead worker: %s (run again: %s)", len(runs), resent)
    return {"abandoned": len(runs), "resent": resent, "given_up": given_up}


def run_now(name: str, **kwargs):
    """Run a registered job in this process (management commands), recorded like a worker's run."""
    return run(get(name), kwargs, final=True)


def _finish(record, *, outcome, counts=None, error=""):
    from .models import JobRun

    def write():
        JobRun.objects.filter(pk=record.pk).update(
            outcome=outcome, finished_at=timezone.now(), counts=counts or {}, error=error
        )

    try:
        write()
        return
    except Exception:
        if transaction.get_connection().in_atomic_block:
            logger.exception("could not record the end of job run %s", record.pk)
            return
    # The job lost its database connection (the transient error it is being retried for): try a fresh one.
    try:
        connection.close()
        write()
    except Exception:  # the database itself is away; the run stays "running" and shows as stuck after an hour
        logger.exception("could not record the end of job run %s", record.pk)


def _jsonable(counts) -> dict:
    if not isinstance(counts, dict):
        return {"result": str(counts)}
    return {str(k): (v if isinstance(v, (int, float, str, bool)) or v is None else str(v)) for k, v in counts.items()}


# --- reading and pruning the record --------------------------------------------------------------------------


def stuck_before(now: datetime.datetime | None = None) -> datetime.datetime:
    """Runs still "running" that started before this are stuck."""
    return (now or timezone.now()) - datetime.timedelta(seconds=STUCK_AFTER_SECONDS)


def problem_runs(*, days: int = 7, now: datetime.datetime | None = None):
    """Failed runs, and runs stuck "running", of the last ``days`` days, newest first (a queryset)."""
    from django.db.models import Q

    from .models import JobRun

    now = now or timezone.now()
    return JobRun.objects.filter(started_at__gte=now - datetime.timedelta(days=days)).filter(
        Q(outcome=JobRun.Outcome.FAILED) | Q(outcome=JobRun.Outcome.RUNNING, started_at__lt=stuck_before(now))
    )


def health(*, now: datetime.datetime | None = None) -> dict:
    """For /healthz: failed runs in the last 24 hours, and runs stuck "running" (of the last 7 days). One query."""
    from django.db.models import Count, Q

    from .models import JobRun

    now = now or timezone.now()
    counts = problem_runs(now=now).aggregate(
        failed_24h=Count(
            "pk", filter=Q(outcome=JobRun.Outcome.FAILED, started_at__gte=now - datetime.timedelta(hours=24))
        ),
        stuck=Count("pk", filter=Q(outcome=JobRun.Outcome.RUNNING)),
    )
    return {"failed_24h": counts["failed_24h"], "stuck": counts["stuck"]}


def overview(names, *, now: datetime.datetime | None = None) -> dict:
    """For each job name: its last run, last success and failures in the last 7 days. Two queries whatever
    the number of jobs or runs."""
    from django.db.models import Count, Max, Q

    from .models import JobRun

    now = now or timezone.now()
    names = list(names)
    runs = JobRun.objects.filter(job__in=names)
    last_ids = runs.values("job").annotate(last=Max("pk")).values("last")
    success_ids = runs.filter(outcome=JobRun.Outcome.SUCCEEDED).values("job").annotate(last=Max("pk")).values("last")
    latest, succeeded = {}, {}
    # The two rows of a job, at most: its last run is the newer, its last success the succeeded one.
    for run in JobRun.objects.filter(Q(pk__in=last_ids) | Q(pk__in=success_ids)).order_by("pk"):
        latest[run.job] = run
        if run.outcome == JobRun.Outcome.SUCCEEDED:
            succeeded[run.job] = run
    failures = dict(
        runs.filter(outcome=JobRun.Outcome.FAILED, started_at__gte=now - datetime.timedelta(days=7))
        .values("job")
        .annotate(n=Count("pk"))
        .values_list("job", "n")
    )  # the second query
    cutoff = stuck_before(now)
    result = {}
    for name in names:
        last = latest.get(name)
        if last is not None:
            last.stuck = last.outcome == JobRun.Outcome.RUNNING and last.started_at < cutoff
        result[name] = {"last": last, "last_success": succeeded.get(name), "failures_7d": failures.get(name, 0)}
    return result


def prune_runs(*, now: datetime.datetime | None = None) -> int:
    """Delete runs older than ``RUN_KEEP_DAYS``, and the successful runs of jobs with a shorter
    ``history_days``; bulk deletes, no rows loaded."""
    from .models import JobRun

    now = now or timezone.now()
    deleted, _ = JobRun.objects.filter(started_at__lt=now - datetime.timedelta(days=RUN_KEEP_DAYS)).delete()
    for spec in registered():
        if spec.history_days:
            n, _ = JobRun.objects.filter(
                job=spec.name,
                outcome=JobRun.Outcome.SUCCEEDED,
                started_at__lt=now - datetime.timedelta(days=spec.history_days),
            ).delete()
            deleted += n
    return deleted
