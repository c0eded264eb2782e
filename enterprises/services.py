"""Writes to the enterprise registry. Atomic, keyword-only; each leaves history where it matters.

Callers check scope first (views fetch through ``for_user``).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from buildingparty.autocomplete import name_initials
from buildingparty.services import field_changes

from .models import Enterprise, EnterpriseChange

TRACKED_FIELDS = [
    f.name
    for f in Enterprise._meta.concrete_fields
    if f.name not in {"id", "building", "name_initials", "created_at", "updated_at"}
]


def record_change(*, enterprise, action, changes=None, by=None, note="") -> EnterpriseChange:
    return EnterpriseChange.objects.create(
        enterprise=enterprise,
        action=action,
        changes=changes or {},
        note=note[:300],
        changed_by=by if by is not None and by.is_authenticated else None,
    )


@transaction.atomic
def enterprise_create(*, enterprise: Enterprise, created_by, action=EnterpriseChange.Action.CREATED, note=""):
    """Save a new, validated enterprise (from a form or an import row) and open its history."""
    enterprise.name_initials = name_initials(enterprise.name)
    enterprise.save()
    record_change(
        enterprise=enterprise,
        action=action,
        changes=field_changes(None, enterprise, TRACKED_FIELDS),
        by=created_by,
        note=note,
    )
    return enterprise


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, changed_by, action=EnterpriseChange.Action.UPDATED, note="") -> dict:
    """Save the edited fields and record old → new. Returns the changes (empty: nothing saved)."""
    old = (
        Enterprise.objects.select_for_update(of=("self",))
        .select_related("liaison", "party_organization")
        .get(pk=enterprise.pk)
    )
    changes = field_changes(old, enterprise, TRACKED_FIELDS)
    if not changes:
        return {}
    enterprise.name_initials = name_initials(enterprise.name)
    enterprise.save(update_fields=[*changes, "name_initials", "updated_at"])
    record_change(enterprise=enterprise, action=action, changes=changes, by=changed_by, note=note)
    return changes


@transaction.atomic
def enterprise_move_out(*, enterprise: Enterprise, on: datetime.date, by, note: str = "") -> Enterprise:
    """The enterprise left the building: it stays in the registry, closed, with its history."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if enterprise.status == Enterprise.Status.MOVED_OUT:
        raise ValidationError(_("This enterprise has already moved out."), code="moved_out")
    if enterprise.moved_in_on and on < enterprise.moved_in_on:
        raise ValidationError({"moved_out_on": _("It cannot move out before it moved in.")})
    old_status = enterprise.status
    enterprise.status, enterprise.moved_out_on = Enterprise.Status.MOVED_OUT, on
    enterprise.save(update_fields=["status", "moved_out_on", "updated_at"])
    record_change(
        enterprise=enterprise,
        action=EnterpriseChange.Action.MOVED_OUT,
        by=by,
        note=note,
        changes={"status": [old_status, enterprise.status], "moved_out_on": [None, on.isoformat()]},
    )
    return enterprise


@transaction.atomic
def enterprise_move_in(*, enterprise: Enterprise, on: datetime.date, by, note: str = "") -> Enterprise:
    """A moved-out enterprise comes back (a new tenancy)."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if enterprise.status == Enterprise.Status.ACTIVE:
        raise ValidationError(_("This enterprise is in the building already."), code="active")
    old = [enterprise.status, plain(enterprise.moved_out_on)]
    enterprise.status, enterprise.moved_in_on, enterprise.moved_out_on = Enterprise.Status.ACTIVE, on, None
    enterprise.save(update_fields=["status", "moved_in_on", "moved_out_on", "updated_at"])
    record_change(
        enterprise=enterprise,
        action=EnterpriseChange.Action.MOVED_IN,
        by=by,
        note=note,
        changes={
            "status": [old[0], enterprise.status],
            "moved_out_on": [old[1], None],
            "moved_in_on": [None, on.isoformat()],
        },
    )
    return enterprise


def plain(day):
    return day.isoformat() if day else None
