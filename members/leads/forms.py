"""Forms that turn a survey lead (a member found on a visit) into a register record.

A transfer in reuses the transfer-in forms; an incoming mobile member (流入党员) has its own. Both start
from what the visit learnt: the name, the phone, the enterprise, and where the relationship is now.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import PartyOrganization, Role
from enterprises.forms import EnterpriseSearchField
from enterprises.models import Enterprise
from enterprises.survey.models import SurveyLead
from members.forms import DATE_WIDGET
from members.models import IncomingMobileMember, Member
from members.transfers.forms import TransferInForm
from members.validators import id_gender, validate_id_number, validate_mobile

HOST_KINDS = (PartyOrganization.Kind.BRANCH, PartyOrganization.Kind.JOINT_BRANCH)


class LeadLetterForm(TransferInForm):
    """The letter the member brings. The reason is always "found in the survey" (the service writes it)."""

    reason = None


def _mobile_or_blank(phone: str) -> str:
    """The lead's phone may be a landline; the register wants a mobile number, so only a mobile is carried."""
    try:
        return validate_mobile(phone)
    except ValidationError:
        return ""


def _own_branch_id(user) -> int | None:
    """A secretary's branch, the likely receiving branch."""
    if user.role == Role.SECRETARY and user.organization_id and user.organization.kind in HOST_KINDS:
        return user.organization_id
    return None


def member_initial(lead: SurveyLead, user) -> dict:
    """The transfer-in member form, started from the lead."""
    return {
        "name": lead.name,
        "phone": _mobile_or_blank(lead.phone),
        "enterprise": lead.visit.enterprise_id,
        "organization": _own_branch_id(user),
    }


def letter_initial(lead: SurveyLead) -> dict:
    return {"from_name": lead.relationship_location}


def incoming_initial(lead: SurveyLead, user) -> dict:
    return {
        "name": lead.name,
        "phone": _mobile_or_blank(lead.phone),
        "enterprise": lead.visit.enterprise_id,
        "home_organization": lead.relationship_location,
        "host_organization": _own_branch_id(user),
    }


class IncomingMemberForm(forms.ModelForm):
    """An incoming mobile member: their relationship stays where it is; they take part in one of our branches."""

    enterprise = EnterpriseSearchField(
        required=False,
        active_only=True,
        label=IncomingMobileMember._meta.get_field("enterprise").verbose_name,
    )

    class Meta:
        model = IncomingMobileMember
        fields = [
            "name",
            "gender",
            "id_number",
            "phone",
            "enterprise",
            "home_organization",
            "host_organization",
            "since",
            "card_number",
        ]
        widgets = {"since": DATE_WIDGET}
        help_texts = {
            "home_organization": _("The party organisation that keeps the member's relationship."),
            "host_organization": _("The branch of the building whose organisational life the member joins."),
            "gender": _("Filled in from the ID number when left empty."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_organization"].queryset = (
            PartyOrganization.objects.for_user(user).filter(kind__in=HOST_KINDS).order_by("kind", "name")
        )
        self.fields["enterprise"].queryset = (
            Enterprise.objects.for_user(user).filter(status=Enterprise.Status.ACTIVE).order_by("name")
        )
        self.fields["since"].initial = timezone.localdate

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        if not value:
            return value
        value = validate_id_number(value)
        if Member.objects.with_id_numbers(value).exists():
            raise forms.ValidationError(
                _("A member with this ID number is already in the register; they are not an incoming member."),
                code="registered",
            )
        if IncomingMobileMember.objects.with_id_numbers(value).filter(until__isnull=True).exists():
            raise forms.ValidationError(_("This person is already recorded as an incoming mobile member."))
        return value

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since and since > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return since

    def clean(self):
        data = super().clean()
        id_number = data.get("id_number")
        if id_number:  # valid by now: clean_id_number checked it
            gender = id_gender(id_number)
            if data.get("gender") and data["gender"] != gender:
                self.add_error("gender", _("The gender does not match the ID number."))
            elif not data.get("gender"):
                data["gender"] = gender
        return data
