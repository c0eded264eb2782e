import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Building, Role
from enterprises.models import Enterprise

from .models import FundEntry, LetterTemplate

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- letters ------------------------------------------------------------------------------------------------


class LetterTemplateForm(forms.ModelForm):
    """A letter's text; the model's clean() rejects merge fields the audience does not have."""

    class Meta:
        model = LetterTemplate
        fields = ["title", "audience", "body", "signature"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "spellcheck": "false"})}
        help_texts = {
            "body": _(
                "One line is one paragraph. Merge fields in braces are replaced for each recipient, "
                "e.g. {姓名}, {企业}, {房间}. About 1,000 characters fit on one A4 page."
            ),
        }

    def __init__(self, *args, building: Building, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.building = building

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        # The building is not a form field, so the model's unique constraint is not checked by the form.
        clash = LetterTemplate.objects.filter(building_id=self.instance.building_id, title=title)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The building already has a letter with this title."))
        return title


class LetterDateForm(forms.Form):
    """The date printed under the signature."""

    date = forms.DateField(
        label=_("Date on the letters"), required=False, widget=DATE_WIDGET, help_text=_("Today when left empty.")
    )

    def letter_date(self) -> datetime.date:
        if self.is_valid() and self.cleaned_data["date"]:
            return self.cleaned_data["date"]
        return timezone.localdate()


# --- the funding ledger -------------------------------------------------------------------------------------


class FundEntryForm(forms.ModelForm):
    """One ledger line. The model's clean() says which fields income and expense need."""

    class Meta:
        model = FundEntry
        fields = [
            "date",
            "direction",
            "amount",
            "description",
            "source",
            "enterprise",
            "purpose",
            "voucher_number",
            "approver",
        ]
        widgets = {
            "date": DATE_WIDGET,
            "direction": forms.RadioSelect,
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        }
        help_texts = {
            "description": _("What it was, e.g. 2026年度党建经费拨付, 七一主题党日活动用品."),
            "voucher_number": _("Needed for an expense."),
            "approver": _("Needed for an expense."),
            "enterprise": _("For an enterprise sponsorship."),
        }

    def __init__(self, *args, building: Building, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.building = building
            self.initial.setdefault("date", timezone.localdate())
        self.fields["direction"].choices = FundEntry.Direction.choices  # no empty choice for the radios
        # Enterprises of the ledger's building: those in it now, and the one already on the entry.
        enterprises = Enterprise.objects.filter(building=self.instance.building)
        current = self.instance.enterprise_id
        self.fields["enterprise"].queryset = (
            enterprises.filter(status=Enterprise.Status.ACTIVE)
            | (enterprises.filter(pk=current) if current else enterprises.none())
        ).order_by("name")


class LedgerForm(forms.Form):
    """The year to show and, for street viewers who see every building, the building."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=Building.objects.none(), required=False, empty_label=None
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        if user.role == Role.STREET:
            self.fields["building"].queryset = Building.objects.order_by("name")
        else:
            del self.fields["building"]

    def chosen_year(self) -> int:
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return timezone.localdate().year

    def chosen_building(self) -> Building | None:
        if self.user.role != Role.STREET:
            return self.user.building
        if self.is_valid() and self.cleaned_data.get("building"):
            return self.cleaned_data["building"]
        return self.fields["building"].queryset.first()
