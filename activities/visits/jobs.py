"""The follow-up reminder of home visits (see buildingparty/jobs.py); imported by the AppConfig so it registers.

A visit's follow-up is told to the officers of the organisation that made the visit (its secretaries, else the
building's admins): the day before it is due, and once when it is overdue. The dedupe key names the visit, the
occasion and the follow-up date, so a job run twice tells each officer once, and a follow-up moved to another
date is told again.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.notifications import Notice, notify_bulk
from buildingparty.officers import Officers

from .models import HomeVisit

DUE, OVERDUE = "due", "overdue"


@jobs.job(
    "visits.follow_up_reminders",
    schedule=jobs.crontab(minute="40", hour="8"),
    description=_(
        "Remind the secretaries (else the building's admins) of home-visit follow-ups due tomorrow and of those "
        "overdue. Once per visit and occasion."
    ),
    counts={
        "due": _("follow-ups due tomorrow"),
        "overdue": _("follow-ups overdue"),
        "notified": _("notifications sent"),
    },
)
def follow_up_reminders(*, today: str | None = None) -> dict:
    """1. Open follow-ups due tomorrow (the building's date) and those overdue (before today), with whom.
    2. The officers of the visits' organisations (``Officers``: three queries for all of them).
    3. One notification per visit and occasion to those officers."""
    day = jobs.job_day(today)
    tomorrow = day + datetime.timedelta(days=1)
    visits = (
        HomeVisit.objects.follow_up_open()
        .filter(follow_up_on__lte=tomorrow)
        .exclude(follow_up_on=day)  # due today: told yesterday, overdue tomorrow
        .select_related("member", "enterprise", "organization")
    )
    counts = {"due": 0, "overdue": 0, "notified": 0}
    for rows in jobs.in_batches(visits):
        officers = Officers(v.organization_id for v in rows)
        notices = {DUE: [], OVERDUE: []}
        for visit in rows:
            occasion = DUE if visit.follow_up_on == tomorrow else OVERDUE
            counts[occasion] += 1
            context = {"visit": visit, "name": visit.visited_name, "kind": visit.get_kind_display()}
            key = f"visits:follow-up:{visit.pk}:{occasion}:{visit.follow_up_on.isoformat()}"
            url = visit.get_absolute_url()
            notices[occasion] += [
                Notice(u.pk, context, url=url, dedupe_key=key) for u in officers.of(visit.organization_id)
            ]
        for occasion, batch in notices.items():
            counts["notified"] += notify_bulk(batch, event=f"visit_follow_up_{occasion}")
    return counts
