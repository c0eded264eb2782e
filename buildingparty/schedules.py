"""Each registered job's schedule, kept in django-celery-beat's tables so admins can edit it.

1. After ``migrate`` (``post_migrate``), every registered job with a schedule gets a ``PeriodicTask`` of the
   same name: a ``CrontabSchedule`` in the building's time zone for ``jobs.crontab(...)``, an
   ``IntervalSchedule`` for ``jobs.every(...)``. A row is created when missing and never overwritten, so an
   admin's change survives upgrades.
2. Admins change a schedule on the job page (``update_schedule``); beat notices the change by itself.
3. ``describe`` puts any of these schedules into a short phrase for people ("每月1日 01:10", "每 60 秒").
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import jobs

# Before the heartbeat became a registered job its PeriodicTask was called "heartbeat": that row (with any
# change an admin made to it) is renamed rather than doubled.
LEGACY_NAMES = {"buildingparty.heartbeat": "heartbeat"}


# --- written after migrate -----------------------------------------------------------------------------------


def ensure_periodic_tasks(**kwargs):
    from django_celery_beat.models import PeriodicTask, PeriodicTasks

    from .services import stored

    using = kwargs.get("using") or DEFAULT_DB_ALIAS
    tasks = PeriodicTask.objects.using(using)
    existing = set(tasks.values_list("name", flat=True))
    changed = False
    for job in jobs.registered():
        if job.schedule is None or job.name in existing:
            continue
        legacy = LEGACY_NAMES.get(job.name)
        if legacy in existing:
            tasks.filter(name=legacy).update(name=job.name, task=job.name)
            changed = True
            continue
        tasks.create(
            name=job.name,
            task=job.name,
            description=stored(job.description),
            **schedule_fields(job.schedule, using=using),
        )
        changed = True
    if changed:
        PeriodicTasks.update_changed()  # a running beat reloads its schedule


def schedule_fields(schedule: jobs.Crontab | jobs.Every, *, using: str = DEFAULT_DB_ALIAS) -> dict:
    """The ``crontab`` or ``interval`` of a PeriodicTask for a job's schedule (the other one None)."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule

    if isinstance(schedule, jobs.Every):
        interval = IntervalSchedule.objects.using(using).filter(
            every=schedule.seconds, period=IntervalSchedule.SECONDS
        ).first() or IntervalSchedule.objects.using(using).create(
            every=schedule.seconds, period=IntervalSchedule.SECONDS
        )
        return {"interval": interval, "crontab": None}
    fields = {
        "minute": schedule.minute,
        "hour": schedule.hour,
        "day_of_week": schedule.day_of_week,
        "day_of_month": schedule.day_of_month,
        "month_of_year": schedule.month_of_year,
    }
    crontab = CrontabSchedule.objects.using(using).filter(
        **fields, timezone=settings.TIME_ZONE
    ).first() or CrontabSchedule.objects.using(using).create(**fields, timezone=settings.TIME_ZONE)
    return {"crontab": crontab, "interval": None}


def periodic_tasks(names) -> dict:
    """``{job name: PeriodicTask}`` with their schedules, in one query."""
    from django_celery_beat.models import PeriodicTask

    rows = PeriodicTask.objects.filter(name__in=list(names)).select_related("crontab", "interval")
    return {row.name: row for row in rows}


@transaction.atomic
def update_schedule(*, job: jobs.Job, enabled: bool, schedule: jobs.Crontab | jobs.Every | None = None):
    """An admin's change to a job's schedule: switch it on or off, and (when given) replace its timing.

    A job whose PeriodicTask was deleted (in the Django admin) gets one again.
    """
    from django_celery_beat.models import PeriodicTask

    from .services import stored

    task = PeriodicTask.objects.select_for_update().filter(name=job.name).first()
    if task is None:
        task = PeriodicTask(name=job.name, task=job.name, description=stored(job.description))
        schedule = schedule or job.schedule
    if schedule is not None:
        for field, value in schedule_fields(schedule).items():
            setattr(task, field, value)
    task.enabled = enabled
    task.save()  # django-celery-beat marks the schedule changed, and a running beat reloads it
    return task


# --- in words ------------------------------------------------------------------------------------------------

_SECONDS_PER = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "microseconds": 1e-6}


def describe(schedule) -> str:
    """A job's schedule in a short phrase: a ``jobs.Crontab`` / ``jobs.Every``, or a PeriodicTask."""
    if schedule is None:
        return _("Not scheduled: run by hand")
    if isinstance(schedule, jobs.Every):
        return describe_interval(schedule.seconds)
    if isinstance(schedule, jobs.Crontab):
        return describe_crontab(
            minute=schedule.minute,
            hour=schedule.hour,
            day_of_month=schedule.day_of_month,
            month_of_year=schedule.month_of_year,
            day_of_week=schedule.day_of_week,
        )
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    if isinstance(schedule, PeriodicTask):
        if schedule.crontab_id:
            schedule = schedule.crontab
        elif schedule.interval_id:
            schedule = schedule.interval
        else:  # solar or clocked, set up in the Django admin
            return _("Other schedule (see the Django admin)")
    if isinstance(schedule, IntervalSchedule):
        return describe_interval(int(schedule.every * _SECONDS_PER.get(schedule.period, 1)))
    text = describe_crontab(
        minute=schedule.minute,
        hour=schedule.hour,
        day_of_month=schedule.day_of_month,
        month_of_year=schedule.month_of_year,
        day_of_week=schedule.day_of_week,
    )
    zone = str(schedule.timezone)
    return text if zone == settings.TIME_ZONE else f"{text} ({zone})"


def describe_interval(seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return _("Every %(n)s hours") % {"n": seconds // 3600}
    if seconds > 60 and seconds % 60 == 0:
        return _("Every %(n)s minutes") % {"n": seconds // 60}
    return _("Every %(n)s seconds") % {"n": seconds}


def describe_crontab(*, minute="*", hour="*", day_of_month="*", month_of_year="*", day_of_week="*") -> str:
    minute, hour = str(minute).strip(), str(hour).strip()
    dom, moy, dow = (str(v).strip() for v in (day_of_month, month_of_year, day_of_week))
    expression = f"{minute} {hour} {dom} {moy} {dow}"
    minutes, hours = _numbers(minute), _numbers(hour)

    if minutes and hours and len(minutes) * len(hours) <= 6:
        times = _join([f"{h:02d}:{m:02d}" for h in hours for m in minutes])
        days = _numbers(dom)
        if dom == "*" and moy == "*" and dow == "*":
            return _("Every day at %(time)s") % {"time": times}
        if days and moy == "*" and dow == "*":
            return _("Monthly on day %(days)s at %(time)s") % {"days": _join(days), "time": times}
        if days and _numbers(moy) and dow == "*":
            return _("Yearly on %(months)s/%(days)s at %(time)s") % {
                "months": _join(_numbers(moy)),
                "days": _join(days),
                "time": times,
            }
        weekdays = _weekdays(dow)
        if weekdays and dom == "*" and moy == "*":
            return _("Every %(weekdays)s at %(time)s") % {"weekdays": weekdays, "time": times}
    if dom == "*" and moy == "*" and dow == "*":
        if hour == "*" and minutes and len(minutes) == 1:
            return _("Every hour at minute %(minute)s") % {"minute": minutes[0]}
        if hour == "*" and minute.startswith("*/") and minute[2:].isdigit():
            return _("Every %(n)s minutes") % {"n": int(minute[2:])}
        if hour.startswith("*/") and hour[2:].isdigit() and minutes and len(minutes) == 1:
            return _("Every %(n)s hours at minute %(minute)s") % {"n": int(hour[2:]), "minute": minutes[0]}
    return _("Cron “%(expression)s” (minute hour day month weekday)") % {"expression": expression}


def _numbers(field: str) -> list[int] | None:
    """The numbers of a plain cron list ("1", "0,30"), else None."""
    parts = field.split(",")
    if not all(p.isdigit() for p in parts):
        return None
    return [int(p) for p in parts]


def _join(items) -> str:
    return pgettext("list separator", ", ").join(str(i) for i in items)


def _weekday(number: int) -> str:
    names = [
        pgettext("weekday in a schedule", "Sunday"),
        pgettext("weekday in a schedule", "Monday"),
        pgettext("weekday in a schedule", "Tuesday"),
        pgettext("weekday in a schedule", "Wednesday"),
        pgettext("weekday in a schedule", "Thursday"),
        pgettext("weekday in a schedule", "Friday"),
        pgettext("weekday in a schedule", "Saturday"),
    ]
    return names[number % 7]


def _weekdays(field: str) -> str | None:
    """Cron weekdays ("1", "1,3", "1-5"; 0 and 7 are Sunday) in words, else None."""
    words = []
    for part in field.split(","):
        first, dash, last = part.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()) or int(first) > 7 or (dash and int(last) > 7):
            return None
        if dash:
            words.append(_("%(first)s to %(last)s") % {"first": _weekday(int(first)), "last": _weekday(int(last))})
        else:
            words.append(_weekday(int(first)))
    return _join(words)
