"""Scheduled jobs of organisational life (see buildingparty/jobs.py); imported by the AppConfig so they register.

Each reminder has a dedupe key per thing and occasion, so a job run twice, or twice at once, tells each person once:
the day before a meeting, its participants; while a leave request waits, the officers who decide it; in the middle
of each quarter, a branch's officers of the required meetings it has neither held nor planned.
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.models import PartyOrganization
from buildingparty.notifications import Notice, notify_bulk
from buildingparty.officers import Officers
from members.models import active_q

from . import compliance
from .models import Attendance, Meeting


def _day_range(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


@jobs.job(
    "meetings.remind_participants",
    schedule=jobs.crontab(minute="0", hour="9"),
    description=_(
        "Remind the members expected at tomorrow's meetings (with an account, not on approved leave) of the time "
        "and place. Once per member, meeting and day."
    ),
    counts={
        "meetings": _("meetings tomorrow"),
        "participants": _("participants with an account"),
        "reminded": _("reminders sent"),
    },
)
def remind_participants(*, today: str | None = None) -> dict:
    """1. Planned meetings starting tomorrow (the building's date), with their organisation.
    2. Their participants in normal standing and still here, with an account, not on approved leave: one query.
    3. One notification per meeting and participant, keyed by meeting and day (a meeting moved to another day is
       reminded again)."""
    tomorrow = jobs.job_day(today) + datetime.timedelta(days=1)
    start, end = _day_range(tomorrow)
    meetings = {
        m.pk: m
        for m in Meeting.objects.filter(status=Meeting.Status.PLANNED, starts_at__gte=start, starts_at__lt=end)
        .select_related("organization")
        .order_by("starts_at", "pk")
    }
    attendances = (
        Attendance.objects.filter(meeting_id__in=list(meetings), member__user__isnull=False)
        .filter(active_q("member__"))
        .exclude(leave=Attendance.Leave.APPROVED)
        .exclude(status=Attendance.Status.LEAVE)
        .select_related("member")
    )
    counts = {"meetings": len(meetings), "participants": 0, "reminded": 0}

    def notices():
        for attendance in (a for rows in jobs.in_batches(attendances) for a in rows):
            meeting = meetings[attendance.meeting_id]
            counts["participants"] += 1
            yield Notice(
                attendance.member.user_id,
                {"meeting": meeting},
                url=meeting.get_absolute_url(),
                dedupe_key=f"meetings:remind:{meeting.pk}:{tomorrow.isoformat()}",
            )

    counts["reminded"] = notify_bulk(notices(), event="meeting_reminder")
    return counts


@jobs.job(
    "meetings.remind_leave_requests",
    schedule=jobs.crontab(minute="30", hour="8"),
    description=_(
        "Remind the secretaries (else the building's admins) of leave requests made before today and still "
        "waiting for a decision on meetings not yet held. Once per request."
    ),
    counts={"waiting": _("leave requests waiting"), "notified": _("notifications sent")},
)
def remind_leave_requests(*, today: str | None = None) -> dict:
    """1. Leave requests made before today and still waiting, on planned meetings that start today or later, with
       member and meeting (the officers heard of each request when it was made; this reminds them the next day).
    2. The officers of their organisations (``Officers``: three queries for all of them).
    3. One notification per request to those officers, keyed by the request and when it was made (asked again
       after a refusal: a new request, reminded again)."""
    start, _end = _day_range(jobs.job_day(today))
    waiting = Attendance.objects.filter(
        leave=Attendance.Leave.REQUESTED,
        leave_requested_at__lt=start,
        meeting__status=Meeting.Status.PLANNED,
        meeting__starts_at__gte=start,
    ).select_related("member", "meeting__organization")
    counts = {"waiting": 0, "notified": 0}
    for rows in jobs.in_batches(waiting):
        counts["waiting"] += len(rows)
        officers = Officers(a.meeting.organization_id for a in rows)
        notices = []
        for attendance in rows:
            meeting = attendance.meeting
            asked = attendance.leave_requested_at
            occasion = f"{asked:%Y%m%d%H%M%S}" if asked else "0"
            context = {"name": attendance.member.name, "meeting": meeting, "reason": attendance.leave_reason}
            key = f"meetings:leave-waiting:{attendance.pk}:{occasion}"
            url = meeting.get_absolute_url()
            notices += [Notice(u.pk, context, url=url, dedupe_key=key) for u in officers.of(meeting.organization_id)]
        counts["notified"] += notify_bulk(notices, event="meeting_leave_waiting")
    return counts


# --- the mid-quarter look at what is missing (compliance.py) ------------------------------------------------


@jobs.job(
    "meetings.remind_missing",
    schedule=jobs.crontab(minute="0", hour="9", day_of_month="15", month_of_year="2,5,8,11"),
    description=_(
        "In the middle of each quarter, tell each branch's secretaries (else the building's admins) which meetings "
        "the rules require of this month and this quarter it has neither held nor planned. Once per branch and "
        "quarter."
    ),
    counts={
        "branches": _("branches looked at"),
        "behind": _("branches with meetings missing"),
        "notified": _("notifications sent"),
    },
)
def remind_missing(*, today: str | None = None) -> dict:
    """1. The compliance table of every branch of every building for the day's year (``compliance.grid``: six
       queries, however many branches).
    2. The branches with a required meeting of the running month or quarter neither held nor planned, and their
       officers (``Officers``: three queries for all of them).
    3. One notification per branch and quarter to those officers, listing what is missing."""
    day = jobs.job_day(today)
    table = compliance.grid(organizations=PartyOrganization.objects.all(), year=day.year, today=day)
    behind = [(row, row.outstanding()) for row in table.rows]
    behind = [(row, missing) for row, missing in behind if missing]
    officers = Officers(row.organization.pk for row, _missing in behind)
    quarter = compliance.quarter_of(day.month)
    url = reverse("meetings:compliance") + f"?year={day.year}"
    counts = {"branches": len(table.rows), "behind": len(behind), "notified": 0}
    notices = []
    for row, missing in behind:
        labels = [format_lazy(_("{label} ({period})"), label=item.label, period=cell.label) for cell, item in missing]
        context = {  # lazy: rendered in the site's language
            "organization": row.organization.name,
            "quarter": compliance.period_label(compliance.QUARTER, quarter),
            "missing": format_lazy("、".join(["{}"] * len(labels)), *labels),
        }
        key = f"meetings:missing:{row.organization.pk}:{day.year}-Q{quarter}"
        notices += [Notice(u.pk, context, url=url, dedupe_key=key) for u in officers.of(row.organization.pk)]
    counts["notified"] = notify_bulk(notices, event="meeting_missing")
    return counts
