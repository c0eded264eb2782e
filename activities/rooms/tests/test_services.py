"""Booking a room (activities/rooms/services.py): no two active bookings of a room share a moment, whatever the
database; moving and cancelling; the rooms themselves."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from activities.rooms import services
from activities.rooms.models import RoomBooking

from .factories import RoomFactory, a_week_ahead, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(building):
    return RoomFactory(building=building, name="党支部活动室")


def book(room, start, end, *, title="支委会", by=None, **kwargs):
    return services.booking_create(
        room=room, starts_at=at(a_week_ahead(), *start), ends_at=at(a_week_ahead(), *end), title=title, by=by, **kwargs
    )


def test_a_slot_is_booked_with_who_booked_it(room, admin_user, branch_a):
    booking = book(room, (10,), (12,), by=admin_user, organization=branch_a)
    assert (booking.room, booking.booked_by, booking.organization, booking.is_cancelled) == (
        room,
        admin_user,
        branch_a,
        False,
    )


def test_an_overlapping_slot_is_refused_naming_the_booking_in_the_way(room):
    book(room, (10,), (12,), title="第一党支部支委会")
    with pytest.raises(ValidationError) as refused:
        book(room, (11,), (13,), title="党课")
    assert refused.value.code == "overlap"
    assert "第一党支部支委会" in refused.value.messages[0]
    assert f"{a_week_ahead():%Y-%m-%d} 10:00" in refused.value.messages[0]
    assert RoomBooking.objects.count() == 1


@pytest.mark.parametrize(
    "start, end",
    [((9,), (10, 30)), ((11, 59), (12, 30)), ((10, 30), (11,)), ((8,), (14,))],
    ids=["ends-inside", "starts-inside", "inside", "around"],
)
def test_every_kind_of_overlap_is_refused(room, start, end):
    book(room, (10,), (12,))
    with pytest.raises(ValidationError):
        book(room, start, end)


def test_touching_slots_are_both_fine(room):
    book(room, (10,), (12,))
    book(room, (12,), (14,))
    book(room, (8,), (10,))
    assert RoomBooking.objects.active().count() == 3


def test_another_room_is_free_at_the_same_time(room, building):
    book(room, (10,), (12,))
    book(RoomFactory(building=building, name="党员谈心室"), (10,), (12,))
    assert RoomBooking.objects.count() == 2


def test_a_cancelled_booking_frees_its_slot(room, admin_user):
    first = book(room, (10,), (12,))
    services.booking_cancel(booking=first, by=admin_user)
    second = book(room, (10,), (12,), title="党课")
    assert first.is_cancelled and first.cancelled_by == admin_user
    assert list(RoomBooking.objects.active()) == [second]


def test_cancelling_twice_keeps_the_first_cancellation(room, admin_user, secretary_a):
    booking = book(room, (10,), (12,))
    services.booking_cancel(booking=booking, by=admin_user)
    cancelled_at = booking.cancelled_at
    again = services.booking_cancel(booking=RoomBooking.objects.get(pk=booking.pk), by=secretary_a)
    assert (again.cancelled_at, again.cancelled_by) == (cancelled_at, admin_user)


def test_a_booking_must_end_after_it_starts(room):
    with pytest.raises(ValidationError) as refused:
        book(room, (12,), (12,))
    assert refused.value.code == "order"


def test_a_room_out_of_use_cannot_be_booked(room):
    room.is_active = False
    room.save()
    with pytest.raises(ValidationError) as refused:
        book(room, (10,), (12,))
    assert refused.value.code == "inactive"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL's own constraint: test_constraint.py")
def test_on_sqlite_the_service_alone_refuses_an_overlap(room):
    """SQLite has no exclusion constraint: a row written past the service overlaps unnoticed, so every booking
    goes through ``booking_create``, whose check under the room's lock refuses it."""
    book(room, (10,), (12,))
    RoomBooking.objects.create(
        room=room, starts_at=at(a_week_ahead(), 11), ends_at=at(a_week_ahead(), 13), title="绕过服务"
    )
    assert RoomBooking.objects.active().count() == 2
    with pytest.raises(ValidationError):
        book(room, (11,), (13,))


# --- moving -------------------------------------------------------------------------------------------------


def test_moving_a_booking_never_clashes_with_itself(room, admin_user):
    booking = book(room, (10,), (12,))
    moved = services.booking_update(
        booking=booking, starts_at=at(a_week_ahead(), 11), ends_at=at(a_week_ahead(), 13), by=admin_user
    )
    assert (moved.starts_at, moved.ends_at) == (at(a_week_ahead(), 11), at(a_week_ahead(), 13))


def test_moving_onto_another_booking_is_refused_and_nothing_moves(room, admin_user):
    booking = book(room, (10,), (12,))
    book(room, (14,), (16,), title="党课")
    with pytest.raises(ValidationError) as refused:
        services.booking_update(
            booking=booking, starts_at=at(a_week_ahead(), 13), ends_at=at(a_week_ahead(), 15), by=admin_user
        )
    assert "党课" in refused.value.messages[0]
    booking.refresh_from_db()
    assert (booking.starts_at, booking.ends_at) == (at(a_week_ahead(), 10), at(a_week_ahead(), 12))


def test_a_new_title_alone_is_saved_even_in_a_room_out_of_use(room, admin_user):
    booking = book(room, (10,), (12,))
    room.is_active = False
    room.save()
    services.booking_update(
        booking=booking, starts_at=booking.starts_at, ends_at=booking.ends_at, title="新议题", by=admin_user
    )
    assert RoomBooking.objects.get(pk=booking.pk).title == "新议题"


def test_a_cancelled_booking_cannot_be_moved(room, admin_user):
    booking = book(room, (10,), (12,))
    services.booking_cancel(booking=booking, by=admin_user)
    with pytest.raises(ValidationError):
        services.booking_update(
            booking=booking, starts_at=at(a_week_ahead(), 14), ends_at=at(a_week_ahead(), 15), by=admin_user
        )


# --- rooms --------------------------------------------------------------------------------------------------


def test_a_room_is_added_in_use_with_its_place(building, admin_user):
    room = services.room_create(building=building, name=" 党支部活动室 ", location="中央大厦3楼", by=admin_user)
    assert (room.name, room.is_active, room.place) == ("党支部活动室", True, "中央大厦3楼党支部活动室")


def test_a_place_of_latin_words_keeps_a_space(building):
    room = RoomFactory(building=building, name="Activity room", location="3rd floor")
    assert room.place == "3rd floor Activity room"
    assert RoomFactory(building=building, name="谈心室", location="").place == "谈心室"


def test_two_rooms_of_one_building_cannot_share_a_name(room, admin_user, outsider):
    with pytest.raises(ValidationError) as refused:
        services.room_create(building=room.building, name="党支部活动室", by=admin_user)
    assert "name" in refused.value.error_dict
    talk_room = RoomFactory(building=room.building, name="谈心室")
    with pytest.raises(ValidationError):
        services.room_update(room=talk_room, name="党支部活动室", by=admin_user)
    services.room_create(building=outsider.building, name="党支部活动室", by=None)  # another building may


def test_taking_a_room_out_of_use_keeps_its_bookings(room, admin_user):
    booking = book(room, (10,), (12,))
    services.room_update(room=room, name=room.name, location=room.location, is_active=False, by=admin_user)
    room.refresh_from_db()
    assert not room.is_active
    assert RoomBooking.objects.get(pk=booking.pk).cancelled_at is None


class _Cause(Exception):
    def __init__(self, pgcode):
        super().__init__(pgcode)
        self.pgcode = pgcode


def _database_error(pgcode, text):
    from django.db import OperationalError

    error = OperationalError(text)
    error.__cause__ = _Cause(pgcode)
    return error


def test_a_deadlock_while_checking_the_exclusion_constraint_is_an_overlap_refused(room):
    # Two overlapping rows written at the same moment may wait for each other during the constraint's check;
    # PostgreSQL ends one with "deadlock detected" and the other goes on: for the one ended, the room is taken.
    error = _database_error(
        "40P01", 'deadlock detected\nCONTEXT:  while checking exclusion constraint on tuple (0,2) in relation "x"'
    )
    refusal = services._refused_by_database(
        error, room=room, starts_at=at(a_week_ahead(), 10), ends_at=at(a_week_ahead(), 12)
    )
    assert isinstance(refusal, ValidationError) and refusal.code == "overlap"


@pytest.mark.parametrize(
    "pgcode, text", [("40P01", "deadlock detected while updating something else"), ("57014", "statement timeout")]
)
def test_any_other_database_error_is_raised_as_it_is(room, pgcode, text):
    error = _database_error(pgcode, text)
    with pytest.raises(type(error)):
        services._refused_by_database(
            error, room=room, starts_at=at(a_week_ahead(), 10), ends_at=at(a_week_ahead(), 12)
        )
