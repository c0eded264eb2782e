"""Writes to the enterprise registry and the survey. Atomic, keyword-only; each leaves history where it matters.

Callers check scope first (views fetch through ``for_user``).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buildingparty.services import field_changes, stored

from .models import Enterprise, EnterpriseChange, FollowUp, SurveyLead, SurveyVisit

TRACKED_FIELDS = [
    f.name for f in Enterprise._meta.concrete_fields if f.name not in {"id", "building", "created_at", "updated_at"}
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
    enterprise.save(update_fields=[*changes, "updated_at"])
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


@transaction.atomic
def visit_record(*, visit: SurveyVisit, by) -> SurveyVisit:
    """Save a visit. The owner's attitude it found becomes the enterprise's current attitude (with history)."""
    is_new = visit.pk is None
    if is_new:
        visit.recorded_by = by
    visit.save()
    if visit.owner_attitude and visit.owner_attitude != Enterprise.Attitude.UNKNOWN:
        enterprise = Enterprise.objects.get(pk=visit.enterprise_id)
        if enterprise.attitude != visit.owner_attitude:
            enterprise.attitude = visit.owner_attitude
            enterprise_update(
                enterprise=enterprise,
                changed_by=by,
                note=stored(
                    gettext_lazy("Attitude found on the visit of %(date)s"), {"date": visit.visited_on.isoformat()}
                ),
            )
    return visit


@transaction.atomic
def lead_close(*, lead: SurveyLead, reason: str, by, status: str = SurveyLead.Status.CLOSED) -> SurveyLead:
    """Close a lead: converted (by the members services) or dropped with a reason."""
    lead = SurveyLead.objects.select_for_update().get(pk=lead.pk)
    if lead.status != SurveyLead.Status.OPEN:
        raise ValidationError(_("This lead has already been dealt with."), code="closed")
    if status == SurveyLead.Status.CLOSED and not reason.strip():
        raise ValidationError({"close_reason": _("Please give the reason for closing the lead.")})
    lead.status, lead.close_reason = status, reason.strip()
    lead.closed_on, lead.closed_by = timezone.localdate(), by
    lead.save(update_fields=["status", "close_reason", "closed_on", "closed_by"])
    return lead


@transaction.atomic
def follow_up_complete(*, follow_up: FollowUp, done_on: datetime.date, outcome: str, by) -> FollowUp | None:
    """Mark a follow-up done. Returns None when somebody else already did (it is then left as it is)."""
    follow_up = FollowUp.objects.select_for_update().select_related("visit").get(pk=follow_up.pk)
    if follow_up.done_on is not None:
        return None
    if done_on < follow_up.visit.visited_on:
        raise ValidationError({"done_on": _("It cannot be done before the visit that asked for it.")})
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say what came of it.")})
    follow_up.done_on, follow_up.outcome = done_on, outcome.strip()
    follow_up.save(update_fields=["done_on", "outcome"])
    return follow_up
