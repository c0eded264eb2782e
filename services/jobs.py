"""Scheduled reminders for services: loans not returned, and service requests nearing or past their due time.

Both are safe to run twice and at the same time: each notification has a ``dedupe_key`` naming the thing and
the occasion, and the database keeps one notification per user and key.
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.notifications import Notice, notify_bulk
from buildingparty.officers import Officers
from members.models import months_between

from . import library, services
from .models import Loan


@jobs.job(
    "services.loan_reminders",
    schedule=jobs.crontab(minute="50", hour="8"),
    description=_(
        "Remind borrowers and their branch secretaries of study materials not returned on time, monthly while overdue."
    ),
    counts={"overdue": _("overdue loan reminders sent")},
)
def loan_reminders(*, today: str | None = None) -> dict:
    """Loans past their due date (``library.overdue``): the borrower and the secretaries of their branch.

    Dedupe key ``loan:<id>:overdue:<n>``, ``n`` the whole months overdue: a reminder the first day a loan is
    overdue, then one a month while the copy is still out (other members are waiting for it). Counts:
    notifications written.
    """
    day = jobs.job_day(today)
    loans = library.overdue(Loan.objects.select_related("material", "member"), day)
    desk_url, shelf_url = reverse("services:loan_list") + "?status=overdue", reverse("services:material_list")
    counts = {"overdue": 0}
    for rows in jobs.in_batches(loans):
        officers = Officers(loan.member.organization_id for loan in rows)
        to_officers, to_members = [], []
        for loan in rows:
            key = f"loan:{loan.pk}:overdue:{months_between(loan.due_on, day)}"
            context = {"loan": loan, "days": (day - loan.due_on).days}
            to_officers += [
                Notice(u.pk, context, url=desk_url, dedupe_key=key) for u in officers.of(loan.member.organization_id)
            ]
            to_members.append(Notice(loan.member.user_id, context, url=shelf_url, dedupe_key=key))
        # The officers first: a secretary who borrowed the copy hears once, as before (the shared key).
        counts["overdue"] += notify_bulk(to_officers, event="loan_overdue")
        counts["overdue"] += notify_bulk(to_members, event="loan_overdue_member")
    return counts


@jobs.job(
    "services.request_due_times",
    schedule=jobs.crontab(minute="5"),
    description=_("Tell handlers of service requests due within a day, and handlers and admins of requests past due."),
    counts={
        "due_soon": _("reminders of requests due soon"),
        "overdue": _("reminders of requests past due"),
    },
)
def request_due_times(*, now: str | None = None) -> dict:
    """``services.sweep_due`` on the job machinery, hourly; ``now`` an ISO date-time for tests and re-runs.

    Dedupe keys ``request:<id>:due_soon`` and ``request:<id>:overdue``: once per request and occasion. Counts:
    notifications written per occasion.
    """
    moment = None
    if now:
        moment = datetime.datetime.fromisoformat(now)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
    return services.sweep_due(now=moment)
