"""Forms for home visits and the hardship register: a visit, its follow-up, whom to visit (a bounded search, never
a list of everybody), a hardship record opened and closed, assistance, and the filters of the lists.

Field names match the keys of the services' ValidationErrors, so those land next to the right field.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.models import PartyOrganization, Role
from buildingparty.submissions import TOKEN_FIELD, OnceFormMixin
from members.forms import DATE_WIDGET

from . import selectors
from .models import Assistance, HardshipRecord, HomeVisit

OVERDUE, DUE, OPEN, DONE = "overdue", "due", "open", "done"


class VisitForm(OnceFormMixin, forms.ModelForm):
    """A visit already made. Whom it is to is chosen before (``PickForm``) and fixed: it is not on this form. A
    new visit (it may carry help money) is recorded once: its token; an edit carries none."""

    class Meta:
        model = HomeVisit
        fields = [
            "kind",
            "visited_on",
            "visitors",
            "family_contact",
            "found",
            "needs",
            "help_given",
            "help_amount",
            "follow_up_on",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "visited_on": DATE_WIDGET,
            "follow_up_on": DATE_WIDGET,
            "found": forms.Textarea(attrs={"rows": 3}),
            "needs": forms.Textarea(attrs={"rows": 2}),
            "help_given": forms.Textarea(attrs={"rows": 2}),
            "help_amount": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        }

    def __init__(self, *args, by=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.whom != HomeVisit.Whom.FAMILY:
            del self.fields["family_contact"]
        else:
            self.fields["family_contact"].required = True
        if self.instance.pk:
            del self.fields[TOKEN_FIELD]
        else:
            self.initial["visited_on"] = self.initial.get("visited_on") or timezone.localdate()
            if by is not None and not self.initial.get("visitors"):
                self.initial["visitors"] = by.display_name

    def clean_visited_on(self):
        visited_on = self.cleaned_data["visited_on"]
        if visited_on > timezone.localdate():
            raise forms.ValidationError(
                _("A visit is recorded once it has been made: the date cannot be in the future.")
            )
        return visited_on

    def clean_help_amount(self):
        amount = self.cleaned_data.get("help_amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("Leave the amount empty when no money or goods were given."))
        return amount

    def clean(self):
        data = super().clean()
        visited_on, follow_up_on = data.get("visited_on"), data.get("follow_up_on")
        if visited_on and follow_up_on and follow_up_on < visited_on:
            self.add_error("follow_up_on", _("The follow-up cannot be before the visit."))
        return data


class FollowUpDoneForm(forms.Form):
    note = forms.CharField(
        label=_("What came of it"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PickForm(forms.Form):
    """Whom to visit: a member, a mobile member's family or an enterprise, found by a search of at most
    ``selectors.PICK_LIMIT`` names."""

    whom = forms.ChoiceField(
        label=_("Visit to"), choices=HomeVisit.Whom.choices, initial=HomeVisit.Whom.MEMBER, required=False
    )
    q = forms.CharField(
        label=_("Search"),
        max_length=50,
        required=False,
        help_text=_("A name, pinyin initials (e.g. zs) or a phone number; for an enterprise its name or room."),
    )

    def choice(self) -> tuple[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("whom") or HomeVisit.Whom.MEMBER, (data.get("q") or "").strip()


class VisitFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or enterprise"), max_length=50, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of visit"), choices=[("", _("All kinds"))] + HomeVisit.Kind.choices, required=False
    )
    whom = forms.ChoiceField(label=_("Visit to"), choices=[("", _("Anybody"))] + HomeVisit.Whom.choices, required=False)
    follow_up = forms.ChoiceField(
        label=pgettext_lazy("visit", "Follow-up"),
        choices=[
            ("", _("Any")),
            (OVERDUE, _("Overdue")),
            (DUE, _("Due within a week")),
            (OPEN, _("Not yet done")),
            (DONE, _("Done")),
        ],
        required=False,
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=PartyOrganization.objects.none(),
        required=False,
        empty_label=_("All organisations"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.SECRETARY:  # her branch is all she has
            del self.fields["organization"]
        else:
            organizations = PartyOrganization.objects.for_user(user).exclude(kind=PartyOrganization.Kind.GROUP)
            self.fields["organization"].queryset = organizations.order_by("kind", "name")

    def filter(self, visits, today=None):
        if not self.is_valid():
            return visits
        today = today or timezone.localdate()
        data = self.cleaned_data
        q = data["q"].strip()
        if q:
            visits = visits.filter(Q(member__name__icontains=q) | Q(enterprise__name__icontains=q))
        if data["kind"]:
            visits = visits.filter(kind=data["kind"])
        if data["whom"]:
            visits = visits.filter(whom=data["whom"])
        follow_up = data["follow_up"]
        if follow_up == OVERDUE:
            visits = visits.follow_up_overdue(today)
        elif follow_up == DUE:
            visits = visits.follow_up_due(today)
        elif follow_up == OPEN:
            visits = visits.follow_up_open()
        elif follow_up == DONE:
            visits = visits.filter(follow_up_done_at__isnull=False)
        if data.get("organization"):
            visits = visits.filter(organization=data["organization"])
        return visits


class HardshipForm(forms.ModelForm):
    class Meta:
        model = HardshipRecord
        fields = ["since", "kind", "description"]
        widgets = {"since": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["since"] = self.initial.get("since") or timezone.localdate()

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise forms.ValidationError(_("The date the hardship began cannot be in the future."))
        return since


class HardshipCloseForm(forms.Form):
    resolved_on = forms.DateField(label=_("Resolved on"), widget=DATE_WIDGET)
    resolution = forms.CharField(
        label=_("How it was resolved"),
        max_length=200,
        required=False,
        help_text=_("e.g. 已重新就业, 病愈康复."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["resolved_on"] = self.initial.get("resolved_on") or timezone.localdate()


class HardshipFilterForm(forms.Form):
    CURRENT, RESOLVED, EVERYONE = "current", "resolved", "all"

    status = forms.ChoiceField(
        label=_("Show"),
        choices=[
            (CURRENT, _("In hardship now")),
            (RESOLVED, pgettext_lazy("hardship", "Resolved")),
            (EVERYONE, _("All records")),
        ],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind of hardship"), choices=[("", _("All kinds"))] + HardshipRecord.Kind.choices, required=False
    )

    def filter(self, records):
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or self.CURRENT
        if status == self.CURRENT:
            records = records.filter(status=HardshipRecord.Status.CURRENT)
        elif status == self.RESOLVED:
            records = records.filter(status=HardshipRecord.Status.RESOLVED)
        if data.get("kind"):
            records = records.filter(kind=data["kind"])
        return records


class AssistanceForm(OnceFormMixin, forms.ModelForm):
    """Help a member received (money or goods); recorded once however often the form is sent (its token)."""

    class Meta:
        model = Assistance
        fields = ["given_on", "what", "amount", "source", "source_name"]
        widgets = {
            "given_on": DATE_WIDGET,
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["given_on"] = self.initial.get("given_on") or timezone.localdate()

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError(_("Help is recorded once given: the date cannot be in the future."))
        return given_on

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("Leave the amount empty when no money was given."))
        return amount


class SummaryForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in selectors.years_offered()]

    def chosen_year(self) -> int:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("year") or timezone.localdate().year
