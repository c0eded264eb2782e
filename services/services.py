"""Writes for service requests: submitting, routing, each status step, comments, ratings, the due-time sweep.

Every step is atomic, locks the request row, records a timeline event and notifies through
``buildingparty.notifications`` (emails go out after commit). Callers check scope first; these functions check
who may take the step.
"""

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty import jobs
from buildingparty.models import PartyOrganization, Role, User
from buildingparty.notifications import Notice, notify, notify_bulk
from buildingparty.workdays import add_working_days

from .models import RequestEvent, ServiceCategory, ServiceRequest

Status = ServiceRequest.Status

# Which step leads from which statuses to which.
TRANSITIONS = {
    "accept": ((Status.SUBMITTED,), Status.ACCEPTED),
    "start": ((Status.ACCEPTED,), Status.IN_PROGRESS),
    "resolve": ((Status.ACCEPTED, Status.IN_PROGRESS), Status.RESOLVED),
    "close": ((Status.RESOLVED,), Status.CLOSED),
    "reject": ((Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS), Status.REJECTED),
    "withdraw": ((Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS), Status.WITHDRAWN),
}
HANDLER_STEPS = {"accept", "start", "resolve", "reject", "close"}
REQUESTER_STEPS = {"withdraw"}


# --- routing ------------------------------------------------------------------------------------------------


def branch_secretaries(organization: PartyOrganization | None):
    """The secretaries of the branch that holds this organisation (a group's branch)."""
    if organization is None:
        return User.objects.none()
    branch = organization.branch
    return User.objects.filter(role=Role.SECRETARY, organization=branch, is_active=True)


def building_admins(building_id):
    return User.objects.filter(role=Role.ADMIN, building_id=building_id, is_active=True)


def default_handler(category: ServiceCategory, organization: PartyOrganization | None):
    """Who a new request goes to: the requester's branch secretary, the category's named handler, or nobody
    in particular (the admins see it and pick it up)."""
    if category.handler_kind == ServiceCategory.Handler.NAMED:
        return category.handler
    if category.handler_kind == ServiceCategory.Handler.SECRETARY:
        return branch_secretaries(organization).order_by("pk").first()
    return None


def handlers_to_notify(request: ServiceRequest) -> list:
    if request.assigned_to_id:
        return [request.assigned_to]
    return list(building_admins(request.building_id))


def can_handle(user, request: ServiceRequest) -> bool:
    """Admins of the building, the assigned handler, and the secretary of the requester's branch."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN and user.building_id == request.building_id:
        return True
    if request.assigned_to_id == user.pk:
        return True
    if user.role == Role.SECRETARY and request.organization_id:
        from buildingparty.scope import organization_ids

        return request.organization_id in organization_ids(user)
    return False


def is_requester(user, request: ServiceRequest) -> bool:
    if request.requester_id == user.pk:
        return True
    return (
        user.role == Role.CONTACT
        and request.enterprise_id is not None
        and request.enterprise.contacts.filter(pk=user.pk).exists()
    )


# --- submitting ---------------------------------------------------------------------------------------------


@transaction.atomic
def request_submit(
    *,
    category: ServiceCategory,
    requester,
    title: str,
    description: str,
    member=None,
    enterprise=None,
    priority: str = ServiceRequest.Priority.NORMAL,
    created_by=None,
    now: datetime.datetime | None = None,
) -> ServiceRequest:
    """Open a request, route it, set its due time in working days, and tell the handler."""
    now = now or timezone.now()
    organization = member.organization if member is not None else None
    request = ServiceRequest.objects.create(
        building_id=category.building_id,
        category=category,
        title=title.strip(),
        description=description.strip(),
        requester=requester,
        member=member,
        enterprise=enterprise,
        organization=organization,
        priority=priority,
        assigned_to=default_handler(category, organization),
        submitted_at=now,
        due_at=add_working_days(timezone.localtime(now), category.limit_days),
        created_by=created_by or requester,
    )
    RequestEvent.objects.create(
        request=request,
        kind=RequestEvent.Kind.STATUS,
        actor=created_by or requester,
        to_status=Status.SUBMITTED,
        at=now,
    )
    notify(
        users=handlers_to_notify(request),
        event="request_submitted",
        context={"request": request},
        url=request.get_absolute_url(),
    )
    return request


# --- steps --------------------------------------------------------------------------------------------------


def _lock(request: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("category", "requester", "assigned_to", "enterprise")
        .get(pk=request.pk)
    )


@transaction.atomic
def request_step(*, request: ServiceRequest, step: str, by, note: str = "") -> ServiceRequest:
    """Take one step of the status flow. No skipping (each step from its statuses only) and no step by the
    wrong person: handler steps need ``can_handle``, withdrawing needs the requester."""
    if step not in TRANSITIONS:
        raise ValueError(step)
    request = _lock(request)
    allowed_from, to_status = TRANSITIONS[step]
    if step in HANDLER_STEPS and not can_handle(by, request):
        raise PermissionDenied
    if step in REQUESTER_STEPS and not is_requester(by, request):
        raise PermissionDenied
    if request.status not in allowed_from:
        raise ValidationError(
            _("This request is %(status)s; it cannot be %(step)s now.")
            % {"status": request.get_status_display(), "step": STEP_LABELS[step]()},
            code="invalid_transition",
        )
    if step == "reject" and not note.strip():
        raise ValidationError({"note": _("Tell the requester why the request is rejected.")})
    now = timezone.now()
    from_status, request.status = request.status, to_status
    fields = ["status"]
    if step == "accept":
        request.accepted_at = now
        if request.assigned_to_id is None:
            request.assigned_to = by
            fields.append("assigned_to")
        fields.append("accepted_at")
    elif step == "resolve":
        request.resolved_at = now
        fields.append("resolved_at")
    elif step in ("close", "withdraw", "reject"):
        request.closed_at = now
        fields.append("closed_at")
        if step == "reject":
            request.reject_reason = note.strip()
            fields.append("reject_reason")
    request.save(update_fields=fields)
    RequestEvent.objects.create(
        request=request,
        kind=RequestEvent.Kind.STATUS,
        actor=by,
        from_status=from_status,
        to_status=to_status,
        text=note.strip(),
        at=now,
    )
    if step == "withdraw":
        notify(
            users=handlers_to_notify(request),
            event="request_withdrawn",
            context={"request": request},
            url=request.get_absolute_url(),
        )
    else:
        notify(
            users=[request.requester],
            event="request_status",
            context={"request": request, "note": note},
            url=request.get_absolute_url(),
        )
    return request


STEP_LABELS = {
    "accept": lambda: _("accepted"),
    "start": lambda: _("started"),
    "resolve": lambda: _("resolved"),
    "close": lambda: _("closed"),
    "reject": lambda: _("rejected"),
    "withdraw": lambda: _("withdrawn"),
}


@transaction.atomic
def request_assign(*, request: ServiceRequest, to, by) -> ServiceRequest:
    """Hand a request to another handler (an admin or secretary of the building, or a category's handler)."""
    request = _lock(request)
    if not can_handle(by, request):
        raise PermissionDenied
    if not request.is_open:
        raise ValidationError(_("Only an open request can be reassigned."), code="invalid_transition")
    if to.building_id != request.building_id or to.role not in (Role.ADMIN, Role.SECRETARY, Role.LIAISON):
        raise ValidationError({"assigned_to": _("Choose a handler of this building.")})
    request.assigned_to = to
    request.save(update_fields=["assigned_to"])
    RequestEvent.objects.create(
        request=request, kind=RequestEvent.Kind.ASSIGNED, actor=by, public=False, text=to.display_name
    )
    notify(users=[to], event="request_assigned", context={"request": request}, url=request.get_absolute_url())
    return request


@transaction.atomic
def request_comment(*, request: ServiceRequest, by, text: str, public: bool = True) -> RequestEvent:
    """A comment: public ones reach the requester; internal ones only the handlers."""
    request = _lock(request)
    handler, requester = can_handle(by, request), is_requester(by, request)
    if not (handler or requester):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write something first.")})
    public = public or not handler  # a requester's comment is always public
    event = RequestEvent.objects.create(
        request=request, kind=RequestEvent.Kind.COMMENT, actor=by, text=text.strip(), public=public
    )
    if requester and not handler:
        notify(
            users=handlers_to_notify(request),
            event="request_comment",
            context={"request": request, "event": event},
            url=request.get_absolute_url(),
        )
    elif public:
        notify(
            users=[request.requester],
            event="request_comment",
            context={"request": request, "event": event},
            url=request.get_absolute_url(),
        )
    return event


@transaction.atomic
def request_rate(*, request: ServiceRequest, by, rating: int, feedback: str = "") -> ServiceRequest:
    """The requester rates a resolved request (1–5); that closes it."""
    request = _lock(request)
    if not is_requester(by, request):
        raise PermissionDenied
    if request.status not in (Status.RESOLVED, Status.CLOSED) or request.rating is not None:
        raise ValidationError(_("A request is rated once, after it is resolved."), code="invalid_transition")
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Give 1 to 5 stars.")})
    from_status = request.status
    request.rating, request.feedback = int(rating), feedback.strip()
    request.status, request.closed_at = Status.CLOSED, request.closed_at or timezone.now()
    request.save(update_fields=["rating", "feedback", "status", "closed_at"])
    RequestEvent.objects.create(
        request=request,
        kind=RequestEvent.Kind.STATUS,
        actor=by,
        from_status=from_status,
        to_status=Status.CLOSED,
        text=feedback.strip(),
    )
    if request.assigned_to_id:
        notify(
            users=[request.assigned_to],
            event="request_rated",
            context={"request": request},
            url=request.get_absolute_url(),
        )
    return request


# --- the due-time sweep -------------------------------------------------------------------------------------


SWEEP_BATCH = 1000


def sweep_due(*, now: datetime.datetime | None = None) -> dict:
    """Tell handlers (and admins) about open requests due within a day and past due, once each.

    Safe to run twice and concurrently: each notification has a key per request and occasion."""
    now = now or timezone.now()
    soon = now + datetime.timedelta(days=1)
    counts = {"due_soon": 0, "overdue": 0}
    requests = ServiceRequest.objects.filter(status__in=ServiceRequest.OPEN_STATUSES, due_at__lte=soon)
    for rows in jobs.in_batches(requests, SWEEP_BATCH):
        # The batch's admins in one query (``handlers_to_notify`` would ask once per request); an inactive
        # handler is skipped by ``notify_bulk``, as by ``notify``.
        admins = defaultdict(list)
        buildings = {r.building_id for r in rows}
        for pk, building_id in User.objects.filter(
            role=Role.ADMIN, is_active=True, building_id__in=buildings
        ).values_list("pk", "building_id"):
            admins[building_id].append(pk)
        notices = {"due_soon": [], "overdue": []}
        for request in rows:
            occasion = "overdue" if request.due_at <= now else "due_soon"
            users = [request.assigned_to_id] if request.assigned_to_id else admins[request.building_id]
            if occasion == "overdue":
                users = list(dict.fromkeys([*users, *admins[request.building_id]]))
            key, url = f"request:{request.pk}:{occasion}", request.get_absolute_url()
            notices[occasion] += [Notice(pk, {"request": request}, url=url, dedupe_key=key) for pk in users]
        for occasion, batch in notices.items():
            counts[occasion] += notify_bulk(batch, event=f"request_{occasion}")
    return counts


def open_requests_for_handler(user):
    return ServiceRequest.objects.filter(Q(assigned_to=user), status__in=ServiceRequest.OPEN_STATUSES)


@transaction.atomic
def request_link_transfer(*, request: ServiceRequest, transfer, by) -> ServiceRequest:
    """Record which transfer a transfer request produced (the requester's own transfer, once)."""
    request = _lock(request)
    if not can_handle(by, request):
        raise PermissionDenied
    if not request.category.is_transfer:
        raise ValidationError(_("Only a transfer request can be linked to a transfer."), code="not_transfer")
    if request.member_id is None or transfer.member_id != request.member_id:
        raise ValidationError({"transfer": _("Choose a transfer of the member who asked.")})
    request.transfer = transfer
    request.save(update_fields=["transfer"])
    RequestEvent.objects.create(
        request=request,
        kind=RequestEvent.Kind.COMMENT,
        actor=by,
        public=True,
        text=_("Linked to transfer %(number)s") % {"number": transfer.letter_number},
    )
    return request
