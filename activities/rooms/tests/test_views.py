"""The room pages: the rooms, the week calendar, the bookings, booking a slot and cancelling it, and who may open
each (admins and secretaries book, admins keep the rooms, the street reads, members have no room pages)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.rooms import selectors, services
from activities.rooms.models import Room, RoomBooking

from .factories import BookingFactory, RoomFactory, a_week_ahead, at

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"rooms:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def room(building):
    return RoomFactory(building=building, name="党支部活动室", location="中央大厦3楼", capacity=30)


@pytest.fixture
def other_room(outsider):
    return RoomFactory(building=outsider.building, name="另一幢楼的活动室")


@pytest.fixture
def booking(room, secretary_a, branch_a):
    return services.booking_create(
        room=room,
        starts_at=at(a_week_ahead(), 14),
        ends_at=at(a_week_ahead(), 16),
        title="第一党支部支委会",
        organization=branch_a,
        by=secretary_a,
    )


@pytest.fixture
def other_booking(other_room):
    return BookingFactory(room=other_room, title="另一幢楼的预约")


def booking_data(room, **overrides):
    data = {
        "room": room.pk,
        "title": "党务知识培训",
        "organization": "",
        "day": a_week_ahead().isoformat(),
        "starts_at": "09:00",
        "ends_at": "11:00",
    }
    return {**data, **overrides}


# --- who may open what --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, room, booking):
    for target in [url("list"), url("create"), url("edit", room.pk), url("week"), url("bookings"), url("book")]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    assert client.post(url("cancel", booking.pk))["Location"].startswith(reverse("login"))


def test_cancelling_is_post_only(admin_client, booking):
    assert admin_client.get(url("cancel", booking.pk)).status_code == 405


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_members_liaisons_and_contacts_have_no_room_pages(request, login_as, persona, room, booking):
    client = login_as(request.getfixturevalue(persona))
    for target in [url("list"), url("week"), url("bookings"), url("book"), url("create"), url("edit", room.pk)]:
        assert client.get(target).status_code == 403, target
    assert client.post(url("cancel", booking.pk)).status_code == 403
    assert RoomBooking.objects.active().count() == 1


def test_a_street_viewer_reads_rooms_calendars_and_bookings_but_changes_nothing(login_as, street_user, room, booking):
    client = login_as(street_user)
    assert client.get(url("list")).status_code == 200
    response = client.get(url("week"), {"room": room.pk, "week": selectors.week_label(a_week_ahead())})
    assert response.status_code == 200 and not response.context["can_book"]
    assert "第一党支部支委会" in response.content.decode()
    assert [b.pk for b in client.get(url("bookings")).context["page"]] == [booking.pk]
    assert client.get(url("book")).status_code == 403
    assert client.get(url("create")).status_code == 403
    assert client.get(url("edit", room.pk)).status_code == 403
    assert client.post(url("cancel", booking.pk)).status_code == 403


def test_a_secretary_books_but_does_not_keep_the_rooms(secretary_a_client, room):
    assert secretary_a_client.get(url("book")).status_code == 200
    assert secretary_a_client.get(url("create")).status_code == 403
    assert secretary_a_client.get(url("edit", room.pk)).status_code == 403
    assert secretary_a_client.post(url("create"), {"name": "新房间"}).status_code == 403


def test_another_buildings_room_and_booking_are_not_found(admin_client, other_room, other_booking):
    assert admin_client.get(url("week"), {"room": other_room.pk}).status_code == 404
    assert admin_client.get(url("edit", other_room.pk)).status_code == 404
    assert admin_client.get(url("book"), {"room": other_room.pk}).status_code == 404
    assert admin_client.post(url("cancel", other_booking.pk)).status_code == 404
    assert admin_client.get(url("week"), {"room": "not-a-room"}).status_code == 404


def test_another_buildings_rooms_and_bookings_are_not_listed(admin_client, room, booking, other_room, other_booking):
    assert [r.pk for r in admin_client.get(url("list")).context["rooms"]] == [room.pk]
    assert [b.pk for b in admin_client.get(url("bookings")).context["page"]] == [booking.pk]


# --- the rooms ----------------------------------------------------------------------------------------------


def test_an_admin_adds_a_room(admin_client, building):
    response = admin_client.post(
        url("create"), {"name": "党支部活动室", "location": "中央大厦3楼", "capacity": "30", "note": "物业公司会议室"}
    )
    assert response.status_code == 302 and response["Location"] == url("list")
    room = Room.objects.get(building=building)
    assert (room.name, room.place, room.capacity, room.is_active) == (
        "党支部活动室",
        "中央大厦3楼党支部活动室",
        30,
        True,
    )


def test_a_room_name_already_in_the_building_is_refused_next_to_the_name(admin_client, room):
    response = admin_client.post(url("create"), {"name": "党支部活动室"})
    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert Room.objects.count() == 1


def test_an_admin_takes_a_room_out_of_use_and_is_told_of_the_bookings_ahead(admin_client, room, booking):
    response = admin_client.post(
        url("edit", room.pk), {"name": room.name, "location": room.location, "capacity": "30"}, follow=True
    )
    room.refresh_from_db()
    assert not room.is_active
    assert messages_of(response) == ["活动室信息已保存。", "活动室已停用；此后还有 1 条预约，取消前仍然保留。"]
    assert RoomBooking.objects.active().count() == 1


def test_a_room_out_of_use_is_not_offered_for_booking(secretary_a_client, room, building):
    room.is_active = False
    room.save()
    in_use = RoomFactory(building=building, name="党员谈心室")
    form = secretary_a_client.get(url("book")).context["form"]
    assert list(form.fields["room"].queryset) == [in_use]


# --- the week calendar --------------------------------------------------------------------------------------


def test_the_week_shows_seven_days_with_the_bookings_as_blocks(secretary_a_client, room, booking):
    response = secretary_a_client.get(url("week"), {"room": room.pk, "week": selectors.week_label(a_week_ahead())})
    assert response.status_code == 200
    days = response.context["days"]
    assert [d.date for d in days] == [
        selectors.monday_of(a_week_ahead()) + datetime.timedelta(days=i) for i in range(7)
    ]
    day = next(d for d in days if d.date == a_week_ahead())
    assert [b.booking for b in day.blocks] == [booking]
    html = response.content.decode()
    assert "第一党支部支委会" in html and "14:00–16:00" in html and "第一党支部" in html


def test_the_week_links_to_the_previous_and_next_weeks(admin_client, room):
    response = admin_client.get(url("week"), {"room": room.pk, "week": "2026-W49"})
    assert response.context["monday"] == datetime.date(2026, 11, 30)
    assert "week=2026-W48" in response.context["previous_url"]
    assert "week=2027-W01" in admin_client.get(url("week"), {"room": room.pk, "week": "2026-W53"}).context["next_url"]
    assert "week=2026-W50" in response.context["next_url"]


def test_this_week_is_shown_without_a_week_and_marks_today(admin_client, room):
    response = admin_client.get(url("week"))
    assert response.context["room"] == room
    assert response.context["monday"] == selectors.monday_of(timezone.localdate())
    assert [d.date for d in response.context["days"] if d.is_today] == [timezone.localdate()]
    assert 'data-testid="today"' in response.content.decode()


def test_an_unreadable_week_falls_back_to_this_week(admin_client, room):
    response = admin_client.get(url("week"), {"room": room.pk, "week": "next tuesday"})
    assert response.status_code == 200 and response.context["monday"] == selectors.monday_of(timezone.localdate())


def test_the_week_without_any_room_invites_the_admin_to_add_one(admin_client):
    response = admin_client.get(url("week"))
    assert response.status_code == 200 and 'data-testid="no-rooms"' in response.content.decode()


def test_a_meetings_block_links_to_the_meeting_for_those_who_can_open_it(
    login_as, admin_user, secretary_b, room, branch_a
):
    booking = BookingFactory(
        room=room,
        starts_at=at(a_week_ahead(), 9),
        ends_at=at(a_week_ahead(), 10),
        organization=branch_a,
        source="meetings.meeting:7",
    )
    week = {"room": room.pk, "week": selectors.week_label(a_week_ahead())}
    admin_days = login_as(admin_user).get(url("week"), week).context["days"]
    assert [b.url for d in admin_days for b in d.blocks] == [reverse("meetings:detail", args=[7])]
    other_secretary_days = login_as(secretary_b).get(url("week"), week).context["days"]
    assert [b.url for d in other_secretary_days for b in d.blocks] == [None]
    assert booking.source_pk == 7


@pytest.mark.parametrize("scale", [1, 3])
def test_the_week_takes_the_same_queries_however_many_bookings(
    secretary_a_client, room, branch_a, django_assert_num_queries, scale
):
    monday = selectors.monday_of(a_week_ahead())
    for n in range(4 * scale):
        day = monday + datetime.timedelta(days=n % 7)
        hour = 8 + 2 * (n // 7)
        BookingFactory(
            room=room,
            starts_at=at(day, hour),
            ends_at=at(day, hour + 1),
            organization=branch_a,
            source=f"meetings.meeting:{n + 1}" if n % 2 else "",
        )
    query = {"room": room.pk, "week": selectors.week_label(monday)}
    secretary_a_client.get(url("week"), query)  # warm the session
    with django_assert_num_queries(WEEK_QUERIES):
        response = secretary_a_client.get(url("week"), query)
    assert sum(len(d.blocks) for d in response.context["days"]) == 4 * scale


# Session read, user, the rooms (one list for the picker and the room), the week's bookings, the secretary's
# reach (her branch and the level below it: 2), the unread count, and the session write (3).
WEEK_QUERIES = 10


# --- bookings -----------------------------------------------------------------------------------------------


def test_a_secretary_books_a_slot_and_sees_it_on_the_week(secretary_a_client, secretary_a, room, branch_a):
    response = secretary_a_client.post(url("book"), booking_data(room, organization=branch_a.pk))
    booking = RoomBooking.objects.get()
    assert response.status_code == 302 and f"week={selectors.week_label(a_week_ahead())}" in response["Location"]
    assert (booking.title, booking.organization, booking.booked_by) == ("党务知识培训", branch_a, secretary_a)
    assert (booking.starts_at, booking.ends_at) == (at(a_week_ahead(), 9), at(a_week_ahead(), 11))


def test_an_overlap_is_refused_next_to_the_time_and_nothing_is_booked(secretary_a_client, room, booking):
    response = secretary_a_client.post(url("book"), booking_data(room, starts_at="15:00", ends_at="17:00"))
    assert response.status_code == 200
    errors = response.context["form"].errors["starts_at"]
    assert "第一党支部支委会" in errors[0]
    assert RoomBooking.objects.count() == 1


def test_touching_the_booking_before_is_fine(secretary_a_client, room, booking):
    response = secretary_a_client.post(url("book"), booking_data(room, starts_at="16:00", ends_at="18:00"))
    assert response.status_code == 302 and RoomBooking.objects.count() == 2


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"starts_at": "07:00"}, "starts_at"),
        ({"ends_at": "22:30"}, "ends_at"),
        ({"starts_at": "11:00", "ends_at": "10:00"}, "ends_at"),
        ({"day": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}, "starts_at"),
    ],
    ids=["before-opening", "after-closing", "backwards", "past"],
)
def test_a_slot_outside_the_hours_backwards_or_past_is_refused(secretary_a_client, room, overrides, field):
    response = secretary_a_client.post(url("book"), booking_data(room, **overrides))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not RoomBooking.objects.exists()


def test_a_secretary_books_only_for_organisations_in_her_reach(secretary_a_client, room, branch_b):
    response = secretary_a_client.post(url("book"), booking_data(room, organization=branch_b.pk))
    assert response.status_code == 200 and "organization" in response.context["form"].errors


def test_another_buildings_room_cannot_be_booked(admin_client, other_room):
    response = admin_client.post(url("book"), booking_data(other_room))
    assert response.status_code == 200 and "room" in response.context["form"].errors
    assert not RoomBooking.objects.exists()


def test_the_calendar_fills_in_the_room_and_day(admin_client, room):
    form = admin_client.get(url("book"), {"room": room.pk, "day": a_week_ahead().isoformat()}).context["form"]
    assert (form.initial["room"], form.initial["day"]) == (room.pk, a_week_ahead())


def test_the_booker_cancels_her_booking_and_the_slot_is_free(secretary_a_client, secretary_a, room, booking):
    back = url("bookings")
    response = secretary_a_client.post(url("cancel", booking.pk), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    booking.refresh_from_db()
    assert booking.is_cancelled and booking.cancelled_by == secretary_a
    assert (
        secretary_a_client.post(url("book"), booking_data(room, starts_at="14:00", ends_at="16:00")).status_code == 302
    )


@pytest.mark.parametrize("bad_next", ["home", "booking_list", "//evil.example/", "javascript:alert(1)"])
def test_a_bad_next_is_ignored_after_the_booking_is_cancelled(secretary_a_client, booking, bad_next):
    response = secretary_a_client.post(url("cancel", booking.pk), {"next": bad_next})
    assert response.status_code == 302 and "week=" in response["Location"]  # back to the room's week, no 500
    assert RoomBooking.objects.get(pk=booking.pk).is_cancelled


def test_an_admin_cancels_any_plain_booking_of_the_building(admin_client, booking):
    admin_client.post(url("cancel", booking.pk))
    assert RoomBooking.objects.get(pk=booking.pk).is_cancelled


def test_another_secretary_cannot_cancel_a_booking_she_did_not_make(login_as, secretary_b, booking):
    assert login_as(secretary_b).post(url("cancel", booking.pk)).status_code == 403
    assert not RoomBooking.objects.get(pk=booking.pk).is_cancelled


def test_a_meetings_booking_is_cancelled_with_the_meeting_not_here(admin_client, room):
    booking = BookingFactory(room=room, source="meetings.meeting:3")
    response = admin_client.post(url("cancel", booking.pk), follow=True)
    assert not RoomBooking.objects.get(pk=booking.pk).is_cancelled
    assert messages_of(response) == ["该预约属于会议或活动，请修改或取消相应的会议、活动。"]


def test_leaving_to_another_site_after_cancelling_is_not_allowed(admin_client, booking):
    response = admin_client.post(url("cancel", booking.pk), {"next": "https://example.com/"})
    assert response["Location"].startswith(url("week"))


def test_the_bookings_list_shows_what_is_ahead_or_past(admin_client, room, booking):
    past = BookingFactory(
        room=room, starts_at=at(timezone.localdate() - datetime.timedelta(days=3), 9), title="上周的预约"
    )
    BookingFactory(room=room, title="已取消的预约", cancelled_at=timezone.now())
    assert [b.pk for b in admin_client.get(url("bookings")).context["page"]] == [booking.pk]
    assert [b.pk for b in admin_client.get(url("bookings"), {"when": "past"}).context["page"]] == [past.pk]


@pytest.mark.parametrize("scale", [1, 3])
def test_the_bookings_list_takes_the_same_queries_however_many_rows(
    admin_client, admin_user, room, branch_a, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        day = a_week_ahead() + datetime.timedelta(days=n)
        BookingFactory(room=room, starts_at=at(day, 9), organization=branch_a, booked_by=admin_user)
    admin_client.get(url("bookings"))
    with django_assert_num_queries(BOOKINGS_QUERIES):
        response = admin_client.get(url("bookings"))
    assert response.context["page"].paginator.count == 3 * scale


# Session read, user, the count and the page of bookings, the rooms for the filter, the unread count, and the
# session write (3).
BOOKINGS_QUERIES = 9
