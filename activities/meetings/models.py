"""Organisational life (组织生活, DOMAIN.md §7): 三会一课, 主题党日, 组织生活会 and other meetings, who was expected,
who came, who asked for leave.

A ``Meeting`` belongs to one party organisation (a branch, a party group, or the general branch) and moves
planned → held (with minutes) or planned → cancelled (with a reason). Planning it fills one ``Attendance`` per
expected participant from the organisation's members in the party, with a snapshot of whether the member votes
(full members; probationary members attend without a vote) and is a mobile member. A member asks for leave on
her ``Attendance``; the secretary approves or refuses it; attendance is recorded by the secretary or by the
member's own QR check-in, and every later correction is kept (``AttendanceChange``).

Study kinds (党课, 主题党日) carry study hours (学时) once held; those hours count for every member present.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.models import KeepsActorName
from buildingparty.scope import by_organization


def new_checkin_token() -> str:
    return secrets.token_urlsafe(24)


class MeetingQuerySet(models.QuerySet):
    def for_user(self, user):
        """Officers see the meetings of the organisations in their reach (a secretary: her branch and its
        groups; an admin: the building; the street: everything); a member the meetings she was expected at."""
        if user.is_authenticated and user.is_active and user.role == "member":
            return self.filter(attendances__member__user=user)
        return by_organization(user, self, "organization")

    def held(self):
        return self.filter(status=Meeting.Status.HELD)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        GENERAL_MEETING = "general_meeting", _("Branch general meeting")  # 支部党员大会
        COMMITTEE = "committee", _("Branch committee meeting")  # 支委会
        GROUP = "group", _("Party group meeting")  # 党小组会
        LESSON = "lesson", _("Party lesson")  # 党课
        THEME_DAY = "theme_day", _("Theme party day")  # 主题党日
        LIFE_MEETING = "life_meeting", _("Organisational life meeting")  # 组织生活会
        OTHER = "other", _("Other meeting")  # 其他, e.g. 座谈会 with owners and members

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")  # 已取消, not a void transfer's 已作废

    # Kinds whose held meetings carry study hours, and the hours a new one starts with.
    STUDY_KINDS = frozenset({Kind.LESSON, Kind.THEME_DAY})
    DEFAULT_STUDY_HOURS = {Kind.LESSON: 2, Kind.THEME_DAY: 2}

    organization = models.ForeignKey(
        "buildingparty.PartyOrganization",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind of meeting"), max_length=20, choices=Kind.choices)
    topic = models.CharField(pgettext_lazy("meeting", "topic"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    # The activity room booked for the meeting (activities.rooms): it moves and is cancelled with the meeting.
    room_booking = models.OneToOneField(
        "rooms.RoomBooking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting",
        verbose_name=_("activity room booking"),
    )
    host = models.CharField(_("host"), max_length=50, blank=True, help_text=_("Who chairs the meeting (主持人)."))
    recorder = models.CharField(_("recorder"), max_length=50, blank=True, help_text=_("Who takes the minutes."))
    lecturer = models.CharField(
        _("lecturer"), max_length=50, blank=True, help_text=_("For a party lesson: who gives it.")
    )
    lecturer_affiliation = models.CharField(
        _("lecturer's affiliation"),
        max_length=100,
        blank=True,
        help_text=_("E.g. the branch secretary, or a teacher of the municipal Party School (党校)."),
    )
    study_hours = models.DecimalField(
        _("study hours"),
        max_digits=4,
        decimal_places=1,
        default=0,
        help_text=_("Hours of study each member present earns (party lessons and theme party days)."),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    resolutions = models.TextField(_("resolutions"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(pgettext_lazy("meeting", "reason for cancelling"), max_length=200, blank=True)
    checkin_token = models.CharField(max_length=40, unique=True, default=new_checkin_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    held_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    held_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["organization", "kind", "starts_at"], name="meeting_org_kind_start")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="meeting_cancelled_has_reason"
            ),
            models.CheckConstraint(condition=Q(study_hours__gte=0), name="meeting_study_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.topic}"

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.pk])

    @property
    def is_study_kind(self) -> bool:
        return self.kind in self.STUDY_KINDS

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD


class Attendance(models.Model):
    """One expected participant of one meeting: whether she votes and is mobile (as when the meeting was
    planned), whether she came, and her request for leave."""

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Not recorded yet")
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        LEAVE = "leave", _("On leave")

    class Leave(models.TextChoices):
        NONE = "", _("No request")
        REQUESTED = "requested", _("Leave requested")
        APPROVED = "approved", _("Leave approved")
        REFUSED = "refused", _("Leave refused")

    class Method(models.TextChoices):
        NONE = "", "—"
        QR = "qr", _("QR check-in")
        SECRETARY = "secretary", _("Recorded by the secretary")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="attendances", verbose_name=_("party member")
    )
    is_voting = models.BooleanField(
        _("has a vote"), default=True, help_text=_("Full members vote; probationary members attend without a vote.")
    )
    is_mobile = models.BooleanField(_("mobile member"), default=False)
    status = models.CharField(
        pgettext_lazy("attendance", "attendance"), max_length=20, choices=Status.choices, default=Status.EXPECTED
    )
    method = models.CharField(_("recorded how"), max_length=20, choices=Method.choices, blank=True, default="")
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    leave = models.CharField(_("leave"), max_length=20, choices=Leave.choices, blank=True, default="")
    leave_reason = models.CharField(_("reason for leave"), max_length=200, blank=True)
    leave_requested_at = models.DateTimeField(_("leave requested at"), null=True, blank=True)
    leave_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    leave_decided_at = models.DateTimeField(_("leave decided at"), null=True, blank=True)
    leave_note = models.CharField(_("secretary's note on the leave"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_meeting"),
            models.CheckConstraint(condition=Q(leave="") | ~Q(leave_reason=""), name="attendance_leave_has_reason"),
        ]
        indexes = [
            models.Index(fields=["member", "status"], name="attendance_member_status"),
            # Study hours (activities.study.selectors): who was present at the year's study meetings, read from
            # the index alone, meeting by meeting.
            models.Index(
                fields=["meeting"],
                include=["member"],
                condition=Q(status="present"),
                name="attendance_present_meeting",
            ),
            # The compliance table's quorum of each held 支部党员大会 (compliance.grid): its voting members and
            # those present, counted from the index alone.
            models.Index(fields=["meeting"], include=["is_voting", "status", "id"], name="attendance_meeting_quorum"),
        ]

    def __str__(self):
        return f"{self.member} · {self.meeting}"


class AttendanceChange(KeepsActorName):
    """A correction of attendance after the fact: who changed what, when and why."""

    actor_field = "changed_by"

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(_("from"), max_length=20, choices=Attendance.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Attendance.Status.choices)
    note = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.attendance}: {self.from_status} → {self.to_status}"


def photo_path(instance, filename):
    return f"meetings/{instance.meeting_id}/{secrets.token_hex(8)}-{filename}"


class MeetingPhoto(models.Model):
    """A photo of a meeting: a private file, served only through a view that checks scope."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos", verbose_name=_("meeting"))
    image = models.FileField(_("photo"), upload_to=photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting photo")
        verbose_name_plural = _("meeting photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.caption or self.image.name


class ComplianceSettings(models.Model):
    """What a building configures about the required frequency (DOMAIN.md §7: the 党课 frequency and the
    主题党日 day are local choices)."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half_yearly", _("Every half year")
        YEARLY = "yearly", _("Yearly")

    building = models.OneToOneField(
        "buildingparty.Building", on_delete=models.CASCADE, related_name="meeting_settings", verbose_name=_("building")
    )
    lesson_frequency = models.CharField(
        _("party lesson frequency"), max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    theme_day = models.PositiveSmallIntegerField(
        _("theme party day"),
        null=True,
        blank=True,
        help_text=_("The day of the month the building holds its theme party day (1–28); empty: any day."),
    )

    class Meta:
        verbose_name = _("organisational life settings")
        verbose_name_plural = _("organisational life settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(theme_day__isnull=True) | Q(theme_day__gte=1, theme_day__lte=28),
                name="meeting_settings_theme_day_in_month",
            )
        ]

    def __str__(self):
        return str(self.building)
