"""Every write of rooms and their bookings: atomic, keyword-only, each recording who did it.

No two active bookings of one room overlap. Every write that gives a booking a time slot checks under the room's row
lock (the guard on SQLite) and then lets PostgreSQL's exclusion constraint have the last word (two bookings at the
same moment: exactly one wins); either way the person booking gets the same message naming the booking in the way.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Room, RoomBooking

NO_OVERLAP = "booking_no_overlap"
DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected


def overlap_message(clash: RoomBooking) -> str:
    start, end = timezone.localtime(clash.starts_at), timezone.localtime(clash.ends_at)
    return _("%(room)s is already booked from %(start)s to %(end)s for “%(title)s”.") % {
        "room": clash.room,
        "start": f"{start:%Y-%m-%d %H:%M}",
        "end": f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}",
        "title": clash.title,
    }


# --- rooms --------------------------------------------------------------------------------------------------


def _check_name(*, building_id: int, name: str, exclude_pk: int | None = None) -> None:
    same = Room.objects.filter(building_id=building_id, name=name)
    if exclude_pk:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise ValidationError({"name": _("The building already has a room of this name.")})


@transaction.atomic
def room_create(*, building, name: str, by, location: str = "", capacity: int | None = None, note: str = "") -> Room:
    """Add a room to the building's rooms (in use from now on)."""
    name = name.strip()
    _check_name(building_id=building.pk, name=name)
    return Room.objects.create(
        building=building, name=name, location=location.strip(), capacity=capacity, note=note.strip()
    )


@transaction.atomic
def room_update(
    *,
    room: Room,
    name: str,
    by,
    location: str = "",
    capacity: int | None = None,
    note: str = "",
    is_active: bool = True,
) -> Room:
    """Change a room. A room taken out of use keeps its bookings (the caller tells how many are still ahead):
    nobody books it any more, and what was booked is cancelled by a person, not silently."""
    room = Room.objects.select_for_update().get(pk=room.pk)
    name = name.strip()
    _check_name(building_id=room.building_id, name=name, exclude_pk=room.pk)
    room.name = name
    room.location = location.strip()
    room.capacity = capacity
    room.note = note.strip()
    room.is_active = is_active
    room.save(update_fields=["name", "location", "capacity", "note", "is_active"])
    return room


# --- bookings -----------------------------------------------------------------------------------------------


def _check_slot(*, room: Room, starts_at: datetime.datetime, ends_at: datetime.datetime, exclude_pk=None) -> None:
    """Under the room's lock: refuse a slot that is backwards, in a room out of use, or overlapping an active
    booking (one ending as the next starts does not overlap)."""
    if ends_at <= starts_at:
        raise ValidationError(_("A booking must end after it starts."), code="order")
    room = Room.objects.select_for_update().get(pk=room.pk)
    if not room.is_active:
        raise ValidationError(_("This room is not in use."), code="inactive")
    clashes = RoomBooking.objects.active().filter(room=room).overlapping(starts_at, ends_at)
    if exclude_pk:
        clashes = clashes.exclude(pk=exclude_pk)
    clash = clashes.select_related("room").first()
    if clash is not None:
        raise ValidationError(overlap_message(clash), code="overlap")


def _refused_by_database(error: DatabaseError, *, room: Room, starts_at, ends_at, exclude_pk=None):
    """The exclusion constraint refused what the check let through (another booking committed in between):
    the same message as the check's, or the database error itself when it is about something else.

    Two overlapping rows written at the same moment may each wait for the other while the constraint is checked;
    PostgreSQL then ends one of them with "deadlock detected" (40P01) and the other goes on, so that too is an
    overlap refused."""
    deadlocked = getattr(error.__cause__, "pgcode", None) == DEADLOCK and "exclusion constraint" in str(error)
    if NO_OVERLAP not in str(error) and not deadlocked:
        raise error
    clashes = RoomBooking.objects.active().filter(room=room).overlapping(starts_at, ends_at).select_related("room")
    if exclude_pk:
        clashes = clashes.exclude(pk=exclude_pk)
    clash = clashes.first()
    return ValidationError(
        overlap_message(clash) if clash else _("The room was booked for that time a moment ago."), code="overlap"
    )


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
    try:
        with transaction.atomic():
            _check_slot(room=room, starts_at=starts_at, ends_at=ends_at, exclude_pk=exclude_pk)
            return RoomBooking.objects.create(
                room=room,
                starts_at=starts_at,
                ends_at=ends_at,
                title=title.strip()[:200],
                organization=organization,
                source=source,
                booked_by=by,
            )
    except (IntegrityError, OperationalError) as error:
        raise _refused_by_database(error, room=room, starts_at=starts_at, ends_at=ends_at) from error


def booking_update(
    *,
    booking: RoomBooking,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    by,
    title: str | None = None,
    organization=None,
) -> RoomBooking:
    """Move an active booking to another slot of the same room (a meeting moved to another time), checked like a
    new one but never clashing with itself; a change of title or organisation alone checks nothing."""
    try:
        with transaction.atomic():
            booking = RoomBooking.objects.select_for_update().select_related("room").get(pk=booking.pk)
            if booking.is_cancelled:
                raise ValidationError(_("This booking is cancelled."), code="cancelled")
            fields = []
            if (starts_at, ends_at) != (booking.starts_at, booking.ends_at):
                _check_slot(room=booking.room, starts_at=starts_at, ends_at=ends_at, exclude_pk=booking.pk)
                booking.starts_at, booking.ends_at = starts_at, ends_at
                fields += ["starts_at", "ends_at"]
            if title is not None and title.strip()[:200] != booking.title:
                booking.title = title.strip()[:200]
                fields.append("title")
            if organization is not None and organization.pk != booking.organization_id:
                booking.organization = organization
                fields.append("organization")
            if fields:
                booking.save(update_fields=fields)
            return booking
    except (IntegrityError, OperationalError) as error:
        raise _refused_by_database(
            error, room=booking.room, starts_at=starts_at, ends_at=ends_at, exclude_pk=booking.pk
        ) from error


@transaction.atomic
def booking_cancel(*, booking: RoomBooking, by) -> RoomBooking:
    """Cancel a booking: the slot is free again at once. Cancelling twice changes nothing (the first stays)."""
    now = timezone.now()
    if RoomBooking.objects.filter(pk=booking.pk, cancelled_at__isnull=True).update(cancelled_at=now, cancelled_by=by):
        booking.cancelled_at, booking.cancelled_by = now, by
    elif booking.cancelled_at is None:
        booking.refresh_from_db(fields=["cancelled_at", "cancelled_by"])
    return booking
