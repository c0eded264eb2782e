"""Meetings book the activity room (activities.rooms): planning books it and fills in the place, an overlap is
refused next to the room with nothing saved, moving the meeting moves the booking, dropping the room or cancelling
the meeting frees it; the detail and the printed record show it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.meetings import services
from activities.meetings.models import Attendance, Meeting
from activities.rooms import services as rooms
from activities.rooms.models import RoomBooking
from activities.rooms.tests.factories import BookingFactory, RoomFactory, at
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

Kind = Meeting.Kind


def meeting_day() -> datetime.date:
    """The day the tests' meetings are held: five days ahead, taken when the test runs."""
    return timezone.localdate() + datetime.timedelta(days=5)


def url(name, *args):
    return reverse(f"meetings:{name}", args=args)


@pytest.fixture
def room(building):
    return RoomFactory(building=building, name="党支部活动室", location="中央大厦3楼")


@pytest.fixture
def talk_room(building):
    return RoomFactory(building=building, name="党员谈心室", location="中央大厦3楼", capacity=6)


@pytest.fixture
def members_a(branch_a):
    return [MemberFactory(organization=branch_a) for _ in range(3)]


def plan(organization, *, start=(14, 30), end=(16, 0), room=None, by=None, **kwargs):
    return services.meeting_plan(
        organization=organization,
        kind=kwargs.pop("kind", Kind.GENERAL_MEETING),
        topic=kwargs.pop("topic", "第四季度支部党员大会"),
        starts_at=at(meeting_day(), *start),
        ends_at=at(meeting_day(), *end) if end else None,
        room=room,
        by=by,
        **kwargs,
    )


def update(meeting, *, start=(14, 30), end=(16, 0), **kwargs):
    return services.meeting_update(
        meeting=meeting,
        by=None,
        kind=meeting.kind,
        topic=kwargs.pop("topic", meeting.topic),
        starts_at=at(meeting_day(), *start),
        ends_at=at(meeting_day(), *end) if end else None,
        **kwargs,
    )


def plan_data(organization, **overrides):
    data = {
        "kind": Kind.GENERAL_MEETING,
        "organization": organization.pk,
        "topic": "第四季度支部党员大会",
        "day": meeting_day().isoformat(),
        "starts_at": "14:30",
        "ends_at": "16:00",
        "place": "",
        "host": "王书记",
        "recorder": "李委员",
    }
    return {**data, **overrides}


# --- the service --------------------------------------------------------------------------------------------


def test_planning_with_a_room_books_it_and_the_place_is_the_rooms(branch_a, members_a, room, secretary_a):
    meeting = plan(branch_a, room=room, by=secretary_a, place="随便写的地点")
    booking = meeting.room_booking
    assert meeting.place == "中央大厦3楼党支部活动室"
    assert (booking.room, booking.starts_at, booking.ends_at) == (
        room,
        at(meeting_day(), 14, 30),
        at(meeting_day(), 16),
    )
    assert booking.source == f"meetings.meeting:{meeting.pk}"
    assert (booking.organization, booking.booked_by, booking.title) == (branch_a, secretary_a, str(meeting))
    assert RoomBooking.objects.get().meeting == meeting


def test_a_meeting_without_an_end_books_two_hours(branch_a, room):
    booking = plan(branch_a, end=None, room=room).room_booking
    assert (booking.starts_at, booking.ends_at) == (at(meeting_day(), 14, 30), at(meeting_day(), 16, 30))


def test_planning_without_a_room_keeps_the_old_keywords_working(branch_a, members_a):
    meeting = plan(branch_a, place="中央大厦5楼多功能会议室")
    assert meeting.room_booking is None and meeting.place == "中央大厦5楼多功能会议室"
    assert not RoomBooking.objects.exists()


def test_an_overlap_is_refused_on_the_room_and_nothing_is_saved(branch_a, members_a, room):
    BookingFactory(room=room, starts_at=at(meeting_day(), 15), ends_at=at(meeting_day(), 17), title="企业新员工培训")
    with pytest.raises(ValidationError) as refused:
        plan(branch_a, room=room)
    assert "企业新员工培训" in refused.value.message_dict["room"][0]
    assert not Meeting.objects.exists() and not Attendance.objects.exists()
    assert RoomBooking.objects.count() == 1


def test_two_meetings_touching_in_the_room_are_both_booked(branch_a, branch_b, room):
    plan(branch_a, start=(14, 0), end=(16, 0), room=room)
    plan(branch_b, start=(16, 0), end=(17, 30), room=room)
    assert RoomBooking.objects.active().count() == 2


def test_a_room_of_another_building_is_refused(branch_a, outsider):
    with pytest.raises(ValidationError) as refused:
        plan(branch_a, room=RoomFactory(building=outsider.building))
    assert "room" in refused.value.message_dict
    assert not Meeting.objects.exists()


def test_moving_the_meeting_moves_its_booking(branch_a, room):
    meeting = plan(branch_a, room=room)
    update(meeting, start=(9, 0), end=(11, 0))  # the room left out: it stays and follows the meeting
    booking = RoomBooking.objects.get()
    assert (booking.starts_at, booking.ends_at, booking.is_cancelled) == (
        at(meeting_day(), 9),
        at(meeting_day(), 11),
        False,
    )
    assert Meeting.objects.get().room_booking == booking


def test_moving_the_meeting_onto_another_booking_is_refused_and_nothing_changes(branch_a, members_a, room):
    meeting = plan(branch_a, room=room, topic="原议题")
    BookingFactory(room=room, starts_at=at(meeting_day(), 9), ends_at=at(meeting_day(), 11), title="党务知识培训")
    with pytest.raises(ValidationError) as refused:
        update(meeting, start=(10, 0), end=(12, 0), topic="新议题", room=room)
    assert "党务知识培训" in refused.value.message_dict["room"][0]
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.starts_at) == ("原议题", at(meeting_day(), 14, 30))
    assert (meeting.room_booking.starts_at, meeting.room_booking.ends_at) == (
        at(meeting_day(), 14, 30),
        at(meeting_day(), 16),
    )


def test_a_new_topic_renames_the_booking(branch_a, room):
    meeting = plan(branch_a, room=room)
    update(meeting, topic="学习党章", room=room)
    assert RoomBooking.objects.get().title == "支部党员大会：学习党章"


def test_changing_the_room_frees_the_first_and_books_the_second(branch_a, room, talk_room):
    meeting = plan(branch_a, room=room)
    update(meeting, room=talk_room)
    first, second = RoomBooking.objects.order_by("pk")
    assert first.is_cancelled and (second.room, second.is_cancelled) == (talk_room, False)
    meeting.refresh_from_db()
    assert meeting.room_booking == second and meeting.place == "中央大厦3楼党员谈心室"


def test_dropping_the_room_frees_it_and_keeps_the_place_written(branch_a, room):
    meeting = plan(branch_a, room=room)
    update(meeting, room=None, place="企业会议室")
    meeting.refresh_from_db()
    assert meeting.room_booking is None and meeting.place == "企业会议室"
    assert RoomBooking.objects.get().is_cancelled


def test_cancelling_the_meeting_cancels_its_booking_and_frees_the_slot(branch_a, branch_b, room, secretary_a):
    meeting = plan(branch_a, room=room)
    services.meeting_cancel(meeting=meeting, by=secretary_a, reason="改期")
    booking = RoomBooking.objects.get()
    assert booking.is_cancelled and booking.cancelled_by == secretary_a
    assert plan(branch_b, room=room).room_booking.room == room


def test_the_booking_of_a_meeting_is_not_cancelled_from_the_rooms_pages(admin_client, branch_a, room):
    booking = plan(branch_a, room=room).room_booking
    admin_client.post(reverse("rooms:cancel", args=[booking.pk]))
    assert not RoomBooking.objects.get(pk=booking.pk).is_cancelled


# --- the pages ----------------------------------------------------------------------------------------------


def test_the_form_offers_the_buildings_rooms_in_use(secretary_a_client, room, talk_room, outsider):
    talk_room.is_active = False
    talk_room.save()
    RoomFactory(building=outsider.building, name="另一幢楼的活动室")
    field = secretary_a_client.get(url("create")).context["form"].fields["room"]
    assert list(field.queryset) == [room]
    assert field.label_from_instance(room) == "中央大厦3楼党支部活动室"


def test_the_secretary_plans_a_meeting_in_the_room(secretary_a_client, branch_a, members_a, room):
    response = secretary_a_client.post(url("create"), plan_data(branch_a, room=room.pk))
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.room_booking.room == room and meeting.place == room.place


def test_an_overlap_shows_next_to_the_room_and_nothing_is_saved(secretary_a_client, branch_a, members_a, room):
    BookingFactory(room=room, starts_at=at(meeting_day(), 15), ends_at=at(meeting_day(), 17), title="企业新员工培训")
    response = secretary_a_client.post(url("create"), plan_data(branch_a, room=room.pk))
    assert response.status_code == 200
    errors = response.context["form"].errors["room"]
    assert "企业新员工培训" in errors[0] and "已被预约" in errors[0]
    assert not Meeting.objects.exists()


def test_editing_shows_the_room_booked_and_moving_the_meeting_moves_it(secretary_a_client, branch_a, room):
    meeting = plan(branch_a, room=room)
    form = secretary_a_client.get(url("edit", meeting.pk)).context["form"]
    assert form["room"].value() == room.pk
    data = plan_data(branch_a, room=room.pk, starts_at="09:00", ends_at="10:30")
    del data["organization"]
    assert secretary_a_client.post(url("edit", meeting.pk), data).status_code == 302
    booking = RoomBooking.objects.get()
    assert (booking.starts_at, booking.ends_at) == (at(meeting_day(), 9), at(meeting_day(), 10, 30))


def test_a_room_since_taken_out_of_use_is_still_offered_to_its_meeting(secretary_a_client, branch_a, room):
    meeting = plan(branch_a, room=room)
    rooms.room_update(room=room, name=room.name, location=room.location, is_active=False, by=None)
    field = secretary_a_client.get(url("edit", meeting.pk)).context["form"].fields["room"]
    assert list(field.queryset) == [room]


def test_the_detail_and_the_printed_record_show_the_room(login_as, secretary_a, member_user, room):
    meeting = plan(member_user.member.organization, room=room)
    client = login_as(secretary_a)
    detail = client.get(url("detail", meeting.pk)).content.decode()
    assert 'data-testid="meeting-room"' in detail and "已预约 14:30–16:00" in detail
    assert reverse("rooms:week") in detail
    record = client.get(url("record", meeting.pk)).content.decode()
    assert "活动室已预约 14:30–16:00" in record
    own = login_as(member_user).get(url("detail", meeting.pk)).content.decode()
    assert 'data-testid="meeting-room"' in own and reverse("rooms:week") not in own  # members have no room pages


def test_a_cancelled_meetings_page_no_longer_shows_the_room_as_booked(secretary_a_client, branch_a, room):
    meeting = plan(branch_a, room=room)
    services.meeting_cancel(meeting=meeting, by=None, reason="改期")
    assert 'data-testid="meeting-room"' not in secretary_a_client.get(url("detail", meeting.pk)).content.decode()
