"""Turning survey leads into register records: a transfer in, or an incoming mobile member (流入党员).

A lead is a party member found on a survey visit whose relationship is elsewhere. Admins and secretaries of
the building pick leads up; the branch that receives the member must be one they run (403 otherwise). The
services close the lead and write the record in one transaction, so a lead is converted once or not at all.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from buildingparty.forms import add_service_errors
from buildingparty.models import Role
from buildingparty.scope import role_required
from enterprises.survey.models import SurveyLead
from members import services
from members.access import can_add_to
from members.leads.forms import IncomingMemberForm, LeadLetterForm, incoming_initial, letter_initial, member_initial
from members.models import IncomingMobileMember, Member, Transfer
from members.transfers.forms import TransferInMemberForm

PAGE_SIZE = 25
MANAGERS = (Role.ADMIN, Role.SECRETARY)
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)


def _lead_or_404(request, pk) -> SurveyLead:
    return get_object_or_404(
        SurveyLead.objects.for_user(request.user).select_related("visit__enterprise", "visit__campaign"), pk=pk
    )


def _already_dealt_with(request):
    messages.error(request, _("This lead has already been dealt with."))
    return redirect("survey:lead_list")


@role_required(*MANAGERS)
def lead_transfer_in(request, pk):
    """The lead brings their relationship here: register them as a member arrived with a letter."""
    lead = _lead_or_404(request, pk)
    if lead.status != SurveyLead.Status.OPEN:
        return _already_dealt_with(request)
    data = request.POST or None
    member_form = TransferInMemberForm(data, user=request.user, initial=member_initial(lead, request.user))
    letter_form = LeadLetterForm(data, initial=letter_initial(lead))
    if request.method == "POST" and all([member_form.is_valid(), letter_form.is_valid()]):
        member = member_form.save(commit=False)
        if not can_add_to(request.user, member.organization):
            raise PermissionDenied
        try:
            transfer = services.lead_to_transfer_in(
                lead=lead, member=member, by=request.user, **letter_form.cleaned_data
            )
        except ValidationError as error:
            if not add_service_errors(letter_form, error):
                # Someone converted or closed the lead a moment ago.
                messages.error(request, " ".join(error.messages))
                return redirect("survey:lead_list")
        except IntegrityError:
            if Member.objects.with_id_numbers(member.id_number).exists():
                member_form.add_error("id_number", _("A member with this ID number is already in the register."))
            elif Transfer.objects.filter(letter_number=letter_form.cleaned_data["letter_number"]).exists():
                letter_form.add_error("letter_number", _("This letter number is already in the register."))
            else:
                messages.error(request, _("The register changed while you were working. Please try again."))
        else:
            messages.success(
                request,
                _("%(name)s is registered in %(org)s. Send the receipt back to %(from)s.")
                % {"name": member.name, "org": member.organization, "from": transfer.from_name},
            )
            return redirect(transfer)
    return render(
        request,
        "members/leads/lead_transfer_in.html",
        {"lead": lead, "member_form": member_form, "letter_form": letter_form},
    )


@role_required(*MANAGERS)
def lead_incoming(request, pk):
    """The lead keeps their relationship elsewhere and joins one of our branches' organisational life."""
    lead = _lead_or_404(request, pk)
    if lead.status != SurveyLead.Status.OPEN:
        return _already_dealt_with(request)
    form = IncomingMemberForm(request.POST or None, user=request.user, initial=incoming_initial(lead, request.user))
    if request.method == "POST" and form.is_valid():
        incoming = form.save(commit=False)
        if not can_add_to(request.user, incoming.host_organization):
            raise PermissionDenied
        try:
            services.lead_to_incoming(lead=lead, incoming=incoming, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("survey:lead_list")
        messages.success(
            request,
            _("%(name)s is recorded as an incoming mobile member of %(org)s.")
            % {"name": incoming.name, "org": incoming.host_organization},
        )
        return redirect("members:incoming_list")
    return render(request, "members/leads/lead_incoming.html", {"lead": lead, "form": form})


@role_required(*READERS)
def incoming_list(request):
    """Incoming mobile members in scope, newest first. ID numbers are masked."""
    incoming = IncomingMobileMember.objects.for_user(request.user).select_related("enterprise", "host_organization")
    page = Paginator(incoming.order_by("-since", "name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/leads/incoming_list.html", {"page": page})
