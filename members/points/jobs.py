"""Scheduled jobs (see buildingparty/jobs.py); imported by the AppConfig so they register."""

import datetime

from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from members.points import services as points


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@jobs.job(
    "members.credit_points",
    schedule=jobs.crontab(minute="30", hour="2"),
    description=_(
        "Credit automatic points (dues paid on time, and later attendance, volunteering and study hours). "
        "Each record is credited once, within each rule's yearly cap."
    ),
    counts={
        "credited": _("entries credited"),
        "capped": _("entries cut by the yearly cap"),
        "points": _("points credited"),
        "existing": _("records credited before"),
        "no_rule": _("sources without a rule in use"),
    },
)
def credit_points(*, building_id: int | None = None, since: str | None = None, until: str | None = None) -> dict:
    """``since`` and ``until`` as YYYY-MM-DD; by default from the start of last year to today."""
    return points.credit_automatic(building_id=building_id, since=_date(since), until=_date(until))
