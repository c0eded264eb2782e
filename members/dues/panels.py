"""Home-page panels (see buildingparty/dashboard.py) and the member timeline's payments, for party dues."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty import dashboard
from buildingparty.models import Role
from members import timeline
from members.dues.forms import bill_state
from members.dues.models import DuesBill, first_of_month, month_label
from members.dues.selectors import arrears_map, members_in_arrears, paid_up_to_map
from members.models import Member

PANEL_ROWS = 5


@dashboard.register(template="dues/_panel_member.html", roles={Role.MEMBER}, order=12)
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


@dashboard.register(template="dues/_panel_staff.html", roles={Role.ADMIN, Role.SECRETARY}, order=18)
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
    behind = members_in_arrears(
        Member.objects.for_user(request.user).active(),
        today=today,
    ).values_list("pk", flat=True)
    debts = arrears_map(behind, today=today)
    candidate_ids = [d.member_id for d in sorted(debts.values(), key=lambda d: -d.longest_run) if d.is_candidate]
    candidates = list(Member.objects.filter(pk__in=candidate_ids[:PANEL_ROWS]).order_by("name"))
    for key in ("due", "paid"):  # SQLite sums decimals as floats
        totals[key] = Decimal(str(totals[key] or 0)).quantize(Decimal("0.01"))
    if not totals["count"] and not debts:
        return None
    return {
        "month": month_label(month),
        "totals": totals,
        "in_arrears": len(debts),
        "three_or_more": sum(1 for d in debts.values() if d.needs_reminder),
        "candidate_count": len(candidate_ids),
        "candidates": candidates,
    }


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
