"""What the activities' check-ins share (meetings, volunteer activities): the window around a start time in which a
scanned code works, and how a time is told to a person on the spot (the QR code itself is drawn by
buildingparty.qr).

A check-in code is an absolute link with a random token; the app that owns the event decides who may use it.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Window:
    opens_at: datetime.datetime
    closes_at: datetime.datetime

    def state(self, now: datetime.datetime) -> str:
        """The window at ``now``: early before it opens, late after it closes (its last moment still counts), else
        open."""
        if now < self.opens_at:
            return "early"
        if now > self.closes_at:
            return "late"
        return "open"


def window_around(starts_at: datetime.datetime, *, opens_minutes: int, closes_minutes: int) -> Window:
    return Window(
        opens_at=starts_at - datetime.timedelta(minutes=opens_minutes),
        closes_at=starts_at + datetime.timedelta(minutes=closes_minutes),
    )


def moment(value: datetime.datetime, now: datetime.datetime) -> str:
    """A time as a person on the spot reads it: "09:30" today, "12月6日 09:30" on another day."""
    local, today = timezone.localtime(value), timezone.localtime(now).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    return _("%(month)s/%(day)s %(time)s") % {"month": local.month, "day": local.day, "time": f"{local:%H:%M}"}


def window_refusal(span: Window, now: datetime.datetime) -> str:
    """Why a code does not work now because of the time ("" when it does)."""
    state = span.state(now)
    if state == "early":
        return _("Check-in opens at %(time)s.") % {"time": moment(span.opens_at, now)}
    if state == "late":
        return _("Check-in closed at %(time)s.") % {"time": moment(span.closes_at, now)}
    return ""
