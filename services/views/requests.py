"""Service request views: the list, submitting, one request with its timeline and actions, attachments.

Each view fetches through ``ServiceRequest.objects.for_user`` (404 out of scope) and leaves the status rules
and who may act to ``services.services``: its PermissionDenied becomes a 403, its ValidationError a form error
or a message. The services are atomic, so a refusal leaves nothing half-written.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from buildingparty import data_cache, submissions
from buildingparty.forms import add_service_errors
from buildingparty.models import Role
from buildingparty.scope import role_required
from buildingparty.uploads import normalise_name, private_file_response
from enterprises.models import Enterprise
from members.models import Transfer

from .. import services
from ..forms import (
    ALL,
    OPEN,
    AssignForm,
    CommentForm,
    RateForm,
    RequestFilterForm,
    RequestForm,
    StepForm,
    attachment_content_type,
)
from ..models import Attachment, RequestEvent, ServiceCategory, ServiceRequest

PAGE_SIZE = 25
REQUESTERS = (Role.MEMBER, Role.CONTACT)
HANDLERS = (Role.ADMIN, Role.SECRETARY, Role.LIAISON)
Status = ServiceRequest.Status


def _requests(user):
    return ServiceRequest.objects.for_user(user).select_related(
        "category", "requester", "assigned_to", "member", "enterprise", "organization"
    )


def _get_request(user, pk) -> ServiceRequest:
    return get_object_or_404(_requests(user).select_related("transfer"), pk=pk)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- list --------------------------------------------------------------------------------------------------


def request_list(request):
    # Kept whole, as HTML (data_cache.page), under the account (requesters see their own, handlers filter on "mine")
    # until a table it was read from changes, and a minute at most: whether a request is overdue moves with the clock.
    user = request.user
    body = data_cache.page(
        request,
        "services:list",
        "services/requests/_request_list_body.html",
        lambda: _request_list(request),
        timeout=60,
    )
    return render(
        request,
        "services/requests/request_list.html",
        {"body": body, "is_requester_view": user.role in REQUESTERS, "is_handler_view": user.role in HANDLERS},
    )


def _request_list(request) -> dict:
    user, now = request.user, timezone.now()
    data = request.GET.copy()
    # Handlers start from what is still open; requesters from everything they asked.
    data.setdefault("status", OPEN if user.role in HANDLERS else ALL)
    form = RequestFilterForm(data, user=user)
    # The enterprise for the page's rows only: a join to the enterprises table before ORDER BY … LIMIT made
    # PostgreSQL read all of it; the member is not shown.
    requests = (
        ServiceRequest.objects.for_user(user)
        .select_related("category", "requester", "assigned_to", "organization")
        .prefetch_related("enterprise")
    )
    if form.is_valid():
        status = form.cleaned_data["status"] or ALL
        if status == OPEN:
            requests = requests.filter(status__in=ServiceRequest.OPEN_STATUSES)
        elif status != ALL:
            requests = requests.filter(status=status)
        if form.cleaned_data["category"]:
            requests = requests.filter(category=form.cleaned_data["category"])
        if form.cleaned_data["overdue"]:
            requests = requests.filter(status__in=ServiceRequest.OPEN_STATUSES, due_at__lt=now)
        if form.cleaned_data["mine"]:
            requests = requests.filter(assigned_to=user)
    page = Paginator(requests.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    for service_request in page:
        service_request.overdue = service_request.is_overdue(now)
    return {
        "page": page,
        "category_options": _options(form["category"]),
        "form": form,
        "is_requester_view": user.role in REQUESTERS,
        "is_handler_view": user.role in HANDLERS,
        "can_create": user.role in REQUESTERS,
        "filtered": bool(request.GET),
    }


def _options(bound_field):
    """A select's options as Django draws them (``{{ choice.tag }}``), written out here: Django renders a template
    per option."""
    context = bound_field.field.widget.get_context(bound_field.html_name, bound_field.value(), {})["widget"]
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (option["value"], " selected" if option["selected"] else "", option["label"])
            for _group, options, _index in context["optgroups"]
            for option in options
        ),
    )


# --- submitting --------------------------------------------------------------------------------------------


def _requester_context(user) -> dict:
    """Who is asking, as ``request_submit`` wants it: a member with their record, or an enterprise contact
    with their enterprises. Anybody else has no form to fill in (403)."""
    if user.role == Role.MEMBER:
        member = getattr(user, "member", None)
        if member is None:
            raise PermissionDenied
        return {"audience": ServiceCategory.Audience.MEMBERS, "member": member, "enterprises": None}
    if user.role == Role.CONTACT:
        enterprises = Enterprise.objects.filter(contacts=user, building_id=user.building_id).order_by("name")
        if not enterprises:
            raise PermissionDenied
        return {"audience": ServiceCategory.Audience.ENTERPRISES, "member": None, "enterprises": enterprises}
    raise PermissionDenied


def _stored_name(name: str) -> str:
    """The uploaded name, normalised (no folders or control characters, extension in lower case) and cut to the
    column's length without losing the extension."""
    return normalise_name(name, max_length=Attachment._meta.get_field("name").max_length)


@role_required(*REQUESTERS)
def request_create(request):
    user = request.user
    who = _requester_context(user)
    if (first := submissions.first_result(request)) is not None:
        return first
    form = RequestForm(
        request.POST or None,
        request.FILES or None,
        building=user.building,
        audience=who["audience"],
        enterprises=who["enterprises"],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enterprise = data.get("enterprise") or (who["enterprises"][0] if who["enterprises"] else None)
        # The request and its files stand or fall together, with the form's one-time token.
        try:
            with submissions.once(request, form, label="services.request") as submission:
                service_request = services.request_submit(
                    category=data["category"],
                    requester=user,
                    title=data["title"],
                    description=data["description"],
                    member=who["member"],
                    enterprise=enterprise,
                    priority=data["priority"],
                )
                for file in data["attachments"]:
                    Attachment.objects.create(
                        request=service_request,
                        file=file,
                        name=_stored_name(file.name),
                        size=file.size,
                        content_type=attachment_content_type(file.name),
                        uploaded_by=user,
                    )
                submission.result_url = service_request.get_absolute_url()
        except submissions.AlreadySubmitted as done:
            if done.response is not None:
                return done.response
            return render(request, "services/requests/request_form.html", {"form": form, "member": who["member"]})
        messages.success(
            request,
            _("Your request is submitted. It is due to be handled by %(due)s.")
            % {"due": timezone.localtime(service_request.due_at).strftime("%Y-%m-%d %H:%M")},
        )
        return redirect(service_request)
    return render(request, "services/requests/request_form.html", {"form": form, "member": who["member"]})


# --- one request -------------------------------------------------------------------------------------------

# The handler's steps in the order their buttons appear.
HANDLER_STEP_ORDER = ["accept", "start", "resolve", "close", "reject"]
STEP_BUTTONS = {
    "accept": gettext_lazy("Accept"),
    "start": gettext_lazy("Start work"),
    "resolve": gettext_lazy("Mark resolved"),
    "close": gettext_lazy("Close"),
    "reject": gettext_lazy("Reject"),
    "withdraw": gettext_lazy("Withdraw my request"),
}
STEP_DONE = {
    "accept": gettext_lazy("The request is accepted."),
    "start": gettext_lazy("Work on the request has started."),
    "resolve": gettext_lazy("The request is marked resolved. The requester can now rate it."),
    "close": gettext_lazy("The request is closed."),
    "reject": gettext_lazy("The request is rejected; the requester is told why."),
    "withdraw": gettext_lazy("Your request is withdrawn."),
}


def _possible(step: str, service_request: ServiceRequest) -> bool:
    return service_request.status in services.TRANSITIONS[step][0]


def _render_detail(request, service_request: ServiceRequest, *, bound=None, status=200):
    """The page, with the forms the user may use; ``bound`` is a form that failed, shown with its errors."""
    user, now = request.user, timezone.now()
    handler = services.can_handle(user, service_request)
    requester = services.is_requester(user, service_request)
    events = service_request.events.select_related("actor")
    if not handler:
        events = events.filter(public=True)
    events = list(events)
    for event in events:
        event.from_label = Status(event.from_status).label if event.from_status else ""
        event.to_label = Status(event.to_status).label if event.to_status else ""
    steps = []
    if handler:
        steps = [
            {"step": step, "label": STEP_BUTTONS[step], "form": StepForm(prefix=step)}
            for step in HANDLER_STEP_ORDER
            if _possible(step, service_request)
        ]
    forms = {
        "comment": CommentForm(handler=handler) if handler or requester else None,
        "rate": RateForm()
        if requester and service_request.rating is None and service_request.status in (Status.RESOLVED, Status.CLOSED)
        else None,
        "assign": AssignForm(request=service_request) if handler and service_request.is_open else None,
    }
    if bound is not None:
        name, form = bound
        if name in forms:
            forms[name] = form
        else:
            for step in steps:
                if step["step"] == name:
                    step["form"] = form
    service_request.overdue = service_request.is_overdue(now)
    return render(
        request,
        "services/requests/request_detail.html",
        {
            "r": service_request,
            "events": events,
            "attachments": service_request.attachments.all(),
            "is_handler": handler,
            "is_requester": requester,
            "steps": steps,
            "can_withdraw": requester and _possible("withdraw", service_request),
            "comment_form": forms["comment"],
            "rate_form": forms["rate"],
            "assign_form": forms["assign"],
            "show_transfer": service_request.category.is_transfer and service_request.transfer_id is not None,
            "linkable_transfers": _linkable_transfers(request.user, service_request) if handler else [],
            "comment_kind": RequestEvent.Kind.COMMENT,
        },
        status=status,
    )


def request_detail(request, pk):
    return _render_detail(request, _get_request(request.user, pk))


@require_POST
def request_step(request, pk, step):
    if step not in services.TRANSITIONS:
        raise Http404
    service_request = _get_request(request.user, pk)
    form = StepForm(request.POST, prefix=step)
    if not form.is_valid():
        return _render_detail(request, service_request, bound=(step, form))
    try:
        services.request_step(request=service_request, step=step, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        if step != "withdraw" and add_service_errors(form, error):
            return _render_detail(request, service_request, bound=(step, form))
        messages.error(request, _error_text(error))
    else:
        messages.success(request, STEP_DONE[step])
    return redirect(service_request)


@require_POST
def request_comment(request, pk):
    service_request = _get_request(request.user, pk)
    handler = services.can_handle(request.user, service_request)
    if not (handler or services.is_requester(request.user, service_request)):
        raise PermissionDenied
    if (first := submissions.first_result(request)) is not None:
        return first
    form = CommentForm(request.POST, handler=handler)
    if not form.is_valid():
        return _render_detail(request, service_request, bound=("comment", form))
    try:
        with submissions.once(request, form, label="services.comment") as submission:
            event = services.request_comment(
                request=service_request,
                by=request.user,
                text=form.cleaned_data["text"],
                public=form.cleaned_data.get("public", True),
            )
            submission.result_url = service_request.get_absolute_url()
    except submissions.AlreadySubmitted as done:
        return done.response or _render_detail(request, service_request, bound=("comment", form))
    except ValidationError as error:
        if add_service_errors(form, error):
            return _render_detail(request, service_request, bound=("comment", form))
        messages.error(request, _error_text(error))
        return redirect(service_request)
    messages.success(request, _("Comment added.") if event.public else _("Internal note added."))
    return redirect(service_request)


@require_POST
def request_rate(request, pk):
    service_request = _get_request(request.user, pk)
    if not services.is_requester(request.user, service_request):
        raise PermissionDenied
    form = RateForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, service_request, bound=("rate", form))
    try:
        services.request_rate(request=service_request, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        if add_service_errors(form, error):
            return _render_detail(request, service_request, bound=("rate", form))
        messages.error(request, _error_text(error))
        return redirect(service_request)
    messages.success(request, _("Thank you for rating the service."))
    return redirect(service_request)


@require_POST
def request_assign(request, pk):
    service_request = _get_request(request.user, pk)
    if not services.can_handle(request.user, service_request):
        raise PermissionDenied
    form = AssignForm(request.POST, request=service_request)
    if not form.is_valid():
        return _render_detail(request, service_request, bound=("assign", form))
    to = form.cleaned_data["assigned_to"]
    try:
        services.request_assign(request=service_request, to=to, by=request.user)
    except ValidationError as error:
        if add_service_errors(form, error):
            return _render_detail(request, service_request, bound=("assign", form))
        messages.error(request, _error_text(error))
        return redirect(service_request)
    messages.success(request, _("The request is handed over to %(name)s.") % {"name": to.display_name})
    # Someone who saw the request only as its handler may not see it any more.
    if ServiceRequest.objects.for_user(request.user).filter(pk=service_request.pk).exists():
        return redirect(service_request)
    return redirect("services:list")


@require_POST
def request_link_transfer(request, pk):
    """A handler records which transfer letter the request produced."""
    service_request = _get_request(request.user, pk)
    if not services.can_handle(request.user, service_request):
        raise PermissionDenied
    transfer = Transfer.objects.for_user(request.user).filter(pk=request.POST.get("transfer")).first()
    if transfer is None:
        messages.error(request, _("Choose a transfer of the member who asked."))
        return redirect(service_request)
    try:
        services.request_link_transfer(request=service_request, transfer=transfer, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Linked to transfer %(number)s.") % {"number": transfer.letter_number})
    return redirect(service_request)


def _linkable_transfers(user, service_request):
    """The member's transfers this handler can see, for a transfer request not yet linked."""
    if not (service_request.category.is_transfer and service_request.member_id and not service_request.transfer_id):
        return []
    return list(Transfer.objects.for_user(user).filter(member_id=service_request.member_id).order_by("-issued_on"))


# --- attachments -------------------------------------------------------------------------------------------


def attachment(request, pk):
    """An attachment, only to those who can see its request; files are never served from /media."""
    in_scope = ServiceRequest.objects.for_user(request.user).values("pk")
    item = get_object_or_404(Attachment.objects.filter(request__in=in_scope), pk=pk)
    return private_file_response(item.file, content_type=item.content_type, filename=item.name, as_attachment=True)
