"""The week calendar is kept whole, as HTML, with the room's name for the title, in ``buildingparty.data_cache``
(issue 15): a second visit reads no booking from the database, a write (a booking made or cancelled, a room
renamed) shows on the next visit, and what is kept for one scope (a building's rooms, a branch's links) is never
shown to another.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.rooms import selectors, services
from activities.rooms.models import Room, RoomBooking
from tests.factories import UserFactory
from tests.kept import main, queries_on, signed_in

from .factories import BookingFactory, RoomFactory, a_week_ahead, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

WEEK = reverse("rooms:week")


def title(response) -> str:
    return response.content.decode().split("<title>", 1)[1].split("</title>", 1)[0]


@pytest.fixture
def room(building):
    return RoomFactory(building=building, name="党支部活动室")


def next_week(room) -> dict:
    return {"room": room.pk, "week": selectors.week_label(a_week_ahead())}


def test_the_week_is_kept_and_shows_a_write_at_once(secretary_a, branch_a, room):
    booking = BookingFactory(
        room=room, starts_at=at(a_week_ahead(), 14), ends_at=at(a_week_ahead(), 16), title="支委会"
    )
    ours = signed_in(secretary_a)
    query = next_week(room)

    first = ours.get(WEEK, query)
    with CaptureQueriesContext(connection) as again:
        second = ours.get(WEEK, query)
    assert main(second) == main(first) and "支委会" in main(second)
    assert "党支部活动室" in title(second)  # the title kept with the content
    assert not queries_on(again, "rooms_roombooking") and not queries_on(again, "rooms_room")  # from the cache

    RoomBooking.objects.filter(pk=booking.pk).update(title="改过的预约")  # a bulk update
    page = main(ours.get(WEEK, query))
    assert "改过的预约" in page and "支委会" not in page
    made = services.booking_create(  # through the service, as the booking form does
        room=room,
        starts_at=at(a_week_ahead(), 9),
        ends_at=at(a_week_ahead(), 10),
        title="党务知识培训",
        organization=branch_a,
        by=secretary_a,
    )
    block = f'data-booking="{made.pk}"'
    assert block in main(ours.get(WEEK, query))
    response = ours.post(reverse("rooms:cancel", args=[made.pk]))  # the cancel button
    assert response.status_code == 302
    assert block not in main(ours.get(WEEK, query))

    Room.objects.filter(pk=room.pk).update(name="改名的活动室")  # the room: title and heading
    response = ours.get(WEEK, query)
    assert "改名的活动室" in title(response) and "改名的活动室" in main(response)


def test_the_default_week_is_kept_and_follows_a_room_taken_out_of_use(admin_user, building, room):
    ours = signed_in(admin_user)
    assert 'data-testid="book-link"' in main(ours.get(WEEK))
    with CaptureQueriesContext(connection) as again:
        assert 'data-testid="book-link"' in main(ours.get(WEEK))
    assert not queries_on(again, "rooms_room")
    room.is_active = False
    room.save()  # an ORM save
    assert 'data-testid="book-link"' not in main(ours.get(WEEK))


def test_two_buildings_and_two_branches_never_see_each_others_week(
    admin_user, secretary_a, secretary_b, branch_a, room, outsider
):
    other = RoomFactory(building=outsider.building, name="另一幢楼的活动室")
    BookingFactory(room=other, starts_at=at(a_week_ahead(), 14), ends_at=at(a_week_ahead(), 15), title="另一幢楼的预约")
    other_admin = UserFactory(username="admin_x", role="admin", building=outsider.building)
    BookingFactory(
        room=room,
        starts_at=at(a_week_ahead(), 10),
        ends_at=at(a_week_ahead(), 11),
        title="一支部的会",
        organization=branch_a,
        source="meetings.meeting:7",
    )
    meeting = reverse("meetings:detail", args=[7])
    week = {"week": selectors.week_label(a_week_ahead())}
    ours, theirs, branch_b = signed_in(secretary_a), signed_in(other_admin), signed_in(secretary_b)
    for _ in range(2):  # the second round from the cache
        mine = main(ours.get(WEEK, week))
        assert "党支部活动室" in mine and "一支部的会" in mine and meeting in mine
        assert "另一幢楼" not in mine
        other_building = main(theirs.get(WEEK, week))
        assert "另一幢楼的预约" in other_building and "一支部的会" not in other_building
        other_branch = main(branch_b.get(WEEK, week))  # the same building, not her branch's meeting: no link
        assert "一支部的会" in other_branch and meeting not in other_branch
        assert theirs.get(WEEK, {"room": room.pk}).status_code == 404  # another building's room
        assert ours.get(WEEK, {"room": other.pk}).status_code == 404
