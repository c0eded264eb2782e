"""Forms of organisational life: the meeting list's filters, planning and editing a meeting, its minutes, cancelling
it, attendance, leave and photos. Forms check what a user typed; ``services`` checks the meeting's state."""

import datetime
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.rooms.models import Room
from buildingparty.models import PartyOrganization, Role

from .models import Attendance, ComplianceSettings, Meeting

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# The building's activity room (the seed's 党支部活动室, in the property company's meeting room): data, as typed.
DEFAULT_PLACE = "党支部活动室"


class OrganizationChoiceField(forms.ModelChoiceField):
    """Organisations by name; a street viewer sees every building's, so hers carry the building's name."""

    def __init__(self, *args, with_building: bool = False, **kwargs):
        self.with_building = with_building
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        name = f"{obj.name}（{obj.get_kind_display()}）"
        return f"{obj.building.name} · {name}" if self.with_building else name


def organizations_for(user):
    """The organisations a user may plan meetings for or filter by: a secretary's branch and its groups, an
    admin's whole building (general branch, branches, groups), every building for a street viewer."""
    return (
        PartyOrganization.objects.for_user(user).select_related("building").order_by("building__name", "kind", "name")
    )


# --- the list -----------------------------------------------------------------------------------------------


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind of meeting"), required=False, choices=[("", _("All kinds"))] + Meeting.Kind.choices
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any"))] + Meeting.Status.choices)
    organization = OrganizationChoiceField(
        label=_("Organisation"),
        queryset=PartyOrganization.objects.none(),
        required=False,
        empty_label=_("All organisations"),
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, user, years: list[int] | None = None, **kwargs):
        super().__init__(data, **kwargs)
        field = self.fields["organization"]
        field.queryset = organizations_for(user)
        field.with_building = user.role == Role.STREET
        years = years or [timezone.localdate().year]
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]

    def filter(self, meetings):
        """Apply the valid filters to meetings already scoped with ``for_user``."""
        if not self.is_valid():
            return meetings
        data = self.cleaned_data
        if data["kind"]:
            meetings = meetings.filter(kind=data["kind"])
        if data["status"]:
            meetings = meetings.filter(status=data["status"])
        if data["organization"]:
            org = data["organization"]
            # The tree is at most three levels deep: the organisation, its branches, their groups.
            meetings = meetings.filter(
                Q(organization=org) | Q(organization__parent=org) | Q(organization__parent__parent=org)
            )
        if data["year"]:
            meetings = meetings.filter(starts_at__year=data["year"])
        return meetings


# --- planning and editing -----------------------------------------------------------------------------------


def _aware(day: datetime.date, time: datetime.time | None) -> datetime.datetime | None:
    if time is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, time))


class MeetingForm(forms.Form):
    """Plan a meeting, or change a planned one (whose organisation stays). Date and times are separate inputs:
    phones offer a date and a time picker."""

    kind = forms.ChoiceField(label=_("kind of meeting"), choices=Meeting.Kind.choices)
    organization = OrganizationChoiceField(
        label=_("Organisation"),
        queryset=PartyOrganization.objects.none(),
        help_text=_("A party group meeting is held by a group; a branch committee meeting by a branch."),
    )
    topic = forms.CharField(label=pgettext_lazy("meeting", "Topic"), max_length=200)
    day = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    starts_at = forms.TimeField(label=_("Starts at"), widget=TIME_WIDGET)
    ends_at = forms.TimeField(label=_("Ends at"), widget=TIME_WIDGET, required=False)
    room = forms.ModelChoiceField(
        label=_("Activity room"),
        queryset=Room.objects.none(),
        required=False,
        empty_label=_("None: the place as written"),
        help_text=_("Books the room for the meeting (two hours when no end is given) and fills in the place."),
    )
    place = forms.CharField(label=_("place"), max_length=100, required=False, initial=DEFAULT_PLACE)
    host = forms.CharField(
        label=_("host"), max_length=50, required=False, help_text=_("Who chairs the meeting (主持人).")
    )
    recorder = forms.CharField(
        label=_("recorder"), max_length=50, required=False, help_text=_("Who takes the minutes.")
    )
    lecturer = forms.CharField(
        label=_("lecturer"), max_length=50, required=False, help_text=_("For a party lesson: who gives it.")
    )
    lecturer_affiliation = forms.CharField(
        label=_("lecturer's affiliation"),
        max_length=100,
        required=False,
        help_text=_("E.g. the branch secretary, or a teacher of the municipal Party School (党校)."),
    )
    study_hours = forms.DecimalField(
        label=_("study hours"),
        required=False,
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(24))],
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "24"}),
        help_text=_("Party lessons and theme party days: the study hours each member present earns (学时)."),
    )

    def __init__(self, data=None, *, user, meeting: Meeting | None = None, **kwargs):
        booking = meeting.room_booking if meeting is not None and meeting.room_booking_id else None
        booked_room_id = booking.room_id if booking is not None and not booking.is_cancelled else None
        if meeting is not None:
            start = timezone.localtime(meeting.starts_at)
            kwargs.setdefault(
                "initial",
                {
                    "kind": meeting.kind,
                    "topic": meeting.topic,
                    "day": start.date(),
                    "starts_at": start.time(),
                    "ends_at": timezone.localtime(meeting.ends_at).time() if meeting.ends_at else None,
                    "place": meeting.place,
                    "host": meeting.host,
                    "recorder": meeting.recorder,
                    "lecturer": meeting.lecturer,
                    "lecturer_affiliation": meeting.lecturer_affiliation,
                    "study_hours": meeting.study_hours if meeting.is_study_kind else None,
                    "room": booked_room_id,
                },
            )
        super().__init__(data, **kwargs)
        self.meeting = meeting
        # the building's rooms in use (a short list), and the one already booked even if out of use since
        self.fields["room"].queryset = Room.objects.filter(
            Q(building_id=user.building_id, is_active=True) | Q(pk=booked_room_id)
        ).order_by("pk")  # in the order added: the building's main activity room first
        self.fields["room"].label_from_instance = lambda room: room.place
        if meeting is not None:
            del self.fields["organization"]  # the expected participants came from it
        else:
            self.fields["organization"].queryset = organizations_for(user)
            self.fields["organization"].with_building = user.role == Role.STREET

    def clean(self):
        data = super().clean()
        day = data.get("day")
        if day is not None and data.get("starts_at") is not None:
            data["starts"] = _aware(day, data["starts_at"])
            data["ends"] = _aware(day, data.get("ends_at"))
            if data["ends"] is not None and data["ends"] < data["starts"]:
                self.add_error("ends_at", _("The meeting cannot end before it starts."))
        return data

    def service_kwargs(self) -> dict:
        """The cleaned values as ``services.meeting_plan`` and ``meeting_update`` take them."""
        data = self.cleaned_data
        values = {
            "kind": data["kind"],
            "topic": data["topic"].strip(),
            "starts_at": data["starts"],
            "ends_at": data["ends"],
            "place": data["place"].strip(),
            "host": data["host"].strip(),
            "recorder": data["recorder"].strip(),
            "lecturer": data["lecturer"].strip(),
            "lecturer_affiliation": data["lecturer_affiliation"].strip(),
            "study_hours": data["study_hours"],
            "room": data.get("room"),
        }
        if "organization" in self.fields:
            values["organization"] = data["organization"]
        return values


class HoldForm(forms.Form):
    """The minutes of a meeting that took place (and their later corrections)."""

    minutes = forms.CharField(
        label=_("minutes"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What was discussed: the agenda, who spoke, the discussion."),
    )
    resolutions = forms.CharField(
        label=_("resolutions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("What the meeting decided, one decision a line (a branch general meeting: with the vote)."),
    )
    ends_at = forms.TimeField(label=_("Ended at"), widget=TIME_WIDGET, required=False)
    study_hours = forms.DecimalField(
        label=_("study hours"),
        required=False,
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(24))],
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "24"}),
        help_text=_("The study hours each member present earns (学时)."),
    )

    def __init__(self, data=None, *, meeting: Meeting, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "minutes": meeting.minutes,
                "resolutions": meeting.resolutions,
                "ends_at": timezone.localtime(meeting.ends_at).time() if meeting.ends_at else None,
                "study_hours": meeting.study_hours,
            },
        )
        super().__init__(data, **kwargs)
        self.meeting = meeting
        if not meeting.is_study_kind:
            del self.fields["study_hours"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        day = timezone.localtime(self.meeting.starts_at).date()
        return {
            "minutes": data["minutes"],
            "resolutions": data["resolutions"],
            "ends_at": _aware(day, data["ends_at"]),
            "study_hours": data.get("study_hours"),
        }


class CancelForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("meeting", "Reason for cancelling"), max_length=200)


# --- attendance and leave -----------------------------------------------------------------------------------

ATTENDANCE_CHOICES = [
    (Attendance.Status.PRESENT, Attendance.Status.PRESENT.label),
    (Attendance.Status.ABSENT, Attendance.Status.ABSENT.label),
    (Attendance.Status.LEAVE, Attendance.Status.LEAVE.label),
]


class AttendanceForm(forms.Form):
    """One row per expected participant: present, absent or on leave (with the reason). A row left as it was is
    not touched. ``note`` is the reason for correcting a status already recorded."""

    note = forms.CharField(
        label=_("Reason for the correction"),
        max_length=200,
        required=False,
        help_text=_("Needed when the attendance of a held meeting is changed."),
    )

    def __init__(self, data=None, *, attendances: list[Attendance], **kwargs):
        super().__init__(data, **kwargs)
        self.attendances = attendances
        self.rows = []
        for attendance in attendances:
            status_field = forms.ChoiceField(
                label=attendance.member.name,
                choices=ATTENDANCE_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=attendance.status if attendance.status != Attendance.Status.EXPECTED else None,
            )
            reason_field = forms.CharField(
                label=_("Reason for leave"), max_length=200, required=False, initial=attendance.leave_reason
            )
            self.fields[f"status_{attendance.pk}"] = status_field
            self.fields[f"reason_{attendance.pk}"] = reason_field
            self.rows.append(attendance)

    def row_fields(self):
        """(attendance, its status field, its reason field) for the template."""
        return [(a, self[f"status_{a.pk}"], self[f"reason_{a.pk}"]) for a in self.rows]

    def clean(self):
        data = super().clean()
        for attendance in self.rows:
            status = data.get(f"status_{attendance.pk}")
            reason = (data.get(f"reason_{attendance.pk}") or "").strip()
            if status == Attendance.Status.LEAVE and not reason and not attendance.leave_reason:
                self.add_error(f"reason_{attendance.pk}", _("Give the reason for leave."))
        return data

    def rows_data(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {a.pk: (data[f"status_{a.pk}"], data[f"reason_{a.pk}"]) for a in self.rows if data.get(f"status_{a.pk}")}


class LeaveRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for leave"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your secretary decides; you are told either way."),
    )


class LeaveDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", pgettext_lazy("leave", "Approve")), ("refuse", pgettext_lazy("leave", "Refuse"))]
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


# --- photos -------------------------------------------------------------------------------------------------


# check_photo and PhotoForm are the activities' one photo check, in activities.uploads.


# --- the building's compliance settings (views/compliance.py) -----------------------------------------------

THEME_DAY_ERROR = _("Enter a day from 1 to 28, so that every month has it, or leave it empty if the day is not fixed.")


class ComplianceSettingsForm(forms.ModelForm):
    """How often the building's branches hold a 党课, and the day of the month of its 主题党日."""

    theme_day = forms.IntegerField(
        label=_("Theme party day (day of the month)"),
        required=False,
        min_value=1,
        max_value=28,
        help_text=_("1–28: every month has it. Empty: each branch picks its own day."),
        error_messages={"min_value": THEME_DAY_ERROR, "max_value": THEME_DAY_ERROR, "invalid": THEME_DAY_ERROR},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = ComplianceSettings
        fields = ["lesson_frequency", "theme_day"]
        widgets = {"lesson_frequency": forms.RadioSelect}
