"""Writes to the building survey. Atomic, keyword-only.

Callers check scope first (views fetch through ``for_user``). A visit that finds the owner's attitude writes it to
the enterprise through the registry's own service, so the enterprise's history records it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buildingparty.services import stored
from enterprises.models import Enterprise
from enterprises.services import enterprise_update

from .models import FollowUp, SurveyLead, SurveyVisit


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
