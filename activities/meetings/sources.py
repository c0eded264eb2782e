"""What organisational life gives other apps: points for attending, and the member's timeline.

Points: each member present at a held meeting earns the rule ``meeting_attendance`` once per meeting (the source
key names her attendance; the ledger credits a key once). The deduction rule ``meeting_absent`` is not fed from
here: ``credit_automatic`` credits automatic rules only, and a deduction is the secretary's decision, recorded
with its reason (``members.points.services.deduction_record``).

Timeline: each held meeting the member was expected at, present, absent or on leave, folded per year under
"organisational life".
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.services import stored
from members import timeline
from members.points import services as points

from .models import Attendance, Meeting


def _day_bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The building's days ``since`` to ``until`` (both included) as an aware half-open range."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min))
    return start, end


@points.source("meeting_attendance")
def attended_meetings(building_id: int, since: datetime.date, until: datetime.date):
    """Present at a held meeting of the building whose day falls from ``since`` to ``until``: one entry per
    member and meeting, on the meeting's day, noted with its kind and topic."""
    start, end = _day_bounds(since, until)
    rows = (
        Attendance.objects.filter(
            status=Attendance.Status.PRESENT,
            meeting__status=Meeting.Status.HELD,
            meeting__organization__building_id=building_id,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
        )
        .order_by("pk")
        .values_list("pk", "member_id", "meeting__starts_at", "meeting__kind", "meeting__topic")
    )
    kinds = {kind: stored(label) for kind, label in Meeting.Kind.choices}
    for pk, member_id, starts_at, kind, topic in rows.iterator(chunk_size=2000):
        note = f"{kinds.get(kind, kind)}：{topic}"
        yield member_id, f"meetings.attendance:{pk}", timezone.localdate(starts_at), note


TIMELINE_ICONS = {
    Attendance.Status.PRESENT: "people",
    Attendance.Status.ABSENT: "person-x",
    Attendance.Status.LEAVE: "person-dash",
}


@timeline.source
def _organisational_life(member):
    """Held meetings the member was expected at, as recorded (one query)."""
    attendances = (
        Attendance.objects.filter(member=member, meeting__status=Meeting.Status.HELD, status__in=list(TIMELINE_ICONS))
        .select_related("meeting__organization")
        .order_by("-meeting__starts_at", "-pk")
    )
    titles = {
        Attendance.Status.PRESENT: _("Attended: %(meeting)s"),
        Attendance.Status.ABSENT: _("Absent: %(meeting)s"),
        Attendance.Status.LEAVE: _("On leave: %(meeting)s"),
    }
    routine = _("Organisational life")
    kinds = {kind: str(label) for kind, label in Meeting.Kind.choices}  # get_kind_display hashes every label a row
    for attendance in attendances:
        meeting = attendance.meeting
        yield timeline.Event(
            timezone.localdate(meeting.starts_at),
            TIMELINE_ICONS[attendance.status],
            titles[attendance.status] % {"meeting": kinds.get(meeting.kind, meeting.kind)},
            f"{meeting.topic} · {meeting.organization.name}",
            meeting.get_absolute_url(),
            routine=routine,
        )
