"""Scheduled reminders for services: loans not returned, and service requests nearing or past their due time.

Both are safe to run twice and at the same time: each notification has a ``dedupe_key`` naming the thing and
the occasion, and the database keeps one notification per user and key.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty import jobs
from buildingparty.notifications import notify
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
    loans = list(library.overdue(Loan.objects.select_related("material", "member__user"), day).order_by("pk"))
    officers = Officers(loan.member.organization_id for loan in loans)
    desk_url = reverse("services:loan_list") + "?status=overdue"
    counts = {"overdue": 0}
    for loan in loans:
        key = f"loan:{loan.pk}:overdue:{months_between(loan.due_on, day)}"
        context = {"loan": loan, "days": (day - loan.due_on).days}
        with transaction.atomic():
            made = notify(
                users=officers.of(loan.member.organization_id),
                event="loan_overdue",
                context=context,
                url=desk_url,
                dedupe_key=key,
            )
            made += notify(
                users=[loan.member.user],
                event="loan_overdue_member",
                context=context,
                url=reverse("services:material_list"),
                dedupe_key=key,
            )
        counts["overdue"] += len(made)
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
