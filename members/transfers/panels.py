"""Transfers that need someone's attention: the home-page panel and the queries behind it.

A letter's expiry date is ``issued_on + validity_days``. Adding a column of days to a date is written
differently by each database, so these queries ask which validity lengths are in use (a handful: 10, 30…)
and compare ``issued_on`` with one date per length. That is one small extra query, whatever the row count.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from buildingparty import dashboard
from buildingparty.models import Role
from members.models import Transfer

# "Expiring soon" means within this many days.
EXPIRING_DAYS = 7
PANEL_ROWS = 10


def validity_lengths(transfers) -> set[int]:
    """The validity lengths of the issued letters among ``transfers``."""
    return set(
        transfers.filter(status=Transfer.Status.ISSUED).order_by().values_list("validity_days", flat=True).distinct()
    )


def expires_between(lengths, *, first: datetime.date | None = None, last: datetime.date | None = None) -> Q:
    """Issued letters whose validity ends on a day from ``first`` to ``last`` (either may be open)."""
    condition = Q(pk__in=[])  # matches nothing when no letter is issued
    for days in lengths:
        bounds = {}
        if first is not None:
            bounds["issued_on__gte"] = first - datetime.timedelta(days=days)
        if last is not None:
            bounds["issued_on__lte"] = last - datetime.timedelta(days=days)
        condition |= Q(validity_days=days, **bounds)
    return Q(status=Transfer.Status.ISSUED) & condition


def receipt_overdue(today: datetime.date) -> Q:
    return Q(status=Transfer.Status.REPORTED, receipt_due_on__lt=today)


def needs_attention(transfers, today: datetime.date):
    """Letters expiring within a week or already past validity, and receipts overdue."""
    soon = expires_between(validity_lengths(transfers), last=today + datetime.timedelta(days=EXPIRING_DAYS))
    return transfers.filter(soon | receipt_overdue(today))


@dashboard.register(
    template="members/transfers/_panel.html", roles={Role.ADMIN, Role.SECRETARY}, order=20, cached_by="scope"
)
def transfers_needing_attention(request):
    today = timezone.localdate()
    transfers = Transfer.objects.for_user(request.user).select_related("member")
    lengths = validity_lengths(transfers)
    if lengths:
        expiring = list(
            transfers.filter(
                expires_between(lengths, first=today, last=today + datetime.timedelta(days=EXPIRING_DAYS))
            ).order_by("issued_on", "pk")[:PANEL_ROWS]
        )
        past_validity = list(
            transfers.filter(expires_between(lengths, last=today - datetime.timedelta(days=1))).order_by(
                "issued_on", "pk"
            )[:PANEL_ROWS]
        )
    else:
        expiring = past_validity = []
    overdue = list(transfers.filter(receipt_overdue(today)).order_by("receipt_due_on", "pk")[:PANEL_ROWS])
    if not (expiring or past_validity or overdue):
        return None
    return {"expiring": expiring, "past_validity": past_validity, "receipt_overdue": overdue, "today": today}
