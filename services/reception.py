"""Writes for the reception point (接访点): record a walk-in, and turn a visit into a service request.

Callers check scope first (``visits_for``); these functions check who may act.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.models import Role
from buildingparty.scope import in_reach, organization_ids

from .models import ReceptionVisit, ServiceCategory, ServiceRequest
from .services import request_submit

STAFF = (Role.ADMIN, Role.SECRETARY)


def visits_for(user) -> QuerySet:
    """Admins every visit at their building's reception; a secretary the visits they recorded and those of
    members of their branch (a walk-in's story is not for every branch); street viewers all."""
    if not user.is_authenticated or not user.is_active:
        return ReceptionVisit.objects.none()
    if user.role == Role.STREET:
        return ReceptionVisit.objects.all()
    if user.role == Role.ADMIN:
        return ReceptionVisit.objects.filter(building_id=user.building_id)
    if user.role == Role.SECRETARY:
        return ReceptionVisit.objects.filter(
            Q(recorded_by=user) | Q(member__organization_id__in=organization_ids(user)),
            building_id=user.building_id,
        )
    return ReceptionVisit.objects.none()


def can_record(user) -> bool:
    return user.is_authenticated and user.role in STAFF and user.building_id is not None


@transaction.atomic
def reception_record(
    *,
    recorded_by,
    topic: str,
    visitor_name: str = "",
    member=None,
    phone: str = "",
    outcome: str = "",
    visited_at: datetime.datetime | None = None,
) -> ReceptionVisit:
    """Record a walk-in at the recorder's building. A member, when named, must be in the recorder's reach."""
    if not can_record(recorded_by):
        raise PermissionDenied
    if member is not None and not in_reach(recorded_by, member.organization_id):
        raise ValidationError({"member": _("Choose a member of your own branch or building.")})
    visitor_name = visitor_name.strip() or (member.name if member is not None else "")
    if not visitor_name:
        raise ValidationError({"visitor_name": _("Enter the visitor's name or choose a member.")})
    return ReceptionVisit.objects.create(
        building_id=recorded_by.building_id,
        visited_at=visited_at or timezone.now(),
        visitor_name=visitor_name,
        member=member,
        phone=phone.strip(),
        topic=topic.strip(),
        outcome=outcome.strip(),
        recorded_by=recorded_by,
    )


def _description(visit: ReceptionVisit) -> str:
    lines = [
        _("Recorded at the reception point on %(when)s.")
        % {"when": f"{timezone.localtime(visit.visited_at):%Y-%m-%d %H:%M}"},
        _("Visitor: %(name)s") % {"name": visit.visitor_name},
    ]
    if visit.phone:
        lines.append(_("Phone: %(phone)s") % {"phone": visit.phone})
    lines.append(_("Topic: %(topic)s") % {"topic": visit.topic})
    if visit.outcome:
        lines.append(_("Outcome at the visit: %(outcome)s") % {"outcome": visit.outcome})
    return "\n".join(lines)


@transaction.atomic
def reception_to_request(*, visit: ReceptionVisit, category: ServiceCategory, by) -> ServiceRequest:
    """Open a service request on the visitor's behalf and link the visit to it.

    1. Lock the visit; a visit already turned into a request is refused (the lock makes a double click safe).
    2. The requester is the member's own account when the visitor is a member who has one, otherwise the
       staff member at the desk; ``created_by`` is always the staff member.
    3. ``request_submit`` routes it and tells the handler; the visit then points at the request.
    """
    if not can_record(by):
        raise PermissionDenied
    visit = (
        ReceptionVisit.objects.select_for_update(of=("self",))
        .select_related("member", "member__organization", "member__user")
        .get(pk=visit.pk)
    )
    if visit.request_id is not None:
        raise ValidationError(_("This visit has already been turned into a request."), code="already_turned")
    if category.building_id != visit.building_id or not category.active:
        raise ValidationError({"category": _("Choose an active category of this building.")})
    member = visit.member
    member_user = member.user if member is not None and member.user_id else None
    requester = member_user if member_user is not None and member_user.is_active else by
    request = request_submit(
        category=category,
        requester=requester,
        title=visit.topic[:100],
        description=_description(visit),
        member=member,
        created_by=by,
    )
    visit.request = request
    visit.save(update_fields=["request"])
    return request
