"""QR check-in (扫码签到): the window in which a meeting's code works, and the member's own check-in.

The meeting's page shows a QR code of ``meetings:checkin`` with its ``checkin_token``; a member scans it with her
phone, signs in, and presses 签到. She is then present, recorded by QR. The code works from
``MEETING_CHECKIN_OPENS_MINUTES`` before the start to ``MEETING_CHECKIN_CLOSES_MINUTES`` after it, for the
members expected at the meeting and nobody else.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.checkin import Window, window_around, window_refusal
from buildingparty.services import site_link, stored

from .models import Attendance, AttendanceChange, Meeting


class CheckinRefused(Exception):
    """Why a member cannot check in now, as the message she is shown."""


def window(meeting: Meeting) -> Window:
    return window_around(
        meeting.starts_at,
        opens_minutes=settings.MEETING_CHECKIN_OPENS_MINUTES,
        closes_minutes=settings.MEETING_CHECKIN_CLOSES_MINUTES,
    )


def checkin_url(meeting: Meeting) -> str:
    """The absolute address the meeting's QR code carries."""
    return site_link(reverse("meetings:checkin", args=[meeting.checkin_token]))


def refusal(meeting: Meeting, now: datetime.datetime) -> str:
    """Why the meeting's code does not work now ("" when it does): cancelled, not yet open, or closed."""
    if meeting.status == Meeting.Status.CANCELLED:
        return _("This meeting has been cancelled; there is nothing to check in to.")
    return window_refusal(window(meeting), now)


@transaction.atomic
def check_in(*, attendance: Attendance, by, now: datetime.datetime | None = None) -> tuple[Attendance, bool]:
    """Mark the member present by QR, now. Returns the attendance and whether this call checked her in.

    1. Lock her attendance row: two presses of the button at once check her in once.
    2. Already present: nothing changes (the first check-in keeps its time).
    3. Refused when the meeting is cancelled or the window is closed (``CheckinRefused``).
    4. Present, by QR, at ``now``. A status recorded before (absent; on leave, for a member on approved leave
       who comes anyway) is corrected, and the correction kept like the secretary's.
    """
    now = now or timezone.now()
    attendance = Attendance.objects.select_for_update().select_related("meeting").get(pk=attendance.pk)
    if attendance.status == Attendance.Status.PRESENT:
        return attendance, False
    reason = refusal(attendance.meeting, now)
    if reason:
        raise CheckinRefused(reason)
    if attendance.status != Attendance.Status.EXPECTED:
        AttendanceChange.objects.create(
            attendance=attendance,
            from_status=attendance.status,
            to_status=Attendance.Status.PRESENT,
            note=stored(gettext_lazy("Checked in with the QR code")),
            changed_by=by,
            changed_at=now,
        )
    attendance.status = Attendance.Status.PRESENT
    attendance.method = Attendance.Method.QR
    attendance.checked_in_at = now
    attendance.recorded_by = by
    attendance.recorded_at = now
    attendance.save(update_fields=["status", "method", "checked_in_at", "recorded_by", "recorded_at"])
    return attendance, True
