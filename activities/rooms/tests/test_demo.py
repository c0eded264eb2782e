"""The demo's activity rooms (activities/rooms/demo.py, and the meetings booking the room in
activities/meetings/demo.py): what admin and secretary1 find after `seed_demo`, and that a second run adds nothing.
Seeding takes seconds: one test checks several promises."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.meetings.models import Meeting
from activities.rooms.models import Room, RoomBooking

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Room.objects.order_by("pk").values_list("pk", "name", "is_active")),
        list(RoomBooking.objects.order_by("pk").values_list("pk", "room_id", "starts_at", "ends_at", "cancelled_at")),
        list(Meeting.objects.exclude(room_booking=None).order_by("pk").values_list("pk", "room_booking")),
    )


def test_the_demo_books_the_activity_room_for_its_meetings_and_a_second_run_adds_nothing():
    call_command("seed_demo", stdout=io.StringIO())

    activity_room = Room.objects.get(name="党支部活动室")
    assert (activity_room.location, activity_room.capacity, activity_room.place) == (
        "中央大厦3楼",
        30,
        "中央大厦3楼党支部活动室",
    )
    assert "物业公司会议室" in activity_room.note
    assert Room.objects.filter(name="党员谈心室", capacity__lt=10).exists()

    # the meetings held in the activity room have booked it, one meeting per slot, never two at once
    booked = Meeting.objects.exclude(room_booking=None).select_related("room_booking")
    assert booked.count() > 50
    assert all(m.place == activity_room.place and m.room_booking.room_id == activity_room.pk for m in booked)
    assert all(m.room_booking.source == f"meetings.meeting:{m.pk}" for m in booked)
    slots = sorted(RoomBooking.objects.active().filter(room=activity_room).values_list("starts_at", "ends_at"))
    assert all(earlier[1] <= later[0] for earlier, later in zip(slots, slots[1:], strict=False))
    # tomorrow's 主题党日 of the first branch is among them (secretary1's home panel shows it)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert booked.filter(kind=Meeting.Kind.THEME_DAY, starts_at__date=tomorrow).exists()

    # a few bookings of other kinds: an enterprise's training, a 座谈会 with the owners, talks in the small room
    plain = RoomBooking.objects.filter(source="")
    titles = set(plain.values_list("title", flat=True))
    assert any("培训" in t for t in titles) and any("座谈会" in t for t in titles)
    assert plain.filter(room__name="党员谈心室").count() == 2
    assert plain.filter(organization=None).exists()  # the enterprise's training is no party organisation's

    before = snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == before
    assert "活动室：已有，未改动" in out.getvalue() and "活动室预约：已有，未改动" in out.getvalue()
