"""What volunteering gives other apps: points for taking part, and the member's timeline.

Points: each volunteer recorded as having taken part in a done activity earns the rule ``volunteering`` (by default
3 points an activity, at most 30 a year) once per activity: the source key names her signup, and the ledger credits
a key once. The rule counts activities, not hours, so no quantity is yielded. The deduction rule
``activity_no_show`` is not fed from here: ``credit_automatic`` credits automatic rules only, and a deduction is
the secretary's decision, recorded with its reason.

Timeline: each activity she took part in (cancelled ones aside), with the hours served, folded per year under
"volunteer service".
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.services import stored
from members import timeline
from members.points import services as points

from .models import Activity, Signup


def _day_bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The building's days ``since`` to ``until`` (both included) as an aware half-open range."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min))
    return start, end


@points.source("volunteering")
def volunteered(building_id: int, since: datetime.date, until: datetime.date):
    """Took part in a done activity of the building whose day falls from ``since`` to ``until``: one entry per
    member and activity, on the activity's day, noted with its kind and title."""
    start, end = _day_bounds(since, until)
    rows = (
        Signup.objects.filter(
            status=Signup.Status.ATTENDED,
            activity__status=Activity.Status.DONE,
            activity__building_id=building_id,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .order_by("pk")
        .values_list("pk", "member_id", "activity__starts_at", "activity__kind", "activity__title")
    )
    kinds = {kind: stored(label) for kind, label in Activity.Kind.choices}
    for pk, member_id, starts_at, kind, title in rows.iterator(chunk_size=2000):
        yield member_id, f"volunteering.signup:{pk}", timezone.localdate(starts_at), f"{kinds.get(kind, kind)}：{title}"


@timeline.source
def _volunteer_service(member):
    """Activities the member took part in, with her hours (one query)."""
    signups = (
        Signup.objects.filter(member=member, status=Signup.Status.ATTENDED)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .select_related("activity")
        .order_by("-activity__starts_at", "-pk")
    )
    routine = _("Volunteer service")
    for signup in signups:
        activity = signup.activity
        detail = activity.get_kind_display()
        if signup.hours is not None:
            detail = _("%(kind)s · %(hours)s hours") % {"kind": detail, "hours": signup.hours.normalize()}
        yield timeline.Event(
            timezone.localdate(activity.starts_at),
            "heart",
            _("Volunteered: %(title)s") % {"title": activity.title},
            detail,
            activity.get_absolute_url(),
            routine=routine,
        )
