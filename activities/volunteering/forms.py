"""Forms of volunteering: the list's filters, drafting and changing an activity, recording it after the event,
cancelling it and its photos. Forms check what a user typed; ``services`` checks the activity's state."""

import datetime
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.rooms.models import Room
from buildingparty.models import PartyOrganization, Role

from .models import Activity, Signup

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
HOURS_WIDGET = forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "24", "inputmode": "decimal"})


# --- the list -----------------------------------------------------------------------------------------------

UPCOMING, PAST, ALL = "upcoming", "past", "all"


class ActivityFilterForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[
            (UPCOMING, pgettext_lazy("volunteering", "Coming up")),
            (PAST, pgettext_lazy("volunteering", "Past")),
            (ALL, _("All dates")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("kind of activity"), required=False, choices=[("", _("All kinds"))] + Activity.Kind.choices
    )

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, **kwargs)

    def filter(self, activities):
        """The valid filters applied to activities already scoped with ``for_user``, in the order that suits: what
        is coming up soonest first, what is past newest first."""
        data = self.cleaned_data if self.is_valid() else {}
        when = data.get("when") or UPCOMING
        now = timezone.now()
        if data.get("kind"):
            activities = activities.filter(kind=data["kind"])
        if when == UPCOMING:
            return activities.filter(ends_at__gt=now).order_by("starts_at", "pk")
        if when == PAST:
            activities = activities.filter(ends_at__lte=now)
        return activities.order_by("-starts_at", "-pk")


# --- drafting and changing ----------------------------------------------------------------------------------


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def organizers_for(user):
    """Who may organise: a secretary her branch and its groups; an admin any organisation of the building."""
    return PartyOrganization.objects.for_user(user).order_by("kind", "name")


class OrganizerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_kind_display()}）"


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.location}）" if obj.location else obj.name


class ActivityForm(forms.Form):
    """Draft an activity or change one (whose organiser stays). Date and times are separate inputs: phones offer
    a date and a time picker."""

    title = forms.CharField(label=pgettext_lazy("volunteering", "Title"), max_length=200)
    kind = forms.ChoiceField(label=_("kind of activity"), choices=Activity.Kind.choices)
    organizer = OrganizerChoiceField(
        label=_("organiser"),
        queryset=PartyOrganization.objects.none(),
        required=False,
        empty_label=_("The general branch"),
    )
    day = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    starts_at = forms.TimeField(label=_("Starts at"), widget=TIME_WIDGET)
    ends_at = forms.TimeField(label=_("Ends at"), widget=TIME_WIDGET)
    room = RoomChoiceField(
        label=_("Activity room"),
        queryset=Room.objects.none(),
        required=False,
        empty_label=_("Not in an activity room"),
        help_text=_("Book one of the building's activity rooms for the activity's time."),
    )
    place = forms.CharField(
        label=_("place"),
        max_length=100,
        required=False,
        help_text=_("Where to meet, e.g. 大厦南广场; empty with a room: the room."),
    )
    capacity = forms.IntegerField(
        label=_("places"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=_("How many volunteers it needs; empty: no limit. Who signs up beyond it waits on a list."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    skills_wanted = forms.CharField(
        label=_("skills wanted"),
        max_length=200,
        required=False,
        help_text=_("Comma-separated, e.g. 法律咨询, 急救: members with these skills are told when it is published."),
    )
    description = forms.CharField(
        label=pgettext_lazy("volunteering", "description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What volunteers will do, what to bring."),
    )

    def __init__(self, data=None, *, user, activity: Activity | None = None, **kwargs):
        if activity is not None:
            start = timezone.localtime(activity.starts_at)
            booking = activity.room_booking
            kwargs.setdefault(
                "initial",
                {
                    "title": activity.title,
                    "kind": activity.kind,
                    "day": start.date(),
                    "starts_at": start.time(),
                    "ends_at": timezone.localtime(activity.ends_at).time(),
                    "room": booking.room_id if booking is not None and not booking.is_cancelled else None,
                    "place": activity.place,
                    "capacity": activity.capacity,
                    "skills_wanted": activity.skills_wanted,
                    "description": activity.description,
                },
            )
        super().__init__(data, **kwargs)
        self.activity = activity
        self.fields["room"].queryset = Room.objects.for_user(user).filter(is_active=True)
        if activity is not None:
            del self.fields["organizer"]
        else:
            field = self.fields["organizer"]
            field.queryset = organizers_for(user)
            if user.role == Role.SECRETARY:
                field.required = True
                field.empty_label = None
                field.help_text = _("The branch that organises it.")

    def clean(self):
        data = super().clean()
        day, starts, ends = data.get("day"), data.get("starts_at"), data.get("ends_at")
        if day is not None and starts is not None and ends is not None:
            data["starts"], data["ends"] = _aware(day, starts), _aware(day, ends)
            if data["ends"] <= data["starts"]:
                self.add_error("ends_at", _("The activity must end after it starts."))
        return data

    def service_kwargs(self) -> dict:
        """The cleaned values as ``services.activity_create`` and ``activity_update`` take them."""
        data = self.cleaned_data
        values = {
            "title": data["title"],
            "kind": data["kind"],
            "starts_at": data["starts"],
            "ends_at": data["ends"],
            "room": data["room"],
            "place": data["place"],
            "capacity": data["capacity"],
            "skills_wanted": data["skills_wanted"],
            "description": data["description"],
        }
        if "organizer" in self.fields:
            values["organizer"] = data["organizer"]
        return values


class CancelForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("volunteering", "Reason for cancelling"), max_length=200)


# --- after the event ----------------------------------------------------------------------------------------

RECORD_CHOICES = [
    (Signup.Status.ATTENDED, Signup.Status.ATTENDED.label),
    (Signup.Status.NO_SHOW, Signup.Status.NO_SHOW.label),
]


class RecordForm(forms.Form):
    """One row per volunteer who held a seat: took part (with the hours served) or did not come; and the
    activity's summary. Every row needs an answer, so no volunteer is left unrecorded."""

    summary = forms.CharField(
        label=_("summary"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was done and for whom, e.g. 为大厦120余名职工提供义诊服务."),
    )

    def __init__(self, data=None, *, activity: Activity, signups: list[Signup], **kwargs):
        kwargs.setdefault("initial", {"summary": activity.summary})
        super().__init__(data, **kwargs)
        self.rows = signups
        for signup in signups:
            recorded = signup.status in (Signup.Status.ATTENDED, Signup.Status.NO_SHOW)
            self.fields[f"status_{signup.pk}"] = forms.ChoiceField(
                label=signup.member.name,
                choices=RECORD_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=signup.status if recorded else None,
                error_messages={"required": _("Record whether this volunteer took part.")},
            )
            self.fields[f"hours_{signup.pk}"] = forms.DecimalField(
                label=_("hours served"),
                required=False,
                max_digits=4,
                decimal_places=1,
                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(24))],
                initial=signup.hours if signup.hours is not None else activity.hours,
                widget=HOURS_WIDGET,
            )

    def row_fields(self):
        """(signup, its status field, its hours field) for the template."""
        return [(s, self[f"status_{s.pk}"], self[f"hours_{s.pk}"]) for s in self.rows]

    def rows_data(self) -> dict[int, tuple[str, Decimal | None]]:
        data = self.cleaned_data
        return {s.pk: (data[f"status_{s.pk}"], data.get(f"hours_{s.pk}")) for s in self.rows}


# --- photos -------------------------------------------------------------------------------------------------


# check_photo and PhotoForm are the activities' one photo check, in activities.uploads.
