"""Writes for the funding ledger."""


def fund_entry_save(*, entry, by):
    """Save a validated ledger entry; the person who recorded it is the one who created it."""
    if entry.pk is None:
        entry.recorded_by = by
    entry.save()
    return entry
