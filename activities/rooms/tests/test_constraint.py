"""PostgreSQL's guarantee (migration rooms/0002): the database itself refuses two active bookings of one room that
share a moment, so two people booking at the same moment cannot both win, and nothing written past the service
overlaps either. SQLite has no such constraint: test_services.py shows the service refusing there."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from activities.rooms import services
from activities.rooms.models import RoomBooking
from tests.concurrency import at_the_same_moment

from .factories import RoomFactory, a_week_ahead, at

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint needs PostgreSQL")


@pytest.fixture
def room(building):
    return RoomFactory(building=building, name="党支部活动室")


@pytest.mark.django_db
def test_the_database_has_the_exclusion_constraint():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s", [services.NO_OVERLAP]
        )
        rows = cursor.fetchall()
    assert len(rows) == 1
    kind, definition = rows[0]
    assert kind == "x"  # an exclusion constraint
    assert "gist" in definition and "room_id WITH =" in definition and "&&" in definition
    assert "cancelled_at IS NULL" in definition


@pytest.mark.django_db
def test_an_overlapping_row_written_past_the_service_is_refused_by_the_database(room):
    RoomBooking.objects.create(
        room=room, starts_at=at(a_week_ahead(), 10), ends_at=at(a_week_ahead(), 12), title="支委会"
    )
    with pytest.raises(IntegrityError, match=services.NO_OVERLAP), transaction.atomic():
        RoomBooking.objects.create(
            room=room, starts_at=at(a_week_ahead(), 11), ends_at=at(a_week_ahead(), 13), title="绕过服务"
        )
    # touching slots, another room and a cancelled booking's slot are all fine for the database too
    RoomBooking.objects.create(
        room=room, starts_at=at(a_week_ahead(), 12), ends_at=at(a_week_ahead(), 14), title="党课"
    )
    RoomBooking.objects.create(
        room=RoomFactory(building=room.building),
        starts_at=at(a_week_ahead(), 11),
        ends_at=at(a_week_ahead(), 13),
        title="另一间",
    )
    RoomBooking.objects.create(
        room=room,
        starts_at=at(a_week_ahead(), 11),
        ends_at=at(a_week_ahead(), 13),
        title="已取消",
        cancelled_at=timezone.now(),
    )
    assert RoomBooking.objects.filter(room=room).count() == 3


@pytest.mark.django_db
def test_moving_a_row_onto_another_past_the_service_is_refused_by_the_database(room):
    RoomBooking.objects.create(
        room=room, starts_at=at(a_week_ahead(), 10), ends_at=at(a_week_ahead(), 12), title="支委会"
    )
    other = RoomBooking.objects.create(
        room=room, starts_at=at(a_week_ahead(), 14), ends_at=at(a_week_ahead(), 16), title="党课"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomBooking.objects.filter(pk=other.pk).update(starts_at=at(a_week_ahead(), 11))


def two_bookings_at_the_same_moment(room):
    def first():
        return services.booking_create(
            room=room, starts_at=at(a_week_ahead(), 10), ends_at=at(a_week_ahead(), 12), title="第一党支部", by=None
        )

    def second():
        return services.booking_create(
            room=room, starts_at=at(a_week_ahead(), 11), ends_at=at(a_week_ahead(), 13), title="第二党支部", by=None
        )

    return at_the_same_moment(first, second)


def exactly_one_wins(outcomes, room):
    winners = [o.result for o in outcomes if o.error is None]
    losers = [o.error for o in outcomes if o.error is not None]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], ValidationError) and losers[0].code == "overlap"
    assert winners[0].title in losers[0].messages[0] or "a moment ago" in losers[0].messages[0]
    assert list(RoomBooking.objects.filter(room=room)) == [winners[0]]


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_bookings_at_the_same_moment_one_wins_and_the_other_is_told(room):
    exactly_one_wins(two_bookings_at_the_same_moment(room), room)


@pytest.mark.django_db(transaction=True)
def test_without_the_lock_the_exclusion_constraint_alone_lets_exactly_one_win(room, monkeypatch):
    """The check under the room's lock skipped (as if two processes passed it together): the constraint decides,
    and the loser still gets the overlap message, not a database error."""
    monkeypatch.setattr(services, "_check_slot", lambda **kwargs: None)
    exactly_one_wins(two_bookings_at_the_same_moment(room), room)
