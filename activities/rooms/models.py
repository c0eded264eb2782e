"""The building's activity rooms (党支部活动室: the property company's meeting room, DOMAIN.md §9) and their
bookings by time slot.

No two bookings of one room overlap. On PostgreSQL the database itself refuses an overlap: an exclusion constraint
over (room, time range) with btree_gist (migration 0002), so two bookings attempted at the same moment cannot both
win. On SQLite ``services.booking_create`` checks under the room's lock; it does the same check on PostgreSQL too,
so the person booking gets a clear message instead of a database error.

A booking may belong to another record (a meeting, a volunteer activity): ``source`` names it as
"app_label.model:pk", the same way points name theirs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The hours the week calendar shows and a plain booking may take (the property company's office hours and evening
# meetings); a meeting booking the room may start earlier or end later, and shows clipped to these hours.
OPENS_AT = 8
CLOSES_AT = 22


class RoomQuerySet(models.QuerySet):
    def for_user(self, user):
        """The rooms of the user's building (street viewers: every building)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == "street":
            return self
        return self.filter(building_id=user.building_id)


class Room(models.Model):
    building = models.ForeignKey(
        "buildingparty.Building", on_delete=models.PROTECT, related_name="rooms", verbose_name=_("building")
    )
    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location"), max_length=100, blank=True, help_text=_("E.g. 3rd floor, room 301."))
    capacity = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity room")
        verbose_name_plural = _("activity rooms")
        ordering = ["building", "name"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="room_name_unique_in_building")]

    def __str__(self):
        return self.name

    @property
    def place(self) -> str:
        """Where the room is, as a meeting's place reads: "中央大厦3楼党支部活动室" (a space between Latin words)."""
        if not self.location:
            return self.name
        gap = " " if self.location[-1].isascii() and self.name[:1].isascii() else ""
        return f"{self.location}{gap}{self.name}"


class BookingQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == "street":
            return self
        return self.filter(room__building_id=user.building_id)

    def active(self):
        return self.filter(cancelled_at__isnull=True)

    def overlapping(self, starts_at, ends_at):
        """Bookings that share any moment with [starts_at, ends_at): one ending as the next starts does not."""
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class RoomBooking(models.Model):
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=pgettext_lazy("booking", "room")
    )
    starts_at = models.DateTimeField(pgettext_lazy("booking", "from"))
    ends_at = models.DateTimeField(pgettext_lazy("booking", "until"))
    title = models.CharField(_("what for"), max_length=200)
    organization = models.ForeignKey(
        "buildingparty.PartyOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="room_bookings",
        verbose_name=pgettext_lazy("booking", "organisation"),
    )
    # The record the booking belongs to, as "app_label.model:pk" (e.g. "meetings.meeting:42"); empty for a plain one.
    source = models.CharField(_("source"), max_length=100, blank=True, db_index=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("booked by")
    )
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("room booking")
        verbose_name_plural = _("room bookings")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["room", "starts_at"], name="booking_room_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.room} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.title}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def source_kind(self) -> str:
        """The app label and model of the record the booking belongs to ("meetings.meeting"), or ""."""
        return self.source.partition(":")[0]

    @property
    def source_pk(self) -> int | None:
        kind, _sep, pk = self.source.partition(":")
        return int(pk) if kind and pk.isdigit() else None
