"""QR check-in (扫码签到) at a volunteer activity: the window in which its code works, and the volunteer's own
check-in, on the shared mechanism of ``activities.checkin``.

The organiser puts the QR code of ``volunteering:checkin`` (with the activity's ``checkin_token``) on screen or on
the door; a volunteer scans it, signs in and presses 签到: she took part, recorded by QR. The code works from
``VOLUNTEER_CHECKIN_OPENS_MINUTES`` before the start to ``VOLUNTEER_CHECKIN_CLOSES_MINUTES`` after it, for the
members signed up (a place on the waiting list is not a seat) and nobody else.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.checkin import Window, window_around, window_refusal
from buildingparty.services import site_link

from .models import Activity, Signup

# Whose code works: a volunteer with a seat; one the organiser marked absent too early is corrected by scanning.
MAY_CHECK_IN = (Signup.Status.SIGNED_UP, Signup.Status.NO_SHOW)


class CheckinRefused(Exception):
    """Why a volunteer cannot check in now, as the message she is shown."""


def window(activity: Activity) -> Window:
    return window_around(
        activity.starts_at,
        opens_minutes=settings.VOLUNTEER_CHECKIN_OPENS_MINUTES,
        closes_minutes=settings.VOLUNTEER_CHECKIN_CLOSES_MINUTES,
    )


def checkin_url(activity: Activity) -> str:
    """The absolute address the activity's QR code carries."""
    return site_link(reverse("volunteering:checkin", args=[activity.checkin_token]))


def refusal(activity: Activity, now: datetime.datetime) -> str:
    """Why the activity's code does not work now ("" when it does): cancelled, not published, not open, closed."""
    if activity.status == Activity.Status.CANCELLED:
        return _("This activity has been cancelled; there is nothing to check in to.")
    if activity.status == Activity.Status.DRAFT:
        return _("This activity has not been published yet.")
    return window_refusal(window(activity), now)


def signup_refusal(signup: Signup) -> str:
    """Why this volunteer's code does not work whatever the time ("" when it may)."""
    if signup.status == Signup.Status.WAITING:
        return _(
            "You are number %(position)s on the waiting list: only volunteers with a place check in. "
            "Ask the organiser on the spot."
        ) % {"position": signup.position}
    if signup.status == Signup.Status.WITHDRAWN:
        return _("You withdrew from this activity: only volunteers with a place check in.")
    return ""


@transaction.atomic
def check_in(*, signup: Signup, by, now: datetime.datetime | None = None) -> tuple[Signup, bool]:
    """Mark the volunteer as having taken part, by QR, now. Returns the signup and whether this call checked her in.

    1. Lock her signup: two presses of the button at once check her in once.
    2. Already recorded as having taken part: nothing changes (the first check-in keeps its time).
    3. Refused on the waiting list or withdrawn, for a cancelled activity, or outside the window.
    4. Took part, by QR, at ``now``; her hours are recorded with the activity afterwards.
    """
    now = now or timezone.now()
    signup = Signup.objects.select_for_update().select_related("activity").get(pk=signup.pk)
    if signup.status == Signup.Status.ATTENDED:
        return signup, False
    reason = signup_refusal(signup) or refusal(signup.activity, now)
    if reason:
        raise CheckinRefused(reason)
    signup.status = Signup.Status.ATTENDED
    signup.method = Signup.Method.QR
    signup.checked_in_at = now
    signup.recorded_by = by
    signup.recorded_at = now
    signup.save(update_fields=["status", "method", "checked_in_at", "recorded_by", "recorded_at"])
    return signup, True
