"""Scheduled jobs of volunteering (see buildingparty/jobs.py); imported by the AppConfig so they register.

The reminder has a dedupe key per activity and day, so a job run twice, or twice at once, tells each volunteer once
(an activity moved to another day is reminded again).
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.notifications import Notice, notify_bulk
from members.models import active_q

from .models import Activity, Signup


@jobs.job(
    "volunteering.remind_signups",
    schedule=jobs.crontab(minute="15", hour="9"),
    description=_(
        "Remind the volunteers signed up for tomorrow's activities (with an account) of the time and place. Once per "
        "volunteer and activity."
    ),
    counts={
        "activities": _("activities tomorrow"),
        "volunteers": _("volunteers with an account"),
        "reminded": _("reminders sent"),
    },
)
def remind_signups(*, today: str | None = None) -> dict:
    """1. Published activities starting tomorrow (the building's date).
    2. Their volunteers signed up (not waiting, not withdrawn), in normal standing and still here, with an account:
       one query.
    3. One notification per activity and volunteer, keyed by activity and day."""
    tomorrow = jobs.job_day(today) + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    activities = {
        a.pk: a
        for a in Activity.objects.filter(
            status=Activity.Status.PUBLISHED, starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)
        ).order_by("starts_at", "pk")
    }
    signups = (
        Signup.objects.filter(
            activity_id__in=list(activities), status=Signup.Status.SIGNED_UP, member__user__isnull=False
        )
        .filter(active_q("member__"))
        .select_related("member")
    )
    counts = {"activities": len(activities), "volunteers": 0, "reminded": 0}

    def notices():
        for signup in (s for rows in jobs.in_batches(signups) for s in rows):
            activity = activities[signup.activity_id]
            counts["volunteers"] += 1
            yield Notice(
                signup.member.user_id,
                {"activity": activity},
                url=activity.get_absolute_url(),
                dedupe_key=f"volunteering:remind:{activity.pk}:{tomorrow.isoformat()}",
            )

    counts["reminded"] = notify_bulk(notices(), event="volunteering_reminder")
    return counts
