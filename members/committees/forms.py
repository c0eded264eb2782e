"""Forms for committees: recording an election with its seats, a post taken or ended mid-term.

A member is typed, not picked from a list of the whole building: her name (with her mobile number after it when
two share the name), looked up among the organisation's members. Forms check what was typed;
``members.committees.services`` checks the rules again and acts. Field names match the services' error keys.
"""

from collections import Counter

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.forms import DATE_WIDGET
from members.models import Member

from .models import MAX_TERM_YEARS, MIN_TERM_YEARS, CommitteeSeat
from .services import term_years_message

MAX_SEATS = 15  # a general branch's committee is at most a handful; fifteen rows leave room for any
DATALIST_LIMIT = 300  # name suggestions for one branch's members; a larger tree gets none (type the name)
DATALIST_ID = "committee-candidates"


class MemberField(forms.CharField):
    """A member of ``candidates`` by name, "name mobile", or mobile alone; None when left empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("label", _("Party member"))
        kwargs.setdefault("help_text", _("The name; when two members share it, the name and the mobile number."))
        super().__init__(**kwargs)
        self.candidates = Member.objects.none()
        self.widget.attrs.update({"list": DATALIST_ID, "autocomplete": "off"})

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        parts = text.split()
        name, phone = text, ""
        if len(parts) > 1 and parts[-1].isdigit():
            name, phone = "".join(parts[:-1]), parts[-1]
        elif text.isdigit():
            name, phone = "", text
        found = self.candidates
        if name:
            found = found.filter(name=name)
        if phone:
            found = found.filter(phone=phone)
        found = list(found[:2])
        if not found:
            raise forms.ValidationError(
                _("No member called “%(text)s” in this organisation."), code="unknown", params={"text": text}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _("More than one member is called %(name)s: add the mobile number after the name."),
                code="ambiguous",
                params={"name": name},
            )
        return found[0]


def candidate_names(members) -> list[str]:
    """What the name suggestions offer: the name, or "name mobile" where two members share a name."""
    members = list(members[: DATALIST_LIMIT + 1])
    if len(members) > DATALIST_LIMIT:
        return []
    counts = Counter(m.name for m in members)
    return [m.name if counts[m.name] == 1 else f"{m.name} {m.phone}" for m in members]


def _term_choices():
    """Called when a form is made, so the labels are in the reader's language."""
    return [(n, gettext("%(n)d years") % {"n": n}) for n in range(MIN_TERM_YEARS, MAX_TERM_YEARS + 1)]


class ElectionForm(forms.Form):
    elected_on = forms.DateField(label=_("elected on"), widget=DATE_WIDGET)
    term_years = forms.TypedChoiceField(
        label=_("term (years)"),
        coerce=int,
        choices=_term_choices,
        initial=MIN_TERM_YEARS,
    )
    is_committee = forms.BooleanField(
        label=_("has a committee"),
        required=False,
        initial=True,
        help_text=_("A branch of seven or more full members elects a committee; a smaller one only a secretary."),
    )
    note = forms.CharField(
        label=_("note"), max_length=200, required=False, help_text=_("E.g. elected at the branch general meeting.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_years"].error_messages["invalid_choice"] = term_years_message()

    def clean_elected_on(self):
        day = self.cleaned_data["elected_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return day


POST_CHOICES = [("", "—"), *CommitteeSeat.Post.choices]


class SeatRowForm(forms.Form):
    """One person elected and her post; a row left empty is skipped."""

    member = MemberField(required=False, help_text="")  # said once above the rows
    post = forms.ChoiceField(label=_("post"), choices=POST_CHOICES, required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].candidates = candidates

    def clean(self):
        data = super().clean()
        member, post = data.get("member"), data.get("post")
        if member and not post:
            self.add_error("post", _("Choose a post."))
        if post and not member and not self.has_error("member"):
            self.add_error("member", _("Enter who holds this post."))
        return data


def seat_formset(data=None, *, candidates, current_seats=(), blank_rows: int = 3):
    """The seats of an election: the posts held in the current term filled in (most are re-elected), then
    ``blank_rows`` empty rows, at least five rows in all."""
    initial = [{"member": seat.member.name, "post": seat.post} for seat in current_seats][:MAX_SEATS]
    rows = min(MAX_SEATS, max(5, len(initial) + blank_rows))
    formset_class = forms.formset_factory(
        SeatRowForm, extra=rows - len(initial), max_num=MAX_SEATS, absolute_max=MAX_SEATS, validate_max=True
    )
    return formset_class(data, initial=initial, prefix="seats", form_kwargs={"candidates": candidates})


def seats_from(formset) -> list[tuple[Member, str]]:
    return [
        (f.cleaned_data["member"], f.cleaned_data["post"])
        for f in formset.forms
        if f.cleaned_data.get("member") and f.cleaned_data.get("post")
    ]


class SeatAddForm(forms.Form):
    member = MemberField()
    post = forms.ChoiceField(label=_("post"), choices=CommitteeSeat.Post.choices)
    since = forms.DateField(label=_("in post since"), widget=DATE_WIDGET, initial=timezone.localdate)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].candidates = candidates


class SeatEndForm(forms.Form):
    until = forms.DateField(label=_("in post until"), widget=DATE_WIDGET, initial=timezone.localdate)
    note = forms.CharField(
        label=_("why the post ended"),
        max_length=200,
        required=False,
        help_text=_("E.g. moved to another post, transferred out."),
    )
