"""Forms for transfers (组织关系接转): issuing a letter, registering a member who arrives, and each status step.

Forms check what a person typed; the rules about which step may follow which live in ``members.services``.
Field names match the keys of the services' ValidationErrors, so those land next to the right field.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import PartyOrganization
from members.dues.selectors import paid_up_to
from members.forms import DATE_WIDGET, MemberForm, MonthField
from members.models import Member, Transfer, add_months
from members.services import default_validity_days

# Suggestions for the reason; any other text is accepted.
REASONS = [_("Change of employer"), _("Change of residence"), _("Other")]
REASONS_LIST_ID = "transfer-reasons"
# Dues may be paid ahead by at most six months (中组发〔2008〕3号).
DUES_AHEAD_MONTHS = 6


def validity_field(**kwargs) -> forms.IntegerField:
    message = _("A letter is valid for 1 to 90 days.")
    return forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=90,
        error_messages={"min_value": message, "max_value": message},
        help_text=_("Local practice: 10 days within the city, 30 elsewhere, at most 90."),
        **kwargs,
    )


def _not_in_future(value: datetime.date | None) -> datetime.date | None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))
    return value


def _check_dues_month(month: datetime.date | None, issued_on: datetime.date | None):
    if month and issued_on and month > add_months(issued_on.replace(day=1), DUES_AHEAD_MONTHS):
        raise forms.ValidationError(_("Dues can be paid at most six months ahead; please check the month."))


def _letter_number_is_free(number: str) -> str:
    number = number.strip()
    if number and Transfer.objects.filter(letter_number=number).exists():
        raise forms.ValidationError(_("This letter number is already in the register."))
    return number


class TransferIssueForm(forms.Form):
    """Issue an introduction letter for a member: out of the building, or to another of its branches."""

    direction = forms.ChoiceField(
        label=_("Direction"),
        widget=forms.RadioSelect,
        initial=Transfer.Direction.OUT,
        choices=[
            (Transfer.Direction.OUT, _("Out of the building")),
            (Transfer.Direction.INTERNAL, _("To another branch of the building")),
        ],
    )
    to_organization = forms.ModelChoiceField(
        label=_("To branch"),
        queryset=PartyOrganization.objects.none(),
        required=False,
        help_text=_("For a transfer between the building's branches."),
    )
    to_name = forms.CharField(
        label=_("To organisation"),
        max_length=150,
        required=False,
        help_text=_("For a transfer out: the full name of the receiving party organisation."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=100, required=False, widget=forms.TextInput(attrs={"list": REASONS_LIST_ID})
    )
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE_WIDGET, initial=timezone.localdate)
    validity_days = validity_field(initial=default_validity_days)
    dues_paid_until = MonthField(label=_("Dues paid up to (month)"))
    letter_number = forms.CharField(
        label=_("Letter number"), max_length=40, required=False, help_text=_("Leave empty for the next number.")
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        # "党费已交到" on the letter: what the dues records say, unless the secretary types otherwise.
        self.fields["dues_paid_until"].initial = paid_up_to(member)
        self.fields["to_organization"].queryset = (
            PartyOrganization.objects.branches()
            .filter(building_id=member.organization.building_id)
            .exclude(pk=member.organization.branch_pk)
            .order_by("kind", "name")
        )

    def clean_letter_number(self):
        return _letter_number_is_free(self.cleaned_data["letter_number"])

    def clean(self):
        data = super().clean()
        direction = data.get("direction")
        if direction == Transfer.Direction.INTERNAL:
            data["to_name"] = ""
            if not data.get("to_organization") and "to_organization" not in self.errors:
                self.add_error("to_organization", _("Choose the branch the member moves to."))
        elif direction == Transfer.Direction.OUT:
            data["to_organization"] = None
            if not data.get("to_name", "").strip() and "to_name" not in self.errors:
                self.add_error("to_name", _("Enter the organisation the member transfers to."))
        try:
            _check_dues_month(data.get("dues_paid_until"), data.get("issued_on"))
        except forms.ValidationError as error:
            self.add_error("dues_paid_until", error)
        return data


class TransferInMemberForm(MemberForm):
    """The new member's record (the registration form) for a member arriving from outside the building."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"].label = _("Receiving branch")

    def clean_id_number(self):
        value = super().clean_id_number()
        if value and Member.objects.with_id_numbers(value).exists():
            raise forms.ValidationError(
                _(
                    "A member with this ID number is already in the register. A move between the building's "
                    "branches is an internal transfer issued from the member's record; to correct the record, "
                    "edit it."
                ),
                code="registered",
            )
        return value


class TransferInForm(forms.Form):
    """The letter the arriving member brings."""

    from_name = forms.CharField(
        label=_("From organisation"), max_length=150, help_text=_("The party organisation that issued the letter.")
    )
    letter_number = forms.CharField(label=_("Letter number"), max_length=40)
    issued_on = forms.DateField(label=_("Letter issued on"), widget=DATE_WIDGET)
    validity_days = validity_field()
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE_WIDGET, initial=timezone.localdate)
    dues_paid_until = MonthField(label=_("Dues paid up to (month)"), required=False)
    reason = forms.CharField(
        label=_("Reason"), max_length=100, required=False, widget=forms.TextInput(attrs={"list": REASONS_LIST_ID})
    )

    def clean_letter_number(self):
        return _letter_number_is_free(self.cleaned_data["letter_number"])

    def clean_reported_on(self):
        return _not_in_future(self.cleaned_data["reported_on"])

    def clean_issued_on(self):
        return _not_in_future(self.cleaned_data["issued_on"])

    def clean(self):
        data = super().clean()
        try:
            _check_dues_month(data.get("dues_paid_until"), data.get("issued_on"))
        except forms.ValidationError as error:
            self.add_error("dues_paid_until", error)
        return data


# --- the steps after issuing -----------------------------------------------------------------------------


class ReportForm(forms.Form):
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE_WIDGET, initial=timezone.localdate)

    def clean_reported_on(self):
        return _not_in_future(self.cleaned_data["reported_on"])


class ReceiptForm(forms.Form):
    returned_on = forms.DateField(label=_("Receipt returned on"), widget=DATE_WIDGET, initial=timezone.localdate)

    def clean_returned_on(self):
        return _not_in_future(self.cleaned_data["returned_on"])


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE_WIDGET, initial=timezone.localdate)


class CancelForm(forms.Form):
    cancel_reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class ExpireForm(forms.Form):
    """No fields: the letter's own dates decide."""


class ReissueForm(forms.Form):
    issued_on = forms.DateField(label=_("New letter issued on"), widget=DATE_WIDGET, initial=timezone.localdate)
    validity_days = validity_field()
    dues_paid_until = MonthField(label=_("Dues paid up to (month)"))

    def clean(self):
        data = super().clean()
        try:
            _check_dues_month(data.get("dues_paid_until"), data.get("issued_on"))
        except forms.ValidationError as error:
            self.add_error("dues_paid_until", error)
        return data


ACTION_FORMS = {
    "report": ReportForm,
    "receipt": ReceiptForm,
    "close": CloseForm,
    "cancel": CancelForm,
    "expire": ExpireForm,
    "reissue": ReissueForm,
}


def actions_possible(transfer: Transfer, today: datetime.date) -> list[str]:
    """The steps a manager can take now, in the order the page offers them."""
    status = transfer.status
    if status == Transfer.Status.ISSUED:
        steps = ["report", "cancel"]
        if transfer.is_past_validity(today):
            steps.insert(1, "expire")
        return steps
    if status == Transfer.Status.REPORTED:
        return ["receipt", "cancel"]
    if status == Transfer.Status.RECEIPTED:
        return ["close"]
    if status == Transfer.Status.EXPIRED and not hasattr(transfer, "reissued_as"):
        return ["reissue"]
    return []


def action_form(action: str, transfer: Transfer, data=None) -> forms.Form:
    """The form for one step, bound to ``data`` when given; the re-issue form starts from the old letter."""
    initial = {}
    if action == "reissue":
        initial = {
            "validity_days": transfer.validity_days,
            "dues_paid_until": paid_up_to(transfer.member) or transfer.dues_paid_until,
        }
    return ACTION_FORMS[action](data, initial=initial, prefix=action)


class TransferFilterForm(forms.Form):
    """The list's filters."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status"))] + Transfer.Status.choices
    )
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("", _("Any direction"))] + Transfer.Direction.choices
    )
    attention = forms.BooleanField(
        label=_("Needs attention"),
        required=False,
        help_text=_("Letters expiring within 7 days or past validity, receipts overdue."),
    )
