"""What dues gives the points ledger: each month's dues paid in full by the end of that month (the rule
``dues_on_time``). Registered with ``members.points`` when the dues app is ready; points imports nothing of dues.
"""

import datetime

from django.utils.translation import gettext_lazy

from buildingparty.services import stored
from members.points import services as points

from .models import DuesBill, month_end, month_label


@points.source("dues_on_time")
def dues_paid_on_time(building_id: int, since: datetime.date, until: datetime.date):
    """Bills of months from ``since`` to ``until``, of an amount above 0, paid in full by the month's end.

    A bill paid ahead counts on the first day of its month (the year it belongs to), else on the day it was
    paid."""
    bills = (
        DuesBill.objects.filter(
            organization__building_id=building_id,
            amount__gt=0,
            paid_on__isnull=False,
            paid_on__lte=until,
            month__gte=since.replace(day=1),
            month__lte=until,
        )
        .order_by("pk")
        .values_list("pk", "member_id", "month", "paid_on")
    )
    for pk, member_id, month, paid_on in bills.iterator():
        if paid_on <= month_end(month):
            note = stored(gettext_lazy("Dues for %(month)s"), {"month": month_label(month)})
            yield member_id, f"dues.duesbill:{pk}", max(paid_on, month), note
