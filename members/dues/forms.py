"""Forms for party dues: recording a payment, excusing a month, a standard (declare, confirm, set, override,
the yearly round) and the pages' filters.

Forms check what a person typed; the rules about months, consent and amounts owed, and a standard's terms
(``check_terms``, ``check_override``), live in ``members.dues.services``; the forms call them so every mistake
shows next to its field before anything is written, and the services check again. Field names match the keys
of the services' ValidationErrors, so those land next to the right field.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext_lazy as _

from buildingparty.models import PartyOrganization, Role
from buildingparty.submissions import TOKEN_FIELD, OnceFormMixin
from members.dues.models import DuesBill, DuesKind, DuesPayment, DuesStandard
from members.dues.selectors import branches_for, in_branch
from members.dues.services import (
    DECLARE_AHEAD_YEARS,
    NO_DECISION,
    UNIT_PAYER,
    beyond_window,
    check_months,
    check_override,
    check_terms,
    unit_payer_error,
)
from members.forms import DATE_WIDGET, MonthField
from members.models import Member


class PaymentForm(OnceFormMixin, forms.Form):
    """Dues received for one member: how much, when, how, for which months (submitted once: its token)."""

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
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[c for c in DuesPayment.Method.choices if c[0] != DuesPayment.Method.NOT_RECORDED],
        initial=DuesPayment.Method.CASH,
    )
    payer_name = forms.CharField(
        label=_("Paying person"),
        max_length=50,
        required=False,
        help_text=_("The relative or party member who paid on the member's behalf (代交). Never an enterprise."),
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
        help_text=_("e.g. 支委会 2026-03-05 同意按季度交纳"),
    )
    partial = forms.BooleanField(
        label=_("Record as a partial payment"),
        required=False,
        help_text=_("Only when the member paid less than the chosen months owe; the rest stays owed."),
    )
    decision_by = forms.CharField(
        label=_("Decided by"),
        max_length=100,
        required=False,
        help_text=_("Months more than six back or ahead need a decision of the branch, e.g. 第一党支部支委会."),
    )
    decision_on = forms.DateField(label=_("Decided on"), widget=DATE_WIDGET, required=False)
    decision_reason = forms.CharField(label=_("Reason for the decision"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

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
            today = timezone.localdate()
            decision = {
                "decision_by": data.get("decision_by", "").strip(),
                "decision_on": data.get("decision_on"),
                "decision_reason": data.get("decision_reason", "").strip(),
            }
            if not beyond_window(first, last, today):
                decision = dict(NO_DECISION)
            errors = check_months(
                member=self.member,
                first_month=first,
                last_month=last,
                decision=decision,
                consent=bool(data.get("consent")),
                today=today,
            )
            for field, message in errors.items():
                if field not in self.errors:
                    self.add_error(field, message)
        if self.data.get("payer_enterprise"):
            # An old form or a hand-made request naming an enterprise: refused, never silently dropped.
            self.add_error(None, UNIT_PAYER)
        if data.get("method") == DuesPayment.Method.PROXY:
            name = data.get("payer_name", "").strip()
            if not name:
                self.add_error(
                    "payer_name", _("Name the relative or party member who paid on the member's behalf (代交).")
                )
            elif refusal := unit_payer_error(member=self.member, payer_name=name):
                self.add_error("payer_name", refusal)
        else:
            data["payer_name"] = ""
        return data

    def service_arguments(self, by) -> dict:
        """The keyword arguments of ``record_payment``: consent is given by the person recording it."""
        data = dict(self.cleaned_data)
        data.pop(TOKEN_FIELD, None)
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


def state_conditions() -> dict:
    """Each state of ``DuesBill.state`` as a condition on bills (for a filter or a ``Count(filter=...)``)."""
    from django.db.models import F, Q

    return {
        "paid": Q(paid_amount__gte=F("amount")),
        "excused": Q(paid_amount__lt=F("amount")) & ~Q(excused_reason=""),
        "partial": Q(paid_amount__lt=F("amount"), paid_amount__gt=0, excused_reason=""),
        "unpaid": Q(paid_amount=0, amount__gt=0, excused_reason=""),
    }


def filter_state(bills, state: str):
    """Bills in one state (see ``DuesBill.state``), as a queryset filter."""
    condition = state_conditions().get(state)
    return bills if condition is None else bills.filter(condition)


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


# --- standards and the reports' filters ----------------------------------------------------------------

MONTHS = list(MONTH_NAMES.items())


def _model_field(name: str, **kwargs):
    """A form field with the model field's label and help text (the base's lists the excluded items)."""
    return DuesStandard._meta.get_field(name).formfield(**kwargs)


def year_choices(*years: int) -> list[int]:
    """The years a chooser offers: last year to next year, and any others asked for, newest first."""
    this_year = timezone.localdate().year
    return sorted({this_year - 1, this_year, this_year + 1, *years}, reverse=True)


def add_errors(form: forms.Form, error: ValidationError):
    """A rule's errors next to their fields; those of fields not shown (the year) at the top of the form."""
    for field, errors in error.error_dict.items():
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        form.add_error(field if shown else None, errors)


# --- a standard's terms -------------------------------------------------------------------------------------


class StandardForm(forms.Form):
    """Kind, monthly base and who pays, for the member's own declaration and for the secretary.

    ``with_note`` adds the secretary's note (required when a confirmed amount changes within the year).
    """

    kind = _model_field("kind", widget=forms.RadioSelect)
    declared_base = _model_field("declared_base")
    payer = _model_field("payer", widget=forms.RadioSelect)
    payer_name = _model_field(
        "payer_name",
        required=False,
        help_text=_("The relative or party member who pays on the member's behalf (代交). Never an enterprise."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Why the standard is set or changed; kept in the member's history."),
    )

    def __init__(self, *args, member: Member, year: int, with_note: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.member, self.year = member, year
        self.fields["kind"].choices = DuesKind.choices
        self.fields["declared_base"].required = False
        self.fields["declared_base"].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0"})
        if not with_note:
            del self.fields["note"]

    def clean(self):
        data = super().clean()
        if self.data.get("payer") == "enterprise" or self.data.get("payer_enterprise"):
            # An enterprise named as the payer (an old form, a hand-made request): the rule, not "invalid choice".
            self.errors.pop("payer", None)
            self.add_error("payer", UNIT_PAYER)
        if self.errors:
            return data
        try:
            data.update(
                check_terms(
                    member=self.member,
                    year=self.year,
                    kind=data["kind"],
                    declared_base=data.get("declared_base"),
                    payer=data["payer"],
                    payer_name=data.get("payer_name", ""),
                )
            )
        except ValidationError as error:
            add_errors(self, error)
        return data

    def terms(self) -> dict:
        """The cleaned values as the services take them."""
        keys = ("kind", "declared_base", "payer", "payer_name")
        return {k: self.cleaned_data.get(k) for k in keys} | {"payer_name": self.cleaned_data.get("payer_name") or ""}

    @classmethod
    def initial_for(cls, standard: DuesStandard | None) -> dict:
        if standard is None:
            return {"kind": DuesKind.EMPLOYED, "payer": DuesStandard.Payer.SELF}
        return {
            "kind": standard.kind,
            "declared_base": standard.declared_base,
            "payer": standard.payer,
            "payer_name": standard.payer_name,
        }


class DeclareForm(StandardForm):
    """The member's own declaration, for this year or the next."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, widget=forms.HiddenInput)

    field_order = ["year", "kind", "declared_base", "payer", "payer_name"]

    def __init__(self, *args, member: Member, year: int, **kwargs):
        super().__init__(*args, member=member, year=year, **kwargs)
        this_year = timezone.localdate().year
        years = range(this_year, this_year + DECLARE_AHEAD_YEARS + 1)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].initial = year

    def clean(self):
        if "year" in self.cleaned_data:
            self.year = self.cleaned_data["year"]
        return super().clean()


class OverrideForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Agreed monthly amount (yuan)"),
        max_digits=8,
        decimal_places=2,
        min_value=0,
        help_text=DuesStandard._meta.get_field("override_amount").help_text,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    approved_by = forms.CharField(
        label=DuesStandard._meta.get_field("override_approved_by").verbose_name,
        max_length=100,
        help_text=DuesStandard._meta.get_field("override_approved_by").help_text,
    )

    def __init__(self, *args, standard: DuesStandard, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = standard

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                check_override(
                    self.standard, amount=data["amount"], reason=data["reason"], approved_by=data["approved_by"]
                )
            except ValidationError as error:
                add_errors(self, error)
        return data


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


# --- filters ------------------------------------------------------------------------------------------------


class BranchChoiceField(forms.ModelChoiceField):
    """A branch; street viewers, who see every building, read the building's name with it."""

    def label_from_instance(self, obj):
        return f"{obj.building.name} · {obj.name}" if self.show_building else obj.name


class YearForm(forms.Form):
    """The year a page is about (this year unless another is asked for). The reports take their branch from
    the address themselves (``views.dues_reports``): another branch's is not found, never silently ignored."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def chosen_year(self) -> int:
        """The year asked for (even when another filter is mistyped), else this year."""
        if self.is_bound:
            self.is_valid()  # cleans every field: a mistyped one leaves the others' values
            if self.cleaned_data.get("year"):
                return self.cleaned_data["year"]
        return timezone.localdate().year


class StandardFilterForm(YearForm):
    MISSING = "missing"

    branch = BranchChoiceField(
        label=_("Branch"), queryset=PartyOrganization.objects.none(), required=False, empty_label=_("All branches")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *DuesStandard.Status.choices, (MISSING, _("No standard for the year"))],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *DuesKind.choices])

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["branch"].queryset = branches_for(user)
        self.fields["branch"].show_building = user.role == Role.STREET

    def narrows(self) -> bool:
        """Whether ``filter`` leaves out any member (a branch, a status or a kind is chosen)."""
        return self.is_valid() and any(self.cleaned_data[name] for name in ("branch", "status", "kind"))

    def filter(self, members, year: int):
        """Apply the filters to paying members (already scoped) for ``year``."""
        if not self.is_valid():
            return members
        data = self.cleaned_data
        if data["branch"]:
            members = members.filter(in_branch(data["branch"]))
        of_year = DuesStandard.objects.filter(year=year)
        if data["status"] == self.MISSING:
            members = members.exclude(pk__in=of_year.values("member_id"))
        elif data["status"]:
            members = members.filter(pk__in=of_year.filter(status=data["status"]).values("member_id"))
        if data["kind"]:
            members = members.filter(pk__in=of_year.filter(kind=data["kind"]).values("member_id"))
        return members


class LedgerFilterForm(YearForm):
    """Year and month (empty: the whole year) of the ledger and its export."""

    month = forms.TypedChoiceField(
        label=_("Month"), required=False, coerce=int, empty_value=None, choices=[("", _("Whole year")), *MONTHS]
    )

    def chosen_month(self) -> int | None:
        """The month asked for; the current month when none was asked (an empty choice is the whole year)."""
        if self.data.get("month") is None:
            today = timezone.localdate()
            return today.month if self.chosen_year() == today.year else None
        self.is_valid()
        return self.cleaned_data.get("month")

    def filters(self, branch: PartyOrganization | None = None) -> dict:
        """The filters in use, as plain values (recorded with an export)."""
        month = self.chosen_month()
        return (
            {"year": self.chosen_year()}
            | ({"month": month} if month else {})
            | ({"branch": branch.name} if branch else {})
        )
