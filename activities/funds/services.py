"""Writes for the funding ledger. Every change of money is recorded with who, when, and the old and new values
(``buildingparty.services.audit_money``); the entry's edit page shows that history."""

from django.db import transaction

from buildingparty.services import audit_money

from .models import FundEntry

# What a ledger line's history records.
AUDITED_FIELDS = [
    "date",
    "direction",
    "amount",
    "source",
    "enterprise",
    "purpose",
    "description",
    "voucher_number",
    "approver",
]


@transaction.atomic
def fund_entry_save(*, entry: FundEntry, by, request=None) -> FundEntry:
    """Save a validated ledger entry and record the change; the person who recorded it is the one who created it.

    1. Lock the stored row (an edit) and keep its values as they were.
    2. Save the entry.
    3. Record the creation, or the fields the edit changed (from → to), in the audit records.
    """
    old = None
    if entry.pk is not None:
        old = FundEntry.objects.select_for_update().get(pk=entry.pk)
    else:
        entry.recorded_by = by
    entry.save()
    audit_money(instance=entry, fields=AUDITED_FIELDS, actor=by, old=old, request=request)
    return entry


@transaction.atomic
def fund_entry_delete(*, entry: FundEntry, by, request=None) -> None:
    """Delete a ledger entry, recording what it held and who deleted it."""
    entry = FundEntry.objects.select_for_update().get(pk=entry.pk)
    audit_money(instance=entry, fields=AUDITED_FIELDS, actor=by, deleted=True, request=request)
    entry.delete()
