"""Forms for the reception point: recording a walk-in and choosing the category of the request it becomes."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.submissions import TOKEN_FIELD, OnceFormMixin
from members.forms import MemberSearchField
from members.models import Member

from .forms import CategoryChoiceField
from .models import ReceptionVisit, ServiceCategory

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ReceptionVisitForm(OnceFormMixin, forms.ModelForm):
    """Who came, when, how to reach them, what about, and what was done there and then (recorded once: the
    form's token; ``service_kwargs`` leaves it out)."""

    member = MemberSearchField(
        required=False,
        label=ReceptionVisit._meta.get_field("member").verbose_name,
        help_text=_("If the visitor is a party member of the building, choose them; the name fills in itself."),
    )

    class Meta:
        model = ReceptionVisit
        fields = ["visited_at", "visitor_name", "member", "phone", "topic", "outcome"]
        widgets = {"visited_at": DATETIME_WIDGET, "outcome": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "outcome": _("What was answered or done at the visit."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["visited_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["visitor_name"].required = False
        self.fields["member"].queryset = Member.objects.for_user(user).select_related("organization")

    def clean_visited_at(self):
        value = self.cleaned_data["visited_at"]
        if value and value > timezone.now() + datetime.timedelta(minutes=5):
            raise forms.ValidationError(_("This time is in the future."))
        return value

    def clean(self):
        data = super().clean()
        if not (data.get("visitor_name") or "").strip() and not data.get("member"):
            self.add_error("visitor_name", _("Enter the visitor's name or choose a member."))
        return data

    def service_kwargs(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != TOKEN_FIELD}


class ToRequestForm(forms.Form):
    category = CategoryChoiceField(label=pgettext_lazy("service", "Category"), queryset=ServiceCategory.objects.none())

    def __init__(self, *args, building_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ServiceCategory.objects.filter(building_id=building_id, active=True)
