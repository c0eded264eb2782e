"""Writes for party dues (DOMAIN.md §6): the month's bills, payments, excused months.

Every function is atomic, keyword-only and takes the rows' row locks before it reads what it changes, so two
secretaries (or a secretary and the monthly job) working at the same moment never count a payment twice or
make a second bill. As in ``members.services``, nothing here trusts that a caller checked scope: views fetch
the member through ``for_user`` first.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.notifications import notify

from .dues_models import DuesAllocation, DuesBill, DuesPayment, DuesStandard, first_of_month, month_end, month_label
from .dues_selectors import paying_by, standards_in_force
from .models import Member, add_months

# Back-pay and paying ahead: at most six months either side of the current month (中组发〔2008〕3号).
MONTHS_WINDOW = 6
CENT = Decimal("0.01")


def months_from_to(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first_of_month(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def parse_month(value: str) -> datetime.date:
    """ "2026-03" → 2026-03-01; ValueError for anything else."""
    return datetime.datetime.strptime(value.strip(), "%Y-%m").date()


def lock_member(member: Member) -> Member:
    """The member's row, locked: one dues change (a payment, bills made on demand, a standard) at a time."""
    return Member.objects.select_for_update(of=("self",)).select_related("organization", "user").get(pk=member.pk)


def paying_members(*, month: datetime.date, building_id: int | None = None):
    """Members who owe dues for ``month``: in normal standing and admitted by the month's end."""
    members = paying_by(Member.objects.all(), month_end(month))
    if building_id is not None:
        members = members.filter(organization__building_id=building_id)
    return members


def _new_bill(member: Member, month: datetime.date, standard: DuesStandard) -> DuesBill:
    amount = standard.amount
    # A bill of nothing (an approved exemption) is settled when it is made.
    return DuesBill(
        member=member,
        organization_id=member.organization.branch_pk,
        month=month,
        amount=amount,
        standard=standard,
        paid_on=month if amount == 0 else None,
    )


# --- the month's bills --------------------------------------------------------------------------------------


@transaction.atomic
def generate_bills(*, month: datetime.date, building_id: int | None = None, notify_members: bool = True) -> dict:
    """Make ``month``'s bill for every paying member who has none yet. Safe twice and at the same moment.

    1. Lock the paying members' rows in id order: a second run (or a payment that makes bills on demand)
       waits here until this one commits, and then sees its bills.
    2. Find each member's standard in force; members without one are counted, not billed.
    3. Insert the missing bills (a unique constraint backs the lock) and tell each newly billed member with
       an account, once per member and month (not when ``notify_members`` is False: the demo's history).
    """
    month = first_of_month(month)
    members = list(
        paying_members(month=month, building_id=building_id)
        .select_for_update(of=("self",))
        .select_related("organization", "user")
        .order_by("pk")
    )
    ids = [m.pk for m in members]
    existing = set(DuesBill.objects.filter(month=month, member_id__in=ids).values_list("member_id", flat=True))
    standards = standards_in_force(ids, month.year)
    new_bills, missing = [], 0
    for member in members:
        if member.pk in existing:
            continue
        standard = standards.get(member.pk)
        if standard is None:
            missing += 1
            continue
        new_bills.append(_new_bill(member, month, standard))
    DuesBill.objects.bulk_create(new_bills, ignore_conflicts=True)
    notified = 0
    by_member = {m.pk: m for m in members}
    url = reverse("members:my_dues")
    for bill in new_bills:
        member = by_member[bill.member_id]
        if not notify_members or bill.amount == 0 or member.user is None:
            continue
        notified += len(
            notify(
                users=[member.user],
                event="dues_bill",
                context={"member": member, "month": month_label(month), "amount": bill.amount},
                url=url,
                dedupe_key=f"dues:bill:{member.pk}:{month:%Y-%m}",
            )
        )
    return {
        "month": f"{month:%Y-%m}",
        "paying": len(members),
        "created": len(new_bills),
        "existing": len(existing),
        "exempt": sum(1 for b in new_bills if b.amount == 0),
        "missing_standard": missing,
        "notified": notified,
    }


def _bills_for_months(member: Member, months: list[datetime.date]) -> dict[datetime.date, DuesBill]:
    """The member's bills for ``months``, locked, making the missing ones from the standard in force.

    The caller holds the member's row lock, so no other payment or run makes the same bills meanwhile."""
    bills = {b.month: b for b in DuesBill.objects.select_for_update().filter(member=member, month__in=months)}
    missing = [m for m in months if m not in bills]
    if missing:
        standards = {}
        for year in {m.year for m in missing}:
            standards[year] = standards_in_force([member.pk], year).get(member.pk)
        without = [m for m in missing if standards[m.year] is None]
        if without:
            raise ValidationError(
                {
                    "first_month": _(
                        "%(name)s has no confirmed dues standard for %(month)s. Ask the secretary to confirm "
                        "the member's standard first."
                    )
                    % {"name": member.name, "month": month_label(without[0])}
                }
            )
        DuesBill.objects.bulk_create([_new_bill(member, m, standards[m.year]) for m in missing], ignore_conflicts=True)
        bills = {b.month: b for b in DuesBill.objects.select_for_update().filter(member=member, month__in=months)}
    return bills


# --- payments -----------------------------------------------------------------------------------------------


def _check_payment(
    *,
    member: Member,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    first_month: datetime.date,
    last_month: datetime.date,
    receipt_number: str,
    payer_enterprise,
    payer_name: str,
    consent_by,
    today: datetime.date,
) -> None:
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter the amount received, more than 0 yuan.")
    elif amount != amount.quantize(CENT):
        errors["amount"] = _("Enter the amount in yuan with at most two decimals (fen).")
    if paid_on > today:
        errors["paid_on"] = _("This date is in the future.")
    if method not in DuesPayment.Method.values:
        errors["method"] = _("Choose how the dues were paid.")
    elif method == DuesPayment.Method.PROXY and payer_enterprise is None and not payer_name.strip():
        errors["payer_name"] = _("Name the enterprise or the person who paid on the member's behalf.")
    current = first_of_month(today)
    if last_month < first_month:
        errors["last_month"] = _("The last month comes before the first.")
    else:
        if first_month < add_months(current, -MONTHS_WINDOW):
            errors["first_month"] = _(
                "Back-pay covers at most six months before the current month (from %(month)s)."
            ) % {"month": month_label(add_months(current, -MONTHS_WINDOW))}
        elif first_month < first_of_month(member.joined_on):
            errors["first_month"] = _("%(name)s pays dues from %(month)s, the month they joined the party.") % {
                "name": member.name,
                "month": month_label(first_of_month(member.joined_on)),
            }
        if last_month > add_months(current, MONTHS_WINDOW):
            errors["last_month"] = _("Dues can be paid at most six months ahead (up to %(month)s).") % {
                "month": month_label(add_months(current, MONTHS_WINDOW))
            }
        if last_month > first_month and consent_by is None:
            errors["consent"] = _("Paying for several months at once needs the branch's consent. Record who agreed.")
    if receipt_number and DuesPayment.objects.filter(receipt_number=receipt_number).exists():
        errors["receipt_number"] = _("This receipt number is already in the records.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_payment(
    *,
    member: Member,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    first_month: datetime.date,
    last_month: datetime.date,
    by,
    receipt_number: str = "",
    payer_enterprise=None,
    payer_name: str = "",
    consent_by=None,
    consent_note: str = "",
    note: str = "",
    today: datetime.date | None = None,
    notify_member: bool = True,
) -> DuesPayment:
    """Record dues received for ``member`` over the months ``first_month``–``last_month``.

    1. Check the input (every mistake at once, next to its field) and lock the member's row.
    2. Lock the bills of the chosen months, making those not yet billed (paying ahead) from the standard.
    3. Refuse more money than the chosen months still owe; then allocate the payment oldest bill first.
       A bill paid in full gets ``paid_on``; what is left short leaves the last bill partly paid.
    4. Tell the member (unless ``notify_member`` is False: old records typed in, the demo's history).

    ``today`` is the day the payment is recorded: the six months back and ahead count from its month.
    """
    today = today or timezone.localdate()
    first_month, last_month = first_of_month(first_month), first_of_month(last_month)
    receipt_number = (receipt_number or "").strip()
    payer_name = (payer_name or "").strip()
    if method != DuesPayment.Method.PROXY:
        payer_enterprise, payer_name = None, ""
    if last_month == first_month and not consent_note:
        consent_by = None  # one month needs no consent
    _check_payment(
        member=member,
        amount=amount,
        paid_on=paid_on,
        method=method,
        first_month=first_month,
        last_month=last_month,
        receipt_number=receipt_number,
        payer_enterprise=payer_enterprise,
        payer_name=payer_name,
        consent_by=consent_by,
        today=today,
    )
    member = lock_member(member)
    if member.status != Member.Status.NORMAL:
        raise ValidationError(
            _("%(name)s is not in normal party standing; dues cannot be recorded.") % {"name": member.name}
        )
    months = months_from_to(first_month, last_month)
    bills = _bills_for_months(member, months)
    owed = sum((bills[m].outstanding for m in months), Decimal("0"))
    if owed == 0:
        raise ValidationError({"last_month": _("These months are already paid. Choose months that still owe dues.")})
    if amount > owed:
        raise ValidationError(
            {
                "amount": _(
                    "%(first)s to %(last)s owe %(owed)s yuan; %(amount)s is more. Choose more months or "
                    "record the right amount."
                )
                % {"first": month_label(first_month), "last": month_label(last_month), "owed": owed, "amount": amount}
            }
        )
    payment = DuesPayment.objects.create(
        member=member,
        amount=amount,
        paid_on=paid_on,
        method=method,
        receipt_number=receipt_number,
        payer_enterprise=payer_enterprise,
        payer_name=payer_name,
        first_month=first_month,
        last_month=last_month,
        consent_by=consent_by,
        consent_note=consent_note.strip(),
        recorded_by=by if by is not None and by.is_authenticated else None,
        note=note.strip(),
    )
    left, allocations = amount, []
    for month in months:
        bill = bills[month]
        share = min(left, bill.outstanding)
        if share <= 0:
            continue
        bill.paid_amount += share
        fields = ["paid_amount"]
        if bill.is_paid:
            bill.paid_on = paid_on
            fields.append("paid_on")
        bill.save(update_fields=fields)
        allocations.append(DuesAllocation(payment=payment, bill=bill, amount=share))
        left -= share
        if left == 0:
            break
    DuesAllocation.objects.bulk_create(allocations)
    if notify_member and member.user is not None:
        notify(
            users=[member.user],
            event="dues_paid",
            context={
                "member": member,
                "amount": amount,
                "first": month_label(first_month),
                "last": month_label(last_month),
                "paid_on": paid_on,
            },
            url=reverse("members:my_dues"),
        )
    return payment


@transaction.atomic
def excuse_bill(*, bill: DuesBill, reason: str, by) -> DuesBill:
    """Record a valid reason for a month not paid (an approved deferral): the month is not arrears.
    An empty reason withdraws the excuse."""
    bill = DuesBill.objects.select_for_update().get(pk=bill.pk)
    reason = (reason or "").strip()
    if bill.is_paid:
        raise ValidationError({"excused_reason": _("This month is paid; there is nothing to excuse.")})
    # Who excused a month, and when, is kept: an excused month stops the six-month count towards 自行脱党.
    bill.excused_reason = reason
    bill.excused_by = by if reason and by is not None and by.is_authenticated else None
    bill.excused_at = timezone.now() if reason else None
    bill.save(update_fields=["excused_reason", "excused_by", "excused_at"])
    return bill
