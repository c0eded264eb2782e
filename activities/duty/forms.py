"""Forms of the duty rosters. Forms check what a user typed; ``services`` checks the rules (leave, shifts at the
same time, the weekly limit) and acts. Field names match the services' error keys.

No form offers the building's members or enterprises in a list: a party member is found by a short search (at
most twenty names), an enterprise is typed by its name. The lists a form does offer are one team's people.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import MAX_WEEKLY_LIMIT, Assignment, DutyTeam, MediationCase, TeamMember
from .selectors import parse_week
from .services import MAX_NEEDED

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAY_CHOICES = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class TeamForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("duty team", "team name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind of team"), choices=DutyTeam.Kind.choices)
    weekly_limit = forms.IntegerField(
        label=_("shifts a week per person"),
        min_value=1,
        max_value=MAX_WEEKLY_LIMIT,
        initial=2,
        help_text=_("Nobody is put on more of this team's shifts in one week (Monday to Sunday)."),
    )
    leader = PersonChoiceField(
        label=_("team leader"),
        queryset=TeamMember.objects.none(),
        required=False,
        empty_label=_("None yet"),
        help_text=_("One of the team's people. A leader who is a party member with an account runs the roster."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, data=None, *, team: DutyTeam | None = None, **kwargs):
        if team is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": team.name,
                    "kind": team.kind,
                    "weekly_limit": team.weekly_limit,
                    "leader": team.leader_id,
                    "note": team.note,
                },
            )
        super().__init__(data, **kwargs)
        if team is None:
            del self.fields["leader"]
        else:
            self.fields["leader"].queryset = (
                team.people.filter(is_active=True).select_related("member").order_by("member__name", "name", "pk")
            )


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a party member"),
        max_length=50,
        required=False,
        help_text=_("A name, its pinyin initials or a mobile number; at most twenty are shown."),
    )


class AddMemberForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)


class VolunteerForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=50)
    phone = forms.CharField(label=_("mobile number"), max_length=20)
    enterprise = forms.CharField(
        label=_("enterprise"),
        max_length=100,
        required=False,
        help_text=_("Where the volunteer works in the building, by its full name; may stay empty."),
    )


class LeaveForm(forms.Form):
    team_member = PersonChoiceField(label=_("Who is away"), queryset=TeamMember.objects.none())
    starts_on = forms.DateField(label=_("on leave from"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("on leave until"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("reason"), max_length=200, help_text=_("E.g. 出差, 病假, 探亲."))

    def __init__(self, data=None, *, people, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["team_member"].queryset = people


class ShiftForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start = forms.TimeField(label=_("Starts at"), widget=TIME_WIDGET)
    end = forms.TimeField(
        label=_("Ends at"),
        widget=TIME_WIDGET,
        help_text=_("An end before the start is on the next day (a night shift, 22:00–06:00)."),
    )
    post = forms.CharField(
        label=_("post or route"), max_length=100, help_text=_("Where the shift is kept, e.g. 大堂岗 or 东区巡逻路线.")
    )
    needed = forms.IntegerField(label=_("people needed"), min_value=1, max_value=MAX_NEEDED, initial=1)
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    repeat_until = forms.DateField(
        label=_("Repeat until"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Leave empty for one shift; else the same shift on the days ticked below, up to this date."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On these weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data=None, *, shift=None, **kwargs):
        if shift is not None:
            start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
            kwargs.setdefault(
                "initial",
                {
                    "day": start.date(),
                    "start": start.time(),
                    "end": end.time(),
                    "post": shift.post,
                    "needed": shift.needed,
                    "note": shift.note,
                },
            )
        super().__init__(data, **kwargs)
        if shift is not None:
            del self.fields["repeat_until"]
            del self.fields["weekdays"]


class AssignForm(forms.Form):
    team_member = PersonChoiceField(label=_("Put on duty"), queryset=TeamMember.objects.none())

    def __init__(self, data=None, *, people, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["team_member"].queryset = people


class SwapForm(forms.Form):
    to_member = PersonChoiceField(label=_("Colleague taking the shift"), queryset=TeamMember.objects.none())
    in_return = forms.ModelChoiceField(
        label=_("Take one of the colleague's shifts in return"),
        queryset=Assignment.objects.none(),
        required=False,
        empty_label=_("No: the colleague takes my shift over"),
        help_text=_("For an exchange: one of the colleague's shifts ahead on this team."),
    )
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, data=None, *, colleagues, their_shifts, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["to_member"].queryset = colleagues
        self.fields["in_return"].queryset = their_shifts
        self.fields["in_return"].label_from_instance = lambda a: (
            f"{a.team_member.display_name}：{a.shift.day:%m-%d} {a.shift.hours} {a.shift.post}"
        )


class SwapDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("leader's note"), max_length=200, required=False)


class LogForm(forms.Form):
    happened = forms.CharField(label=_("what happened"), widget=forms.Textarea(attrs={"rows": 3}))
    incidents = forms.CharField(
        label=_("incidents"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Anything out of order: who, what, where."),
    )
    follow_up = forms.CharField(
        label=_("follow-up"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("What is still to be done, and by whom."),
    )


class CaseForm(forms.ModelForm):
    class Meta:
        model = MediationCase
        fields = ["held_on", "parties", "dispute", "outcome", "referred_to", "agreement", "follow_up_on"]
        widgets = {
            "held_on": DATE_WIDGET,
            "follow_up_on": DATE_WIDGET,
            "parties": forms.Textarea(attrs={"rows": 3}),
            "dispute": forms.Textarea(attrs={"rows": 3}),
            "agreement": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if data.get("outcome") == MediationCase.Outcome.REFERRED and not (data.get("referred_to") or "").strip():
            self.add_error("referred_to", _("Say to whom the case was referred."))
        held, follow = data.get("held_on"), data.get("follow_up_on")
        if held and held > timezone.localdate():
            self.add_error("held_on", _("This date is in the future."))
        if held and follow and follow < held:
            self.add_error("follow_up_on", _("The follow-up comes after the mediation."))
        return data


def week_choice(text: str | None) -> datetime.date | None:
    """The Monday of a week typed in a link (``?week=2026-W49``); None when it cannot be read."""
    try:
        return parse_week(text)
    except ValueError:
        return None
