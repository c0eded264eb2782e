"""The job page's schedule form: switch a job on or off and change when it runs."""

import re

from celery.schedules import ParseException, crontab_parser
from django import forms
from django.utils.translation import gettext_lazy as _

from . import jobs

# (field, label, lowest, highest, example list) — the ranges django-celery-beat and Celery accept.
CRONTAB_FIELDS = [
    ("minute", _("Minute"), 0, 59, "0,30"),
    ("hour", _("Hour"), 0, 23, "8,14"),
    ("day_of_month", _("Day of the month"), 1, 31, "1,15"),
    ("month_of_year", _("Month"), 1, 12, "1,7"),
    ("day_of_week", _("Day of the week"), 0, 6, "1-5"),
]

_CRON_CHARACTERS = re.compile(r"[0-9*,/-]+")
_CRON_WEEKDAY_CHARACTERS = re.compile(r"[0-9a-z*,/-]+")  # "mon-fri" as well as "1-5"


def _crontab_error(low: int, high: int, example: str):
    return _(
        "Enter a number from %(low)s to %(high)s, “*” for every one, a list such as %(example)s, "
        "a range such as %(low)s-%(high)s or a step such as */2."
    ) % {"low": low, "high": high, "example": example}


class ScheduleForm(forms.Form):
    """``kind`` is "crontab" (times of day and days, in the building's time zone) or "interval" (seconds)."""

    enabled = forms.BooleanField(
        label=_("Enabled"), required=False, help_text=_("A job switched off is not started by the schedule.")
    )
    every_seconds = forms.IntegerField(
        label=_("Every (seconds)"), min_value=10, max_value=7 * 86400, help_text=_("For example 60 for every minute.")
    )

    def __init__(self, data=None, *, kind: str, **kwargs):
        super().__init__(data, **kwargs)
        self.kind = kind
        if kind == "crontab":
            del self.fields["every_seconds"]
            for name, label, low, high, example in CRONTAB_FIELDS:
                self.fields[name] = forms.CharField(
                    label=label,
                    max_length=100 if name == "minute" else 64,
                    help_text=_("%(low)s–%(high)s or *") % {"low": low, "high": high},
                    error_messages={"required": _crontab_error(low, high, example)},
                )
        elif kind != "interval":
            raise ValueError(kind)

    def _clean_cron(self, name: str) -> str:
        _name, _label, low, high, example = next(f for f in CRONTAB_FIELDS if f[0] == name)
        value = "".join(self.cleaned_data[name].split()).lower()
        allowed = _CRON_CHARACTERS if name != "day_of_week" else _CRON_WEEKDAY_CHARACTERS
        try:
            if not allowed.fullmatch(value):
                raise ValueError(value)
            crontab_parser(high - low + 1, low).parse(value)
        except (ValueError, ParseException):
            raise forms.ValidationError(_crontab_error(low, high, example), code="invalid") from None
        return value

    def clean_minute(self):
        return self._clean_cron("minute")

    def clean_hour(self):
        return self._clean_cron("hour")

    def clean_day_of_month(self):
        return self._clean_cron("day_of_month")

    def clean_month_of_year(self):
        return self._clean_cron("month_of_year")

    def clean_day_of_week(self):
        return self._clean_cron("day_of_week")

    def schedule(self) -> jobs.Crontab | jobs.Every:
        data = self.cleaned_data
        if self.kind == "interval":
            return jobs.every(data["every_seconds"])
        return jobs.crontab(**{name: data[name] for name, *_rest in CRONTAB_FIELDS})

    @classmethod
    def for_task(cls, data=None, *, job: jobs.Job, task):
        """The form for a job, filled from its PeriodicTask (or its default schedule when it has none)."""
        initial = {"enabled": task.enabled if task is not None else True}
        if task is not None and task.interval_id:
            seconds = {"days": 86400, "hours": 3600, "minutes": 60}.get(task.interval.period, 1)
            initial["every_seconds"] = task.interval.every * seconds
            kind = "interval"
        elif task is not None and task.crontab_id:
            initial.update({name: getattr(task.crontab, name) for name, *_rest in CRONTAB_FIELDS})
            kind = "crontab"
        elif isinstance(job.schedule, jobs.Every):
            initial["every_seconds"] = job.schedule.seconds
            kind = "interval"
        else:
            schedule = job.schedule or jobs.crontab()
            initial.update({name: getattr(schedule, name) for name, *_rest in CRONTAB_FIELDS})
            kind = "crontab"
        return cls(data, kind=kind, initial=initial)
