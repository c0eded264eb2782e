"""Reads of rooms and bookings: the week calendar of one room, a booking's own record, the panel's two days.

The week is an ISO week ("2026-W49", as ``<input type="week">`` writes it), Monday to Sunday in local time. The
calendar lays each day out in quarter-hour rows from ``OPENS_AT`` to ``CLOSES_AT``; a booking is a block over the
rows it covers, clipped to those hours (its own times are shown in full).
"""

import datetime
import math
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from buildingparty.models import Role
from buildingparty.scope import organization_ids

from .models import CLOSES_AT, OPENS_AT, Room, RoomBooking

SLOT_MINUTES = 15
SLOTS = (CLOSES_AT - OPENS_AT) * 60 // SLOT_MINUTES
FIRST_ROW = 2  # row 1 of the grid holds the days' headings
# The page of the record a booking belongs to, by its source's "app_label.model" (names only: the rooms import
# none of the apps that book them). A name that does not resolve just leaves the block without a link.
SOURCE_URLS = {
    "meetings.meeting": ("meetings:detail",),
    "volunteering.activity": ("volunteering:detail", "volunteering:activity_detail"),
}


# --- weeks --------------------------------------------------------------------------------------------------


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def parse_week(value: str | None) -> datetime.date | None:
    """The Monday of an ISO week written "2026-W49" (or of the week holding a date "2026-12-03"); None if
    neither."""
    value = (value or "").strip()
    try:
        if "-W" in value.upper():
            year, week = value.upper().split("-W", 1)
            return datetime.date.fromisocalendar(int(year), int(week), 1)
        return monday_of(datetime.date.fromisoformat(value))
    except ValueError:
        return None


def week_label(monday: datetime.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def bookings_between(rooms, start: datetime.datetime, end: datetime.datetime):
    """The active bookings of ``rooms`` sharing a moment with [start, end), in time order."""
    return (
        RoomBooking.objects.active()
        .filter(room__in=rooms)
        .overlapping(start, end)
        .select_related("room", "organization")
        .order_by("starts_at", "pk")
    )


# --- the calendar -------------------------------------------------------------------------------------------


@dataclass
class Block:
    booking: RoomBooking
    row_start: int
    row_end: int
    url: str | None = None
    starts_before: bool = False  # began on an earlier day (a booking across midnight)
    ends_after: bool = False

    @property
    def rows(self) -> int:
        return self.row_end - self.row_start


@dataclass
class Day:
    date: datetime.date
    column: int
    is_today: bool
    blocks: list[Block] = field(default_factory=list)
    outside: list[Block] = field(default_factory=list)  # only before OPENS_AT or after CLOSES_AT

    @property
    def bookings(self) -> list[Block]:
        """Everything of the day in time order, for the phone's list."""
        return sorted(self.blocks + self.outside, key=lambda b: (b.booking.starts_at, b.booking.pk))


@dataclass(frozen=True)
class Hour:
    label: str
    row: int


def hours() -> list[Hour]:
    return [Hour(f"{h:02d}:00", FIRST_ROW + (h - OPENS_AT) * 60 // SLOT_MINUTES) for h in range(OPENS_AT, CLOSES_AT)]


def source_url(booking: RoomBooking, user) -> str | None:
    """The page of the record the booking belongs to, when the user can open it: an admin or street viewer
    always, a secretary when the booking's organisation is in her reach."""
    names = SOURCE_URLS.get(booking.source_kind)
    if not names or booking.source_pk is None:
        return None
    if user.role == Role.SECRETARY and booking.organization_id not in organization_ids(user):
        return None
    if user.role not in (Role.ADMIN, Role.SECRETARY, Role.STREET):
        return None
    for name in names:
        try:
            return reverse(name, args=[booking.source_pk])
        except NoReverseMatch:
            continue
    return None


def _block(booking: RoomBooking, day: datetime.date, url: str | None) -> Block:
    opens = _midnight(day) + datetime.timedelta(hours=OPENS_AT)
    start, end = max(booking.starts_at, opens), booking.ends_at
    first = math.floor((start - opens).total_seconds() / 60 / SLOT_MINUTES)
    last = math.ceil((end - opens).total_seconds() / 60 / SLOT_MINUTES)
    first, last = max(first, 0), min(last, SLOTS)
    return Block(
        booking=booking,
        row_start=FIRST_ROW + first,
        row_end=FIRST_ROW + max(last, first + 1),
        url=url,
        starts_before=booking.starts_at < _midnight(day),
        ends_after=booking.ends_at > _midnight(day + datetime.timedelta(days=1)),
    )


def week(room: Room, monday: datetime.date, *, user, today: datetime.date | None = None) -> list[Day]:
    """The seven days of ``room`` from ``monday``: one query for the bookings, whatever their number."""
    today = today or timezone.localdate()
    dates = [monday + datetime.timedelta(days=i) for i in range(7)]
    days = [Day(date=date, column=i + 2, is_today=date == today) for i, date in enumerate(dates)]
    start, end = _midnight(monday), _midnight(monday + datetime.timedelta(days=7))
    for booking in bookings_between([room], start, end):
        url = source_url(booking, user)
        for day in days:
            day_start = _midnight(day.date)
            if not (booking.starts_at < day_start + datetime.timedelta(days=1) and booking.ends_at > day_start):
                continue
            opens = day_start + datetime.timedelta(hours=OPENS_AT)
            closes = day_start + datetime.timedelta(hours=CLOSES_AT)
            block = _block(booking, day.date, url)
            if booking.starts_at < closes and booking.ends_at > opens:
                day.blocks.append(block)
            else:
                day.outside.append(block)
    return days


def panel_bookings(user, today: datetime.date) -> list[RoomBooking]:
    """Today's and tomorrow's active bookings of the rooms the user sees, in time order."""
    start = _midnight(today)
    return list(bookings_between(Room.objects.for_user(user), start, start + datetime.timedelta(days=2)))
