"""Forms for the building survey (调查摸底): campaigns, the visit with its five clears, follow-ups and leads.

The visit form is filled in on a phone on the spot, so its widgets ask for the keyboard that fits (numbers
for counts, tel for phones) and the owner's attitude is a set of large radio buttons rather than a dropdown.
"""

import datetime

from django import forms
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.models import Role, User
from enterprises.models import Enterprise

from .models import FollowUp, SurveyCampaign, SurveyLead, SurveyVisit
from .selectors import COMPLETE, INCOMPLETE, NOT_VISITED, survey_states

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_in_future(value: datetime.date | None) -> datetime.date | None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))
    return value


class CampaignForm(forms.ModelForm):
    class Meta:
        model = SurveyCampaign
        fields = ["name", "starts_on", "ends_on", "status", "working_group"]
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "working_group": forms.Textarea(attrs={"rows": 3}),
            "name": forms.TextInput(attrs={"placeholder": _("e.g. 2026 building survey")}),
        }

    def __init__(self, *args, building, **kwargs):
        super().__init__(*args, **kwargs)
        self.building = building

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = SurveyCampaign.objects.filter(building=self.building, name=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("The building already has a campaign with this name."))
        return name

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        return data


class VisitForm(forms.ModelForm):
    """The visit and the five clears (五清)."""

    owner_attitude = forms.ChoiceField(
        label=_("owner's attitude"),
        choices=Enterprise.Attitude.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
        help_text=_("“Not yet known” leaves this clear open."),
    )

    class Meta:
        model = SurveyVisit
        fields = [
            "visited_on",
            "visitors",
            "met_with",
            "enterprise_situation",
            "members_found",
            "relationships_note",
            "members_thinking",
            "owner_attitude",
            "attitude_note",
        ]
        widgets = {
            "visited_on": DATE_WIDGET,
            "enterprise_situation": forms.Textarea(attrs={"rows": 3}),
            "members_found": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric", "pattern": "[0-9]*"}),
            "relationships_note": forms.Textarea(attrs={"rows": 3}),
            "members_thinking": forms.Textarea(attrs={"rows": 3}),
            "attitude_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "members_found": _("Leave empty if you could not find out; 0 if there are none."),
            "members_thinking": _("How they see the party and its work; what they hope for."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.initial.get("visited_on"):
            self.initial["visited_on"] = timezone.localdate()

    def clean_visited_on(self):
        return _not_in_future(self.cleaned_data["visited_on"])


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["action", "due_on", "assigned_to"]
        widgets = {"due_on": DATE_WIDGET}
        labels = {"action": _("What needs doing")}

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if assignees is not None:
            self.fields["assigned_to"].queryset = assignees


class LeadForm(forms.ModelForm):
    class Meta:
        model = SurveyLead
        fields = ["name", "phone", "relationship_location", "note"]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"name": pgettext_lazy("person", "name")}
        help_texts = {"note": _("e.g. whether they are willing to transfer their relationship here.")}


# A visit records a handful of follow-ups and leads; a posted TOTAL_FORMS above the cap is a form error, not
# work (absolute_max stops Django building the forms at all).
MAX_FOLLOW_UPS = 20
MAX_LEADS = 50
FollowUpFormSet = inlineformset_factory(
    SurveyVisit,
    FollowUp,
    form=FollowUpForm,
    extra=1,
    can_delete=False,
    min_num=0,
    validate_min=False,
    max_num=MAX_FOLLOW_UPS,
    absolute_max=MAX_FOLLOW_UPS,
    validate_max=True,
)
LeadFormSet = inlineformset_factory(
    SurveyVisit,
    SurveyLead,
    form=LeadForm,
    extra=1,
    can_delete=False,
    min_num=0,
    validate_min=False,
    max_num=MAX_LEADS,
    absolute_max=MAX_LEADS,
    validate_max=True,
)


def assignees_for(building_id, *, keep_from: SurveyVisit | None = None):
    """Who a follow-up can be given to: the building's admins, secretaries and liaisons. Editing a visit keeps
    whoever its follow-ups are already given to, even if their account has since been closed."""
    people = Q(building_id=building_id, is_active=True, role__in=[Role.ADMIN, Role.SECRETARY, Role.LIAISON])
    if keep_from is not None and keep_from.pk:
        people |= Q(pk__in=keep_from.follow_ups.values("assigned_to"))
    return User.objects.filter(people).order_by("role", "name", "username")


class FollowUpDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE_WIDGET, initial=timezone.localdate)
    outcome = forms.CharField(label=_("Outcome"), max_length=200)

    def clean_done_on(self):
        return _not_in_future(self.cleaned_data["done_on"])


class LeadCloseForm(forms.Form):
    close_reason = forms.CharField(
        label=_("Reason for closing"),
        max_length=200,
        help_text=_("e.g. has left the enterprise; relationship already in the building; could not be reached."),
    )


STATE_CHOICES = [
    ("", _("All")),
    (NOT_VISITED, _("Not yet visited")),
    (INCOMPLETE, _("Five clears incomplete")),
    (COMPLETE, _("Five clears complete")),
]


class ProgressFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Survey state"), choices=STATE_CHOICES, required=False)
    floor = forms.TypedChoiceField(label=_("Floor"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, floors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["floor"].choices = [("", _("All floors"))] + [(f, str(f)) for f in floors]

    def filter(self, enterprises, campaign: SurveyCampaign):
        """The campaign's enterprises in the state and on the floor chosen."""
        if not self.is_valid():
            return enterprises
        state, floor = self.cleaned_data["state"], self.cleaned_data["floor"]
        if state:
            enterprises = enterprises.filter(survey_states(campaign)[state])
        if floor is not None:
            enterprises = enterprises.filter(floor=floor)
        return enterprises


class LeadFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status"))] + SurveyLead.Status.choices, required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=SurveyCampaign.objects.none(), required=False, empty_label=_("All campaigns")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = SurveyCampaign.objects.for_user(user)
