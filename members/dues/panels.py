"""Home-page panels (see buildingparty/dashboard.py) and the member timeline's payments, for party dues."""

import datetime
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty import dashboard
from buildingparty.models import Role
from members import timeline
from members.dues.forms import bill_state
from members.dues.models import DuesBill, first_of_month, month_label
from members.dues.selectors import CANDIDATE_MONTHS, OPEN, REMINDER_MONTHS, arrears_map, paid_up_to_map
from members.models import Member

PANEL_ROWS = 5


@dashboard.register(template="dues/_panel_member.html", roles={Role.MEMBER}, order=12, cached_by="user")
def my_dues(request):
    """This month's bill and "党费已交到" for the signed-in member."""
    member = Member.objects.filter(user=request.user).only("pk").first()
    if member is None:
        return None
    today = timezone.localdate()
    bill = DuesBill.objects.filter(member=member, month=first_of_month(today)).first()
    if bill is not None:
        bill.state_colour, bill.state_label = bill_state(bill)
    debt = arrears_map([member.pk], today=today).get(member.pk)
    return {
        "bill": bill,
        "month": month_label(first_of_month(today)),
        "paid_up_to": paid_up_to_map([member.pk])[member.pk],
        "arrears": debt,
    }


@dashboard.register(template="dues/_panel_staff.html", roles={Role.ADMIN, Role.SECRETARY}, order=18, cached_by="scope")
def dues_collection(request):
    """This month's collection in the user's reach, and who is behind."""
    today = timezone.localdate()
    month = first_of_month(today)
    totals = (
        DuesBill.objects.for_user(request.user)
        .filter(month=month)
        .aggregate(
            count=Count("pk"),
            due=Sum("amount"),
            paid=Sum("paid_amount"),
            settled=Count("pk", filter=Q(paid_amount__gte=F("amount"))),
        )
    )
    # Counted in the database, never member by member in Python (issue 15): who is behind, and who has six open
    # months in a row (the same rule as ``Arrears.is_candidate``). Three queries, whatever the numbers.
    open_bills = DuesBill.objects.filter(
        OPEN, month__lt=month, member__in=Member.objects.for_user(request.user).active()
    ).order_by()
    behind = (
        open_bills.values("member_id")
        .annotate(n=Count("pk"))
        .aggregate(members=Count("member_id"), three_or_more=Count("member_id", filter=Q(n__gte=REMINDER_MONTHS)))
    )
    candidates = candidates_in(open_bills)
    candidate_count = candidates.count()
    candidates = list(candidates.order_by("name", "pk").values("pk", "name")[:PANEL_ROWS])  # plain: cached
    for key in ("due", "paid"):  # SQLite sums decimals as floats
        totals[key] = Decimal(str(totals[key] or 0)).quantize(Decimal("0.01"))
    if not totals["count"] and not behind["members"]:
        return None
    return {
        "month": month_label(month),
        "totals": totals,
        "in_arrears": behind["members"],
        "three_or_more": behind["three_or_more"],
        "candidate_count": candidate_count,
        "candidates": candidates,
    }


# Six first-of-months in a row span 150 to 153 days, seven at least 181: an open bill with five more open bills of
# the same member in the 160 days before it ends a run of six (one bill per member and month).
RUN_DAYS = datetime.timedelta(days=160)


def candidates_in(open_bills):
    """The members, in contact, with ``CANDIDATE_MONTHS`` consecutive bills among ``open_bills`` (bills neither
    paid in full nor excused, before the current month): a queryset, counted and listed in the database."""
    # The run is counted over the member's open bills (all in scope when the member is, all before the current
    # month when the bill ending the run is), and only for members with enough open bills to make one.
    run = (
        DuesBill.objects.filter(
            OPEN, member_id=OuterRef("member_id"), month__lte=OuterRef("month"), month__gt=OuterRef("month") - RUN_DAYS
        )
        .order_by()
        .values("member_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    enough = open_bills.values("member_id").annotate(n=Count("pk")).filter(n__gte=CANDIDATE_MONTHS).values("member_id")
    run_ends = open_bills.filter(member_id__in=enough).annotate(run=Subquery(run)).filter(run__gte=CANDIDATE_MONTHS)
    return Member.objects.filter(pk__in=run_ends.values("member_id"), lost_contact_since__isnull=True)


@timeline.source
def _dues_payments(member):
    url = reverse("dues:member", args=[member.pk])
    for p in member.dues_payments.all():
        months = (
            month_label(p.first_month)
            if p.first_month == p.last_month
            else f"{month_label(p.first_month)}–{month_label(p.last_month)}"
        )
        yield timeline.Event(
            p.paid_on,
            "cash-coin",
            _("Party dues paid: %(amount)s yuan") % {"amount": p.amount},
            f"{months} · {p.get_method_display()}",
            url,
            routine=_("Party dues paid"),
        )
