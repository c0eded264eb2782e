"""Forms for dues standards (declare, confirm, set, override, the yearly round) and the dues reports' filters.

The rules of a standard live in ``members.dues_standards`` (``check_terms``, ``check_override``); the forms
call them so every mistake shows next to its field before anything is written, and the services check again.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext_lazy as _

from buildingparty.models import PartyOrganization, Role
from enterprises.models import Enterprise

from .dues_models import DuesKind, DuesStandard
from .dues_report_selectors import branches_for, in_branch
from .dues_standards import DECLARE_AHEAD_YEARS, check_override, check_terms
from .models import Member

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
    payer_enterprise = forms.ModelChoiceField(
        label=DuesStandard._meta.get_field("payer_enterprise").verbose_name,
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=_("For dues paid by the member's enterprise (代缴)."),
    )
    payer_name = _model_field("payer_name", required=False, help_text=_("For dues paid by another person (代缴)."))
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
        self.fields["payer_enterprise"].queryset = Enterprise.objects.filter(
            building_id=member.organization.building_id, status=Enterprise.Status.ACTIVE
        ).order_by("name")
        if not with_note:
            del self.fields["note"]

    def clean(self):
        data = super().clean()
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
                    payer_enterprise=data.get("payer_enterprise"),
                    payer_name=data.get("payer_name", ""),
                )
            )
        except ValidationError as error:
            add_errors(self, error)
        return data

    def terms(self) -> dict:
        """The cleaned values as the services take them."""
        keys = ("kind", "declared_base", "payer", "payer_enterprise", "payer_name")
        return {k: self.cleaned_data.get(k) for k in keys} | {"payer_name": self.cleaned_data.get("payer_name") or ""}

    @classmethod
    def initial_for(cls, standard: DuesStandard | None) -> dict:
        if standard is None:
            return {"kind": DuesKind.EMPLOYED, "payer": DuesStandard.Payer.SELF}
        return {
            "kind": standard.kind,
            "declared_base": standard.declared_base,
            "payer": standard.payer,
            "payer_enterprise": standard.payer_enterprise_id,
            "payer_name": standard.payer_name,
        }


class DeclareForm(StandardForm):
    """The member's own declaration, for this year or the next."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, widget=forms.HiddenInput)

    field_order = ["year", "kind", "declared_base", "payer", "payer_enterprise", "payer_name"]

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
