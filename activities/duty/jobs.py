"""The duty rosters' scheduled job (see buildingparty/jobs.py); imported by the AppConfig so it registers.

The evening before, each person on tomorrow's shifts who has an account hears of the shift: once per shift and
person (a dedupe key per shift and day, so a shift moved to another day is told again). Volunteers and members
without an account are counted, not told: the leader tells them.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.notifications import notify

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
    assignments = (
        Assignment.objects.filter(shift__starts_at__gte=start, shift__starts_at__lt=end)
        .select_related("shift__team", "team_member__member__user")
        .order_by("shift__starts_at", "shift_id", "pk")
    )
    by_shift = defaultdict(list)
    shifts = {}
    without_account = 0
    for assignment in assignments:
        shifts[assignment.shift_id] = assignment.shift
        person = assignment.team_member
        user = person.member.user if person.member_id else None
        if user is None or not user.is_active:
            without_account += 1
            continue
        by_shift[assignment.shift_id].append(user)
    counts = {"shifts": len(shifts), "reminded": 0, "without_account": without_account}
    for shift_id, users in by_shift.items():
        shift = shifts[shift_id]
        with transaction.atomic():
            made = notify(
                users=users,
                event="duty_reminder",
                context={"shift": shift, "team": shift.team},
                url=shift.get_absolute_url(),
                dedupe_key=f"duty:remind:{shift.pk}:{tomorrow.isoformat()}",
            )
        counts["reminded"] += len(made)
    return counts
