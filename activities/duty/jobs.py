"""The duty rosters' scheduled job (see buildingparty/jobs.py); imported by the AppConfig so it registers.

The evening before, each person on tomorrow's shifts who has an account hears of the shift: once per shift and
person (a dedupe key per shift and day, so a shift moved to another day is told again). Volunteers and members
without an account are counted, not told: the leader tells them.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.notifications import Notice, notify_bulk

from . import selectors
from .models import Assignment


@jobs.job(
    "duty.remind_shifts",
    schedule=jobs.crontab(minute="0", hour="18"),
    description=_(
        "Remind the people on tomorrow's duty shifts who have an account of the time and post. Once per shift and "
        "person; volunteers without an account are counted, for the leader to tell."
    ),
    counts={
        "shifts": _("shifts tomorrow"),
        "reminded": _("reminders sent"),
        "without_account": _("people without an account"),
    },
)
def remind_shifts(*, today: str | None = None) -> dict:
    """1. The assignments on shifts starting tomorrow (the building's date), with shift, team and person: one
       query.
    2. One notification per shift and person with an active account, keyed by shift and day."""
    tomorrow = jobs.job_day(today) + datetime.timedelta(days=1)
    start = selectors.local_midnight(tomorrow)
    end = selectors.local_midnight(tomorrow + datetime.timedelta(days=1))
    assignments = Assignment.objects.filter(shift__starts_at__gte=start, shift__starts_at__lt=end).select_related(
        "shift__team", "team_member__member__user"
    )
    shifts = set()
    counts = {"shifts": 0, "reminded": 0, "without_account": 0}

    def notices():
        for assignment in (a for rows in jobs.in_batches(assignments) for a in rows):
            shift = assignment.shift
            shifts.add(shift.pk)
            person = assignment.team_member
            user = person.member.user if person.member_id else None
            if user is None or not user.is_active:
                counts["without_account"] += 1
                continue
            yield Notice(
                user.pk,
                {"shift": shift, "team": shift.team},
                url=shift.get_absolute_url(),
                dedupe_key=f"duty:remind:{shift.pk}:{tomorrow.isoformat()}",
            )

    counts["reminded"] = notify_bulk(notices(), event="duty_reminder")
    counts["shifts"] = len(shifts)
    return counts
