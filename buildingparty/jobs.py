"""Scheduled jobs: one registry, one way to run them, every run recorded.

An app declares its jobs in its own ``jobs.py``, imported by its ``AppConfig.ready`` (the ground floor never
imports a higher one)::

    from buildingparty import jobs

    @jobs.job(
        "members.generate_dues",
        schedule=jobs.crontab(minute="10", hour="1", day_of_month="1"),
        description=_("Make the month's dues bills for every paying member."),
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
from then on belongs to the admins, who edit it on the job page.
"""

import dataclasses
import logging
import traceback

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
BACKOFF_SECONDS = 30  # 30 s, 60 s, 120 s, 240 s, 480 s
BACKOFF_MAX_SECONDS = 15 * 60


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

    @property
    def label(self):
        """The description's first sentence, for lists."""
        return str(self.description).split("。")[0].split(". ")[0]


_registry: dict[str, Job] = {}


def registered() -> list[Job]:
    return sorted(_registry.values(), key=lambda j: j.name)


def get(name: str) -> Job:
    return _registry[name]


def job(name: str, *, schedule: Crontab | Every | None, description):
    """Register a job function and make its Celery task (named ``name``)."""

    def decorator(function):
        spec = Job(name=name, function=function, schedule=schedule, description=description)

        @shared_task(name=name, bind=True, acks_late=True, ignore_result=True, max_retries=MAX_RETRIES)
        def task(self, **kwargs):
            last_attempt = self.request.retries >= MAX_RETRIES
            try:
                return run(
                    spec, kwargs, task_id=self.request.id or "", attempt=self.request.retries + 1, final=last_attempt
                )
            except TRANSIENT_ERRORS as exc:
                if last_attempt:
                    raise
                countdown = min(BACKOFF_SECONDS * 2**self.request.retries, BACKOFF_MAX_SECONDS)
                raise self.retry(exc=exc, countdown=countdown, kwargs=kwargs) from exc

        spec.task = task
        _registry[name] = spec
        function.job = spec
        return function

    return decorator


def run(spec: Job, kwargs: dict, *, task_id: str = "", attempt: int = 1, final: bool = True):
    """Run a job here and now, recording the attempt. ``final``: a transient error is a failure, not a retry."""
    from .models import JobRun

    record = JobRun.objects.create(job=spec.name, task_id=task_id, attempt=attempt, arguments=kwargs)
    try:
        counts = spec.function(**kwargs) or {}
    except BaseException as exc:
        transient = isinstance(exc, TRANSIENT_ERRORS) and not final
        outcome = JobRun.Outcome.RETRYING if transient else JobRun.Outcome.FAILED
        _finish(record, outcome=outcome, error="".join(traceback.format_exception(exc))[-4000:])
        logger.warning("job %s attempt %s %s: %s", spec.name, attempt, outcome, exc)
        raise
    _finish(record, outcome=JobRun.Outcome.SUCCEEDED, counts=_jsonable(counts))
    return counts


def run_now(name: str, **kwargs):
    """Run a registered job in this process (management commands), recorded like a worker's run."""
    return run(get(name), kwargs, final=True)


def _finish(record, *, outcome, counts=None, error=""):
    from .models import JobRun

    try:
        JobRun.objects.filter(pk=record.pk).update(
            outcome=outcome, finished_at=timezone.now(), counts=counts or {}, error=error
        )
    except Exception:  # the database itself is what failed; the run stays "running" and shows as stuck
        logger.exception("could not record the end of job run %s", record.pk)


def _jsonable(counts) -> dict:
    if not isinstance(counts, dict):
        return {"result": str(counts)}
    return {str(k): (v if isinstance(v, (int, float, str, bool)) or v is None else str(v)) for k, v in counts.items()}
