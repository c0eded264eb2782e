"""Volunteering (党员义务活动, DOMAIN.md §9): "自愿参加、无偿服务、志在奉献", matched to members' skills.

An ``Activity`` is the building's: organised by a branch (its secretary) or by the general branch (the admin, who
may leave the organiser empty). It moves draft → published → done (attendance, hours and a summary recorded after
the event), or to cancelled. Publishing tells the members whose skills (``Member.skills``) match the skills the
activity wants. An activity held in one of the building's activity rooms owns its ``rooms.RoomBooking``.

A ``Signup`` is one member's place: signed up while seats are free, else on the waiting list with her position
(1, 2, …, kept without gaps); a withdrawal moves the first waiting member up. At the event she checks in by QR
(``activities.checkin``); afterwards the organiser records who came (attended, with hours served) and who did
not (no-show). Attended signups of done activities earn the points rule ``volunteering`` once each.
"""

import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.scope import organization_ids


def new_checkin_token() -> str:
    return secrets.token_urlsafe(24)


class ActivityQuerySet(models.QuerySet):
    def for_user(self, user):
        """Who sees which activities: the building's members and officers its published ones (and those done or
        cancelled); drafts only those who may change them (the admin; a secretary, her branch's); street viewers
        every building's, drafts aside. Liaisons, enterprise contacts and other buildings: nothing."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        visible = ~Q(status=Activity.Status.DRAFT)
        if user.role == "street":
            return self.filter(visible)
        if user.role == "admin":
            return self.filter(building_id=user.building_id)
        if user.role == "secretary":
            return self.filter(building_id=user.building_id).filter(
                visible | Q(organizer_id__in=organization_ids(user))
            )
        if user.role == "member":
            return self.filter(building_id=user.building_id).filter(visible)
        return self.none()


class Activity(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("Services for residents")  # 便民服务
        ENVIRONMENT = "environment", _("Environmental clean-up")  # 环境整治
        PAIRING = "pairing", _("Pairing with people in hardship")  # 帮困结对
        LAW = "law", _("Legal education")  # 宣传普法
        CIVILITY = "civility", _("Civility guidance")  # 文明劝导
        OTHER = "other", pgettext_lazy("volunteering", "Other")  # 其他

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("volunteering", "Draft")
        PUBLISHED = "published", pgettext_lazy("volunteering", "Open for sign-up")
        CANCELLED = "cancelled", pgettext_lazy("volunteering", "Cancelled")
        DONE = "done", pgettext_lazy("volunteering", "Done")

    building = models.ForeignKey(
        "buildingparty.Building",
        on_delete=models.PROTECT,
        related_name="volunteer_activities",
        verbose_name=_("building"),
    )
    organizer = models.ForeignKey(
        "buildingparty.PartyOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_activities",
        verbose_name=_("organiser"),
        help_text=_("The branch that organises it; empty: the general branch."),
    )
    title = models.CharField(pgettext_lazy("volunteering", "title"), max_length=200)
    kind = models.CharField(_("kind of activity"), max_length=20, choices=Kind.choices, default=Kind.SERVICE)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    room_booking = models.OneToOneField(
        "rooms.RoomBooking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer_activity",
        verbose_name=_("room booking"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("places"), null=True, blank=True, help_text=_("How many volunteers it needs; empty: no limit.")
    )
    skills_wanted = models.CharField(
        _("skills wanted"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated, e.g. 法律咨询, 急救: members with these skills are told when it is published."),
    )
    description = models.TextField(pgettext_lazy("volunteering", "description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    cancel_reason = models.CharField(pgettext_lazy("volunteering", "reason for cancelling"), max_length=200, blank=True)
    checkin_token = models.CharField(max_length=40, unique=True, default=new_checkin_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    done_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["building", "status", "starts_at"], name="volunteer_building_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="volunteer_activity_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="volunteer_activity_capacity_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="volunteer_cancelled_has_reason"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("volunteering:detail", args=[self.pk])

    @property
    def source_key(self) -> str:
        """How its room booking names it (``RoomBooking.source``)."""
        return f"volunteering.activity:{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_open(self) -> bool:
        """Still taking sign-ups and withdrawals: published and not begun."""
        return self.is_published and self.starts_at > timezone.now()

    @property
    def hours(self) -> Decimal:
        """Its length in hours, to the half hour (at least half an hour): what a volunteer who came serves."""
        halves = (Decimal((self.ends_at - self.starts_at).total_seconds()) / 1800).quantize(1, ROUND_HALF_UP)
        return max(halves / 2, Decimal("0.5"))

    def skill_tags(self) -> list[str]:
        return split_skills(self.skills_wanted)


def split_skills(text: str) -> list[str]:
    """Tags from text as people type it: separated by commas (half or full width), 、, ；, semicolons or spaces."""
    for separator in "，,、；;/\n\t":
        text = text.replace(separator, " ")
    seen = []
    for tag in text.split(" "):
        tag = tag.strip()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


class Signup(models.Model):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        WAITING = "waiting", _("On the waiting list")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ATTENDED = "attended", _("Took part")
        NO_SHOW = "no_show", _("Did not come")

    class Method(models.TextChoices):
        NONE = "", "—"
        QR = "qr", _("QR check-in")
        ORGANISER = "organiser", _("Recorded by the organiser")

    # Statuses that hold a seat before the event, and those the organiser records after it.
    SEATED = (Status.SIGNED_UP, Status.ATTENDED, Status.NO_SHOW)

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("activity"))
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="volunteer_signups", verbose_name=_("party member")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SIGNED_UP)
    position = models.PositiveIntegerField(
        _("place on the waiting list"), null=True, blank=True, help_text=_("1 is next to move up.")
    )
    hours = models.DecimalField(_("hours served"), max_digits=4, decimal_places=1, null=True, blank=True)
    method = models.CharField(_("recorded how"), max_length=20, choices=Method.choices, blank=True, default="")
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    signed_up_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    promoted_at = models.DateTimeField(_("moved up from the waiting list at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer sign-up")
        verbose_name_plural = _("volunteer sign-ups")
        ordering = ["activity", "signed_up_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="signup_once_per_activity"),
            models.CheckConstraint(
                condition=(Q(status="waiting") & Q(position__isnull=False))
                | (~Q(status="waiting") & Q(position__isnull=True)),
                name="signup_position_only_while_waiting",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0, hours__lte=24), name="signup_hours_in_a_day"
            ),
        ]
        indexes = [models.Index(fields=["member", "status"], name="signup_member_status")]

    def __str__(self):
        return f"{self.member} · {self.activity}"


def photo_path(instance, filename):
    return f"volunteering/{instance.activity_id}/{secrets.token_hex(8)}-{filename}"


class ActivityPhoto(models.Model):
    """A photo of an activity: a private file, served only through a view that checks scope."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos", verbose_name=_("activity"))
    image = models.FileField(_("photo"), upload_to=photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.caption or self.image.name
