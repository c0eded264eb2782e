"""Forms of the activity rooms: a room, a booking, the week picker and the bookings' filters. Forms check what a
user typed; ``services`` checks the room's other bookings."""

import datetime

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.models import PartyOrganization, Role

from .models import CLOSES_AT, OPENS_AT, Room

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": "900"}, format="%H:%M")


class RoomChoiceField(forms.ModelChoiceField):
    """Rooms by name and place; a street viewer sees every building's, so hers carry the building's name."""

    def __init__(self, *args, with_building: bool = False, **kwargs):
        self.with_building = with_building
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        label = obj.name if not obj.location else f"{obj.name}（{obj.location}）"
        return f"{obj.building.name} · {label}" if self.with_building else label


def rooms_for(user, *, active_only: bool = False):
    """The rooms a user may pick: the building's (every building's for a street viewer), a short list."""
    # in the order they were added: the building's main activity room first
    rooms = Room.objects.for_user(user).select_related("building").order_by("building__name", "-is_active", "pk")
    return rooms.filter(is_active=True) if active_only else rooms


class RoomForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    location = forms.CharField(
        label=_("location"), max_length=100, required=False, help_text=_("E.g. 3rd floor, room 301.")
    )
    capacity = forms.IntegerField(
        label=_("seats"), required=False, validators=[MinValueValidator(1)], widget=forms.NumberInput(attrs={"min": 1})
    )
    note = forms.CharField(
        label=_("note"), max_length=200, required=False, help_text=_("E.g. whose room it is, who has the key.")
    )
    is_active = forms.BooleanField(
        label=_("in use"),
        required=False,
        initial=True,
        help_text=_("A room out of use can no longer be booked; its bookings stay until cancelled."),
    )

    def __init__(self, data=None, *, room: Room | None = None, **kwargs):
        if room is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": room.name,
                    "location": room.location,
                    "capacity": room.capacity,
                    "note": room.note,
                    "is_active": room.is_active,
                },
            )
        super().__init__(data, **kwargs)
        if room is None:
            del self.fields["is_active"]  # a new room is in use

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class BookingForm(forms.Form):
    """Book a room for a slot of one day, within the hours the calendar shows."""

    room = RoomChoiceField(label=pgettext_lazy("booking", "Room"), queryset=Room.objects.none(), empty_label=None)
    title = forms.CharField(
        label=_("What for"), max_length=200, help_text=_("Shown on the room's calendar, e.g. “第一党支部支委会”.")
    )
    organization = forms.ModelChoiceField(
        label=pgettext_lazy("booking", "For the organisation"),
        queryset=PartyOrganization.objects.none(),
        required=False,
        empty_label=_("None (e.g. an enterprise's training)"),
    )
    day = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    starts_at = forms.TimeField(label=pgettext_lazy("booking", "From"), widget=TIME_WIDGET)
    ends_at = forms.TimeField(label=pgettext_lazy("booking", "Until"), widget=TIME_WIDGET)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["room"].queryset = rooms_for(user, active_only=True)
        self.fields["organization"].queryset = PartyOrganization.objects.for_user(user).order_by("kind", "name")

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("starts_at"), data.get("ends_at")
        if day is None or start is None or end is None:
            return data
        if end <= start:
            self.add_error("ends_at", _("A booking must end after it starts."))
            return data
        opens, closes = datetime.time(OPENS_AT), datetime.time(CLOSES_AT)
        if start < opens or end > closes:
            self.add_error(
                "starts_at" if start < opens else "ends_at",
                _("The room is booked between %(opens)s and %(closes)s.")
                % {"opens": f"{OPENS_AT:02d}:00", "closes": f"{CLOSES_AT:02d}:00"},
            )
            return data
        data["starts"], data["ends"] = _aware(day, start), _aware(day, end)
        if data["starts"] < timezone.now():
            self.add_error("starts_at", _("A booking cannot start in the past."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "room": data["room"],
            "title": data["title"].strip(),
            "organization": data["organization"],
            "starts_at": data["starts"],
            "ends_at": data["ends"],
        }


class WeekForm(forms.Form):
    """Which room and which week the calendar shows (GET). The rooms come as a list the view has read already."""

    room = forms.ChoiceField(label=pgettext_lazy("booking", "Room"))
    week = forms.CharField(
        label=_("Week"),
        required=False,
        widget=forms.TextInput(attrs={"type": "week", "pattern": r"\d{4}-W\d{2}", "placeholder": "2026-W49"}),
    )

    def __init__(self, data=None, *, user, rooms: list[Room], **kwargs):
        super().__init__(data, **kwargs)
        label = RoomChoiceField(queryset=Room.objects.none(), with_building=user.role == Role.STREET)
        self.fields["room"].choices = [(room.pk, label.label_from_instance(room)) for room in rooms]


class BookingFilterForm(forms.Form):
    UPCOMING, PAST = "upcoming", "past"

    room = RoomChoiceField(
        label=pgettext_lazy("booking", "Room"), queryset=Room.objects.none(), required=False, empty_label=_("All rooms")
    )
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[(UPCOMING, _("From today on")), (PAST, _("Past bookings"))],
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        field = self.fields["room"]
        field.queryset = rooms_for(user)
        field.with_building = user.role == Role.STREET

    def filter(self, bookings, *, today: datetime.date):
        """Bookings already scoped with ``for_user``: from today on (soonest first) or past (latest first)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("room"):
            bookings = bookings.filter(room=data["room"])
        midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        if data.get("when") == self.PAST:
            return bookings.filter(ends_at__lte=midnight).order_by("-starts_at", "-pk")
        return bookings.filter(ends_at__gt=midnight).order_by("starts_at", "pk")
