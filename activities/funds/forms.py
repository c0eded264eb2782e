from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Building, Role
from buildingparty.submissions import TOKEN_FIELD, OnceFormMixin
from enterprises.forms import EnterpriseSearchField
from enterprises.models import Enterprise

from .models import FundEntry

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FundEntryForm(OnceFormMixin, forms.ModelForm):
    """One ledger line. The model's clean() says which fields income and expense need. A new line is submitted
    once (its token); an edit carries no token."""

    enterprise = EnterpriseSearchField(
        required=False,
        active_only=True,
        label=FundEntry._meta.get_field("enterprise").verbose_name,
        help_text=_("For an enterprise sponsorship."),
    )

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
        }

    def __init__(self, *args, building: Building, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.building = building
            self.initial.setdefault("date", timezone.localdate())
        else:
            del self.fields[TOKEN_FIELD]
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
