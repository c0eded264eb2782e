"""Every write of room bookings: atomic, keyword-only, each recording who did it."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Room, RoomBooking

NO_OVERLAP = "booking_no_overlap"


def overlap_message(clash: RoomBooking) -> str:
    start, end = timezone.localtime(clash.starts_at), timezone.localtime(clash.ends_at)
    return _("%(room)s is already booked from %(start)s to %(end)s for “%(title)s”.") % {
        "room": clash.room,
        "start": f"{start:%Y-%m-%d %H:%M}",
        "end": f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}",
        "title": clash.title,
    }


def booking_create(
    *,
    room: Room,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    title: str,
    by,
    organization=None,
    source: str = "",
    exclude_pk: int | None = None,
) -> RoomBooking:
    """Book ``room`` for [starts_at, ends_at). Refuses an overlap with a ValidationError naming the booking in the
    way: first by a check under the room's row lock (the guard on SQLite), then by PostgreSQL's exclusion
    constraint (two bookings at the same moment: exactly one wins)."""
    if ends_at <= starts_at:
        raise ValidationError(_("A booking must end after it starts."), code="order")
    if not room.is_active:
        raise ValidationError(_("This room is not in use."), code="inactive")
    try:
        with transaction.atomic():
            Room.objects.select_for_update().filter(pk=room.pk).first()
            clashes = RoomBooking.objects.active().filter(room=room).overlapping(starts_at, ends_at)
            if exclude_pk:
                clashes = clashes.exclude(pk=exclude_pk)
            clash = clashes.select_related("room").first()
            if clash is not None:
                raise ValidationError(overlap_message(clash), code="overlap")
            return RoomBooking.objects.create(
                room=room,
                starts_at=starts_at,
                ends_at=ends_at,
                title=title,
                organization=organization,
                source=source,
                booked_by=by,
            )
    except IntegrityError as error:
        if NO_OVERLAP not in str(error):
            raise
        clash = RoomBooking.objects.active().filter(room=room).overlapping(starts_at, ends_at).first()
        raise ValidationError(
            overlap_message(clash) if clash else _("The room was booked for that time a moment ago."), code="overlap"
        ) from error


@transaction.atomic
def booking_cancel(*, booking: RoomBooking, by) -> RoomBooking:
    if booking.cancelled_at is None:
        booking.cancelled_at = timezone.now()
        booking.cancelled_by = by
        booking.save(update_fields=["cancelled_at", "cancelled_by"])
    return booking
