"""Forms for party dues: recording a payment, excusing a month, and the pages' filters.

Forms check what a person typed; the rules about months, consent and amounts owed live in
``members.dues_services``. Field names match the keys of the services' ValidationErrors, so those land next to
the right field.
"""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import PartyOrganization
from enterprises.models import Enterprise

from .dues_models import DuesBill, DuesPayment
from .forms import DATE_WIDGET
from .transfer_forms import MonthField


class PaymentForm(forms.Form):
    """Dues received for one member: how much, when, how, for which months."""

    first_month = MonthField(label=_("From month"))
    last_month = MonthField(label=_("To month"), help_text=_("The same month for a single month's dues."))
    amount = forms.DecimalField(
        label=_("Amount received (yuan)"),
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        error_messages={
            "min_value": _("Enter the amount received, more than 0 yuan."),
            "max_decimal_places": _("Enter the amount in yuan with at most two decimals (fen)."),
        },
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_WIDGET, initial=timezone.localdate)
    method = forms.ChoiceField(label=_("Method"), choices=DuesPayment.Method.choices, initial=DuesPayment.Method.CASH)
    payer_enterprise = forms.ModelChoiceField(
        label=_("Paying enterprise"), queryset=Enterprise.objects.none(), required=False
    )
    payer_name = forms.CharField(
        label=_("Paying person"),
        max_length=50,
        required=False,
        help_text=_("For 代缴 by a person, or to name who paid for the enterprise."),
    )
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=50, required=False)
    consent = forms.BooleanField(
        label=_("The branch agreed to this payment for several months"),
        required=False,
        help_text=_("Paying quarterly, back-paying or paying ahead (at most six months) needs the branch's consent."),
    )
    consent_note = forms.CharField(
        label=_("Consent"),
        max_length=200,
        required=False,
        help_text=_("e.g. 支委会 2026-03-05 同意按季度缴纳"),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["payer_enterprise"].queryset = Enterprise.objects.filter(
            building_id=member.organization.building_id
        ).order_by("name")

    def clean_paid_on(self):
        value = self.cleaned_data["paid_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return value

    def clean_receipt_number(self):
        number = self.cleaned_data["receipt_number"].strip()
        if number and DuesPayment.objects.filter(receipt_number=number).exists():
            raise forms.ValidationError(_("This receipt number is already in the records."))
        return number

    def clean(self):
        data = super().clean()
        first, last = data.get("first_month"), data.get("last_month")
        if first and last:
            if last < first:
                self.add_error("last_month", _("The last month comes before the first."))
            elif last > first and not data.get("consent"):
                self.add_error(
                    "consent", _("Paying for several months at once needs the branch's consent. Record who agreed.")
                )
        if data.get("method") == DuesPayment.Method.PROXY:
            if not data.get("payer_enterprise") and not data.get("payer_name", "").strip():
                self.add_error("payer_name", _("Name the enterprise or the person who paid on the member's behalf."))
        else:
            data["payer_enterprise"], data["payer_name"] = None, ""
        return data

    def service_arguments(self, by) -> dict:
        """The keyword arguments of ``record_payment``: consent is given by the person recording it."""
        data = dict(self.cleaned_data)
        consent = data.pop("consent")
        data["consent_by"] = by if consent else None
        if not consent:
            data["consent_note"] = ""
        return data


class ExcuseForm(forms.Form):
    excused_reason = forms.CharField(
        label=_("Valid reason"),
        max_length=200,
        required=False,
        help_text=_("e.g. an approved deferral. Leave empty to withdraw it."),
    )


STATE_CHOICES = [
    ("", _("Any state")),
    ("unpaid", _("Unpaid")),
    ("partial", _("Partly paid")),
    ("paid", _("Paid")),
    ("excused", _("Excused")),
]


def branch_choices(user):
    return (
        PartyOrganization.objects.for_user(user)
        .exclude(kind=PartyOrganization.Kind.GENERAL_BRANCH)
        .order_by("kind", "name")
    )


class MonthFilterForm(forms.Form):
    """The month page's filters."""

    month = MonthField(label=_("Month"), required=False)
    organization = forms.ModelChoiceField(
        label=_("Branch"), queryset=PartyOrganization.objects.none(), required=False, empty_label=_("All branches")
    )
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = branch_choices(user)


def filter_state(bills, state: str):
    """Bills in one state (see ``DuesBill.state``), as a queryset filter."""
    from django.db.models import F

    if state == "paid":
        return bills.filter(paid_amount__gte=F("amount"))
    if state == "excused":
        return bills.filter(paid_amount__lt=F("amount")).exclude(excused_reason="")
    if state == "partial":
        return bills.filter(paid_amount__lt=F("amount"), paid_amount__gt=0, excused_reason="")
    if state == "unpaid":
        return bills.filter(paid_amount=0, amount__gt=0, excused_reason="")
    return bills


class ArrearsFilterForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Branch"), queryset=PartyOrganization.objects.none(), required=False, empty_label=_("All branches")
    )
    min_months = forms.TypedChoiceField(
        label=_("Unpaid months"),
        coerce=int,
        required=False,
        empty_value=1,
        choices=[("", _("1 or more")), ("3", _("3 or more")), ("6", _("6 or more"))],
    )
    candidates = forms.BooleanField(label=_("Only candidates (6 consecutive months)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = branch_choices(user)


BILL_STATES = {
    "paid": ("success", _("Paid")),
    "partial": ("warning", _("Partly paid")),
    "unpaid": ("danger", _("Unpaid")),
    "excused": ("secondary", _("Excused")),
}


def bill_state(bill: DuesBill) -> tuple[str, str]:
    """(Bootstrap colour, label) for a bill's state."""
    return BILL_STATES[bill.state]
