"""Forms for study: a session with its participants, and the filters of the session list and the hours page.

Field names match the keys of ``services.session_save``'s ValidationErrors, so those land next to the right field.
"""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import PartyOrganization, Role
from members.forms import DATE_WIDGET

from . import selectors
from .models import StudySession
from .services import MATERIAL_TYPES, check_material

BEHIND, EVERYONE = "behind", "all"


class ParticipantsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member):
        return member.name if member.is_active_member else f"{member.name}（{member.get_whereabouts_display()}）"


class SessionForm(forms.ModelForm):
    """A study session already held, and who took part: a box to tick for each of the names offered (one
    branch's members at most, ``selectors.participant_candidates``)."""

    participants = ParticipantsField(
        label=_("Who took part"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Each member ticked earns the session's hours."),
    )

    class Meta:
        model = StudySession
        fields = ["kind", "topic", "held_on", "hours", "led_by", "place", "materials", "material_file"]
        widgets = {
            "kind": forms.RadioSelect,
            "held_on": DATE_WIDGET,
            "hours": forms.NumberInput(attrs={"step": "0.1", "min": "0.1", "max": "24", "inputmode": "decimal"}),
            "materials": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, data=None, files=None, *, candidates, **kwargs):
        super().__init__(data, files, **kwargs)
        self.fields["participants"].queryset = candidates
        if self.instance.pk:
            taking_part = set(self.instance.participations.values_list("member_id", flat=True))
            self.initial["participants"] = [m.pk for m in candidates if m.pk in taking_part]
        elif not self.initial.get("held_on"):
            self.initial["held_on"] = timezone.localdate()
        self.fields["material_file"].widget.attrs["accept"] = ",".join(MATERIAL_TYPES)
        self.fields["material_file"].help_text = _(
            "Optional: the slides or text studied (PDF, Word, PowerPoint, JPG or PNG, at most 10 MB). Only those "
            "who can see the session can open it."
        )

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(
                _("A study session is recorded once it has been held: the date cannot be in the future.")
            )
        return held_on

    def clean_material_file(self):
        file = self.cleaned_data.get("material_file")
        if isinstance(file, UploadedFile):
            check_material(file)
        return file


class BranchPickForm(forms.Form):
    """For a session of the general branch: whose names to tick, one branch at a time."""

    branch = forms.ModelChoiceField(
        label=_("Members of"),
        queryset=PartyOrganization.objects.none(),
        required=False,
        empty_label=_("The general branch itself"),
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


def organization_choices(user):
    """The organisations in the user's reach, the general branch first, then branches and their groups."""
    return PartyOrganization.objects.for_user(user).select_related("building").order_by("building", "kind", "name")


class SessionFilterForm(forms.Form):
    """The session list's filters."""

    kind = forms.ChoiceField(
        label=_("Form of study"), choices=[("", _("All forms"))] + StudySession.Kind.choices, required=False
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=PartyOrganization.objects.none(),
        required=False,
        empty_label=_("All organisations"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organization_choices(user)
        years = selectors.years_offered(user.building_id)
        self.fields["year"].choices = [("", _("All years"))] + [(y, y) for y in years]

    def filter(self, sessions):
        if not self.is_valid():
            return sessions
        data = self.cleaned_data
        if data["kind"]:
            sessions = sessions.filter(kind=data["kind"])
        if data["year"]:
            sessions = sessions.filter(held_on__year=data["year"])
        if data["organization"]:
            sessions = sessions.filter(organization=data["organization"])
        return sessions


def hours_organizations(user):
    """The organisations whose members' hours a user may list: branches and party groups in reach."""
    return organization_choices(user).exclude(kind=PartyOrganization.Kind.GENERAL_BRANCH)


class HoursFilterForm(forms.Form):
    """The hours page: one organisation's members, one year; only those behind, or everybody."""

    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=PartyOrganization.objects.none(), required=False, empty_label=None
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    show = forms.ChoiceField(
        label=_("Show"),
        choices=[(BEHIND, _("Members behind")), (EVERYONE, _("All members"))],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The organisations are read once: the select is drawn from this list (a queryset would be read again
        # for the select and for its first option) and the default is picked from it.
        organizations = list(hours_organizations(user))
        self.fields["organization"].queryset = hours_organizations(user)  # what a choice is checked against
        self.fields["organization"].choices = [(o.pk, str(o)) for o in organizations]
        self.fields["year"].choices = [(y, y) for y in selectors.years_offered(user.building_id)]
        # A secretary opens the page to see who needs a word; others, to see everybody.
        self.default_show = BEHIND if user.role == Role.SECRETARY else EVERYONE
        self.fields["show"].initial = self.default_show
        # The secretary's own branch, else the first organisation offered.
        if user.role == Role.SECRETARY and user.organization_id:
            own = [o for o in organizations if o.pk == user.organization_id]
            self.default_organization = own[0] if own else user.organization
        else:
            self.default_organization = organizations[0] if organizations else None
        self.fields["organization"].initial = self.default_organization

    def choice(self) -> dict:
        """The organisation, year and what to show: as chosen, else the defaults."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "organization": data.get("organization") or self.default_organization,
            "year": data.get("year") or timezone.localdate().year,
            "show": data.get("show") or self.default_show,
        }
