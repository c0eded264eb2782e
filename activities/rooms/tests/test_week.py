"""The week calendar's layout (activities/rooms/selectors.py): ISO weeks, quarter-hour rows from 08:00 to 22:00,
blocks clipped to those hours, bookings outside them still listed."""

import datetime

import pytest
from django.utils import timezone

from activities.rooms import selectors
from activities.rooms.models import CLOSES_AT, OPENS_AT

from .factories import BookingFactory, RoomFactory, at

MONDAY = datetime.date(2026, 11, 30)  # ISO week 2026-W49


@pytest.mark.parametrize(
    "value, monday",
    [
        ("2026-W49", MONDAY),
        ("2026-w49", MONDAY),
        ("2026-W1", datetime.date(2025, 12, 29)),
        ("2026-12-03", MONDAY),
        ("", None),
        ("2026-W60", None),
        ("someday", None),
    ],
)
def test_a_week_is_read_as_iso_week_or_the_week_of_a_date(value, monday):
    assert selectors.parse_week(value) == monday


def test_a_week_is_written_as_its_iso_week():
    assert selectors.week_label(MONDAY) == "2026-W49"
    assert selectors.week_label(datetime.date(2027, 1, 1) - datetime.timedelta(days=4)) == "2026-W53"


def test_the_hours_run_from_opening_to_closing_four_rows_each():
    hours = selectors.hours()
    assert [h.label for h in hours][:2] == ["08:00", "09:00"] and hours[-1].label == f"{CLOSES_AT - 1}:00"
    assert len(hours) == CLOSES_AT - OPENS_AT
    assert hours[1].row - hours[0].row == 4
    assert selectors.SLOTS == (CLOSES_AT - OPENS_AT) * 4


@pytest.fixture
def room(building):
    return RoomFactory(building=building)


def blocks_of(days, date):
    return next(d for d in days if d.date == date)


@pytest.mark.django_db
def test_a_booking_covers_the_rows_of_its_quarter_hours(room, admin_user):
    wednesday = MONDAY + datetime.timedelta(days=2)
    booking = BookingFactory(room=room, starts_at=at(wednesday, 14, 30), ends_at=at(wednesday, 16, 30))
    days = selectors.week(room, MONDAY, user=admin_user, today=wednesday)
    day = blocks_of(days, wednesday)
    assert day.is_today and day.column == 4
    (block,) = day.blocks
    assert block.booking == booking
    assert block.row_start == selectors.FIRST_ROW + (14 - OPENS_AT) * 4 + 2
    assert block.rows == 8
    assert sum(len(d.blocks) for d in days) == 1 and [d.is_today for d in days].count(True) == 1


@pytest.mark.django_db
def test_a_booking_reaching_past_the_hours_is_clipped_and_one_outside_them_is_listed(room, admin_user):
    tuesday = MONDAY + datetime.timedelta(days=1)
    early = BookingFactory(room=room, starts_at=at(tuesday, 7), ends_at=at(tuesday, 9))
    night = BookingFactory(room=room, starts_at=at(tuesday, 22), ends_at=at(tuesday, 23))
    day = blocks_of(selectors.week(room, MONDAY, user=admin_user), tuesday)
    (block,) = day.blocks
    assert block.booking == early and block.row_start == selectors.FIRST_ROW and block.rows == 4
    assert [b.booking for b in day.outside] == [night]
    assert [b.booking for b in day.bookings] == [early, night]


@pytest.mark.django_db
def test_a_booking_across_midnight_shows_on_both_days(room, admin_user):
    friday = MONDAY + datetime.timedelta(days=4)
    booking = BookingFactory(room=room, starts_at=at(friday, 20), ends_at=at(friday + datetime.timedelta(days=1), 10))
    days = selectors.week(room, MONDAY, user=admin_user)
    first, second = blocks_of(days, friday).blocks[0], blocks_of(days, friday + datetime.timedelta(days=1)).blocks[0]
    assert first.booking == second.booking == booking
    assert first.ends_after and not first.starts_before and second.starts_before
    assert second.row_start == selectors.FIRST_ROW and second.rows == 8


@pytest.mark.django_db
def test_the_week_leaves_out_cancelled_bookings_and_other_weeks(room, admin_user):
    BookingFactory(room=room, starts_at=at(MONDAY, 9), cancelled_at=timezone.now())
    BookingFactory(room=room, starts_at=at(MONDAY - datetime.timedelta(days=1), 9))
    BookingFactory(room=room, starts_at=at(MONDAY + datetime.timedelta(days=7), 9))
    BookingFactory(room=RoomFactory(building=room.building), starts_at=at(MONDAY, 9))
    assert not any(d.blocks or d.outside for d in selectors.week(room, MONDAY, user=admin_user))
