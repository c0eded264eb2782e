"""Scheduled reminders from the building survey: follow-ups of visits coming due and past due."""

from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.models import Role, User
from buildingparty.notifications import Notice, notify_bulk

from .models import FollowUp
from .selectors import follow_ups_due_soon, overdue_follow_ups

# "Due soon" means due from today to this many days ahead.
DUE_SOON_DAYS = 3


def owner_of(follow_up: FollowUp):
    """Who answers for a follow-up: the active person it is assigned to, else the enterprise's active liaison."""
    for user in (follow_up.assigned_to, follow_up.visit.enterprise.liaison):
        if user is not None and user.is_active:
            return user
    return None


# The name is from before the survey was an app of its own; it stays, as the schedules and job runs in the
# database carry it.
@jobs.job(
    "enterprises.follow_up_reminders",
    schedule=jobs.crontab(minute="40", hour="8"),
    description=_("Remind whoever a survey follow-up is given to when it comes due and when it is past due."),
    counts={
        "due_soon": _("reminders of follow-ups due soon"),
        "overdue": _("reminders of follow-ups past due"),
    },
)
def follow_up_reminders(*, today: str | None = None) -> dict:
    """Follow-ups not done and due within three days, or past due: the person it is assigned to, else the
    enterprise's liaison, else the building's admins (so that nothing waits unseen).

    Dedupe keys ``follow_up:<id>:due_soon`` and ``follow_up:<id>:overdue``: once per follow-up and occasion;
    a follow-up handed to someone else reaches the new person too (the key is per user). Overdue ones stay on
    the admins' and secretaries' home panel. Counts: notifications written per occasion.
    """
    day = jobs.job_day(today)
    follow_ups = FollowUp.objects.select_related("visit__enterprise__liaison", "assigned_to")
    due = {
        "due_soon": follow_ups_due_soon(follow_ups, day, DUE_SOON_DAYS),
        "overdue": overdue_follow_ups(follow_ups, day),
    }
    counts = dict.fromkeys(due, 0)
    for occasion, rows_due in due.items():
        for rows in jobs.in_batches(rows_due):
            unowned = {f.visit.enterprise.building_id for f in rows if owner_of(f) is None}
            admins = {}
            for pk, building_id in User.objects.filter(
                role=Role.ADMIN, is_active=True, building_id__in=unowned
            ).values_list("pk", "building_id"):
                admins.setdefault(building_id, []).append(pk)
            notices = []
            for follow_up in rows:
                owner = owner_of(follow_up)
                users = [owner.pk] if owner else admins.get(follow_up.visit.enterprise.building_id, [])
                context, url = {"follow_up": follow_up}, follow_up.visit.get_absolute_url()
                key = f"follow_up:{follow_up.pk}:{occasion}"
                notices += [Notice(pk, context, url=url, dedupe_key=key) for pk in users]
            counts[occasion] += notify_bulk(notices, event=f"follow_up_{occasion}")
    return counts
