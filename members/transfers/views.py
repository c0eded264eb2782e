"""Transfer views: list, issue, register a transfer in, detail, status actions, the printable letter.

Each view: check the role (403), fetch through ``for_user`` (404 out of scope), check the write permission
on the member (403), then call a service from ``members.services``. A service's ValidationError goes next to
its field, or into a message when it refuses the step itself; the services are atomic, so a refusal leaves
nothing half-written.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from buildingparty import data_cache
from buildingparty.forms import add_service_errors
from buildingparty.models import AuditRecord, PartyOrganization, Role
from buildingparty.scope import role_required
from buildingparty.services import audit
from members import services
from members.access import can_add_to, can_manage_transfer, can_manage_transfers, can_reveal_id
from members.models import Member, Transfer
from members.transfers.forms import (
    ACTION_FORMS,
    REASONS,
    REASONS_LIST_ID,
    TransferFilterForm,
    TransferInForm,
    TransferInMemberForm,
    TransferIssueForm,
    action_form,
    actions_possible,
)
from members.transfers.numerals import capital_days
from members.transfers.panels import EXPIRING_DAYS, needs_attention

PAGE_SIZE = 25
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)
MANAGERS = (Role.ADMIN, Role.SECRETARY)


def _transfers(user):
    return Transfer.objects.for_user(user).select_related(
        "member", "member__organization", "from_organization", "to_organization"
    )


def _flag(transfer: Transfer, today: datetime.date) -> Transfer:
    """Set the warnings a page shows next to a transfer."""
    transfer.past_validity = transfer.is_past_validity(today)
    transfer.receipt_overdue = transfer.is_receipt_overdue(today)
    transfer.expiring_soon = (
        transfer.status == Transfer.Status.ISSUED
        and not transfer.past_validity
        and transfer.expires_on <= today + datetime.timedelta(days=EXPIRING_DAYS)
    )
    transfer.days_left = (transfer.expires_on - today).days
    return transfer


def _concurrent_change(request):
    messages.error(
        request,
        _(
            "The register changed while you were working (for example, another letter for "
            "this member is under way). Please check the page and try again."
        ),
    )


# --- list --------------------------------------------------------------------------------------------------


@role_required(*READERS)
def transfer_list(request):
    # Kept whole, as HTML (data_cache.page), under the viewer's scope (``for_user`` and the button look at role,
    # building and branch only, and only officers and street viewers come here), the query, the language and the
    # day (the warnings), until a table it was read from changes.
    body = data_cache.page(
        request,
        "members:transfer_list",
        "members/transfers/_transfer_list_body.html",
        lambda: _transfer_list(request),
        by="scope",
    )
    return render(request, "members/transfers/transfer_list.html", {"body": body})


def _transfer_list(request) -> dict:
    today = timezone.localdate()
    form = TransferFilterForm(request.GET or None)
    transfers = _transfers(request.user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            transfers = transfers.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["direction"]:
            transfers = transfers.filter(direction=form.cleaned_data["direction"])
        if form.cleaned_data["attention"]:
            transfers = needs_attention(transfers, today)
    page = Paginator(transfers.order_by("-issued_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    for transfer in page:
        _flag(transfer, today)
    return {
        "page": page,
        "form": form,
        "can_register": request.user.role in MANAGERS,
        "filtered": bool(request.GET),
    }


# --- issue a letter ----------------------------------------------------------------------------------------


@role_required(*MANAGERS)
def transfer_create(request, pk):
    member = get_object_or_404(
        Member.objects.for_user(request.user).select_related("organization", "organization__parent"), pk=pk
    )
    if not can_manage_transfers(request.user, member):
        raise PermissionDenied
    form = TransferIssueForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_issue(member=member, issued_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, " ".join(error.messages))
        except IntegrityError:
            if Transfer.objects.filter(letter_number=form.cleaned_data["letter_number"]).exists():
                form.add_error("letter_number", _("This letter number is already in the register."))
            else:
                _concurrent_change(request)
        else:
            messages.success(
                request,
                _("Letter %(number)s issued. Print it and give it to the member.") % {"number": transfer.letter_number},
            )
            return redirect(transfer)
    open_transfer = member.transfers.filter(status__in=Transfer.OPEN_STATUSES).first()
    return render(
        request,
        "members/transfers/transfer_form.html",
        {
            "member": member,
            "form": form,
            "open_transfer": open_transfer,
            "next_number": services.next_letter_number(timezone.localdate().year),
            "reasons": REASONS,
            "reasons_list_id": REASONS_LIST_ID,
        },
    )


# --- register a member arriving with a letter --------------------------------------------------------------


@role_required(*MANAGERS)
def transfer_in(request):
    data = request.POST or None
    member_form = TransferInMemberForm(data, user=request.user)
    letter_form = TransferInForm(data)
    # Both forms are checked, so every mistake shows at once.
    if request.method == "POST" and all([member_form.is_valid(), letter_form.is_valid()]):
        member = member_form.save(commit=False)
        if not can_add_to(request.user, member.organization):
            raise PermissionDenied
        try:
            transfer = services.transfer_receive(member=member, received_by=request.user, **letter_form.cleaned_data)
        except ValidationError as error:
            if not add_service_errors(letter_form, error):
                messages.error(request, " ".join(error.messages))
        except IntegrityError:
            # Someone registered the same person or letter a moment ago: say which, next to the field.
            if Member.objects.with_id_numbers(member.id_number).exists():
                member_form.add_error("id_number", _("A member with this ID number is already in the register."))
            elif Transfer.objects.filter(letter_number=letter_form.cleaned_data["letter_number"]).exists():
                letter_form.add_error("letter_number", _("This letter number is already in the register."))
            else:
                _concurrent_change(request)
        else:
            messages.success(
                request,
                _("%(name)s is registered in %(org)s. Send the receipt back to %(from)s.")
                % {"name": member.name, "org": member.organization, "from": transfer.from_name},
            )
            return redirect(transfer)
    return render(
        request,
        "members/transfers/transfer_in.html",
        {
            "member_form": member_form,
            "letter_form": letter_form,
            "reasons": REASONS,
            "reasons_list_id": REASONS_LIST_ID,
        },
    )


# --- one transfer ------------------------------------------------------------------------------------------

# How many of the four steps each status has completed. A cancelled letter stopped wherever it was.
STEPS_DONE = {
    Transfer.Status.ISSUED: 1,
    Transfer.Status.REPORTED: 2,
    Transfer.Status.RECEIPTED: 3,
    Transfer.Status.CLOSED: 4,
    Transfer.Status.EXPIRED: 1,
}


def _steps(transfer: Transfer) -> list[dict]:
    """The step indicator: issued → reported → receipt returned → closed, each with its date."""
    done = STEPS_DONE.get(transfer.status, 1 + (transfer.reported_on is not None))
    steps = [
        {"label": _("Letter issued"), "date": transfer.issued_on},
        {"label": _("Reported"), "date": transfer.reported_on},
        {"label": _("Receipt returned"), "date": transfer.receipt_returned_on},
        {"label": _("Closed"), "date": transfer.closed_on},
    ]
    for number, step in enumerate(steps, start=1):
        step["done"] = number <= done
        step["current"] = number == done + 1 and transfer.is_open
    return steps


def _render_detail(request, transfer: Transfer, bound=None):
    today = timezone.localdate()
    _flag(transfer, today)
    can_manage = can_manage_transfer(request.user, transfer)
    forms = {}
    if can_manage:
        forms = {action: action_form(action, transfer) for action in actions_possible(transfer, today)}
        if bound is not None:
            forms[bound.prefix] = bound
    try:
        reissued_as = transfer.reissued_as
    except Transfer.DoesNotExist:
        reissued_as = None
    return render(
        request,
        "members/transfers/transfer_detail.html",
        {
            "transfer": transfer,
            "member": transfer.member,
            "steps": _steps(transfer),
            "can_manage": can_manage,
            "can_show_full_id": can_reveal_id(request.user, transfer.member),
            "forms": forms,
            "reissued_as": reissued_as,
            "today": today,
            "printable": transfer.direction != Transfer.Direction.IN,
            # The sending branch keeps seeing a move it issued, but not the member once they have left it.
            "member_visible": Member.objects.for_user(request.user).filter(pk=transfer.member_id).exists(),
        },
    )


@role_required(*READERS)
def transfer_detail(request, pk):
    transfer = get_object_or_404(_transfers(request.user).select_related("reissue_of", "reissued_as"), pk=pk)
    return _render_detail(request, transfer)


def _run(action: str, transfer: Transfer, data: dict, by) -> Transfer:
    if action == "report":
        return services.transfer_report(transfer=transfer, reported_on=data["reported_on"], by=by)
    if action == "receipt":
        return services.transfer_receipt(transfer=transfer, returned_on=data["returned_on"], by=by)
    if action == "close":
        return services.transfer_close(transfer=transfer, closed_on=data["closed_on"], by=by)
    if action == "cancel":
        return services.transfer_cancel(transfer=transfer, reason=data["cancel_reason"], by=by)
    if action == "expire":
        return services.transfer_expire(transfer=transfer, by=by, today=timezone.localdate())
    return services.transfer_reissue(
        transfer=transfer,
        issued_on=data["issued_on"],
        by=by,
        validity_days=data["validity_days"],
        dues_paid_until=data["dues_paid_until"],
    )


SUCCESS = {
    "report": gettext_lazy("Recorded: the member reported. The receipt is due within a month."),
    "receipt": gettext_lazy("Recorded: the receipt came back. The transfer is complete."),
    "close": gettext_lazy("The transfer is closed."),
    "cancel": gettext_lazy("The letter is cancelled."),
    "expire": gettext_lazy("The letter is marked expired. Re-issue it if the member still needs to transfer."),
    "reissue": gettext_lazy("A new letter was issued in place of the expired one. Print it for the member."),
}


@require_POST
@role_required(*MANAGERS)
def transfer_action(request, pk, action):
    if action not in ACTION_FORMS:
        raise Http404
    transfer = get_object_or_404(_transfers(request.user).select_related("reissue_of", "reissued_as"), pk=pk)
    if not can_manage_transfer(request.user, transfer):
        raise PermissionDenied
    form = action_form(action, transfer, request.POST)
    if not form.is_valid():
        return _render_detail(request, transfer, bound=form)
    try:
        result = _run(action, transfer, form.cleaned_data, request.user)
    except ValidationError as error:
        if add_service_errors(form, error):
            return _render_detail(request, transfer, bound=form)
        messages.error(request, " ".join(error.messages))
        return redirect(transfer)
    except IntegrityError:
        _concurrent_change(request)
        return redirect(transfer)
    messages.success(request, SUCCESS[action])
    return redirect(result)


# --- the printable letter ----------------------------------------------------------------------------------


def _age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@role_required(*READERS)
def transfer_letter(request, pk):
    """The introduction letter in three parts (组通字〔2006〕45号). The full ID number only on request, audited."""
    transfer = get_object_or_404(
        _transfers(request.user).select_related("from_organization__building", "created_by"), pk=pk
    )
    if transfer.direction == Transfer.Direction.IN:
        raise Http404  # the sending organisation printed that letter, not us
    member = transfer.member
    # The full ID number goes only to whoever may reveal this member's number now: not to a branch the member
    # has left, nor to the receiving branch before the member has arrived.
    can_show_full_id = can_reveal_id(request.user, member)
    full_id = request.GET.get("full_id") == "1"
    if full_id:
        if not can_show_full_id:
            raise PermissionDenied
        audit(
            action=AuditRecord.Action.PRINT,
            actor=request.user,
            subject=member.name,
            object_id=member.pk,
            detail=transfer.letter_number,
            request=request,
        )
    building = transfer.from_organization.building if transfer.from_organization_id else None
    # A move between the building's branches is an internal adjustment, not the national three-part letter.
    internal = transfer.direction == Transfer.Direction.INTERNAL
    template = "members/transfers/internal_adjustment.html" if internal else "members/transfers/transfer_letter.html"
    general_branch = (
        PartyOrganization.objects.filter(building=building, kind=PartyOrganization.Kind.GENERAL_BRANCH).first()
        if internal and building
        else None
    )
    response = render(
        request,
        template,
        {
            "issuing_committee": (building.issuing_committee if building else "") or transfer.from_name,
            "issuing_phone": building.issuing_phone if building else "",
            "issuing_fax": building.issuing_fax if building else "",
            "issuing_postcode": building.issuing_postcode if building else "",
            "validity_capital": capital_days(transfer.validity_days),
            "general_branch": general_branch.name if general_branch else "",
            "transfer": transfer,
            "member": member,
            "full_id": full_id,
            "can_show_full_id": can_show_full_id,
            "id_number": member.id_number if full_id else member.masked_id_number,
            "age": _age_on(member.birth_date, transfer.issued_on),
            "void": transfer.status in (Transfer.Status.EXPIRED, Transfer.Status.CANCELLED),
            "address": transfer.from_organization.building.address if transfer.from_organization_id else "",
        },
    )
    if full_id:
        patch_cache_control(response, private=True, no_store=True)
    return response
