"""Demo activity rooms for `manage.py seed_demo`: the building's 党支部活动室 in the property company's meeting
room (DOMAIN.md §9) and a small room for talks, before the meetings (35) that take place there; after the
meetings have booked the room (activities/meetings/demo.py, 36), a few bookings of other kinds: an enterprise's
training, a 座谈会 with the owners, talks in the small room.

Rooms are known by their name, bookings by their room and title, so a second run adds nothing. The bookings are
dated from the day the demo was first seeded (``enterprises.demo.demo_day``); a slot already taken moves to the
next day.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import PartyOrganization, User
from enterprises.demo import ECOMMERCE_INDUSTRY, demo_day
from enterprises.models import Enterprise

from . import services
from .models import Room, RoomBooking

ACTIVITY_ROOM = "党支部活动室"
TALK_ROOM = "党员谈心室"
ROOMS = [
    # name, location, seats, note
    (ACTIVITY_ROOM, "中央大厦3楼", 30, "物业公司会议室，钥匙在3楼物业服务中心"),
    (TALK_ROOM, "中央大厦3楼", 6, "谈心谈话、接待来访党员"),
]


@dataclass(frozen=True)
class Booking:
    room: str
    title: str
    days_after: int  # from the demo's first day
    start: tuple[int, int]
    end: tuple[int, int]
    organization: str | None = None


def _bookings(enterprise_name: str) -> list[Booking]:
    return [
        Booking(ACTIVITY_ROOM, f"{enterprise_name}新员工入职培训（企业借用）", 2, (9, 0), (11, 30)),
        Booking(ACTIVITY_ROOM, "楼宇企业负责人座谈会：党建引领企业发展", 4, (15, 0), (17, 0), demo.GENERAL_BRANCH),
        Booking(ACTIVITY_ROOM, "党务联络员工作例会", -3, (9, 30), (11, 0), demo.GENERAL_BRANCH),
        Booking(TALK_ROOM, "预备党员转正前谈心谈话", 0, (10, 0), (11, 0), demo.BRANCH_1),
        Booking(TALK_ROOM, "困难党员帮扶结对谈心", 1, (16, 0), (17, 0), demo.BRANCH_2),
    ]


@demo.register(order=34)  # before the meetings (35), which are held in the activity room
def seed_rooms(*, building, scale, stdout):
    existing = set(Room.objects.filter(building=building).values_list("name", flat=True))
    created = [
        services.room_create(building=building, name=name, location=location, capacity=seats, note=note, by=None)
        for name, location, seats, note in ROOMS
        if name not in existing
    ]
    stdout.write(f"活动室：新建 {len(created)} 间" if created else "活动室：已有，未改动")


def _at(day: datetime.date, hour_minute: tuple[int, int]) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(*hour_minute)))


@demo.register(order=37)  # after the meetings have booked the activity room (36)
def seed_bookings(*, building, scale, stdout):
    rooms = {r.name: r for r in Room.objects.filter(building=building, name__in=[name for name, *_ in ROOMS])}
    if not rooms:
        return
    enterprise = (
        Enterprise.objects.filter(building=building, industry=ECOMMERCE_INDUSTRY, status=Enterprise.Status.ACTIVE)
        .order_by("pk")
        .values_list("name", flat=True)
        .first()
    )
    organizations = {o.name: o for o in PartyOrganization.objects.filter(building=building)}
    admin = User.objects.filter(username="admin").first()
    taken = set(RoomBooking.objects.filter(room__in=rooms.values()).values_list("room__name", "title"))
    first_day = demo_day()
    made = 0
    for spec in _bookings(enterprise or "楼宇电商企业"):
        room = rooms.get(spec.room)
        if room is None or (spec.room, spec.title) in taken:
            continue
        organization = organizations.get(spec.organization)
        for shift in range(3):  # a slot a meeting already has moves to the next day
            day = first_day + datetime.timedelta(days=spec.days_after + shift)
            try:
                services.booking_create(
                    room=room,
                    starts_at=_at(day, spec.start),
                    ends_at=_at(day, spec.end),
                    title=spec.title,
                    organization=organization,
                    by=admin,
                )
            except ValidationError:
                continue
            made += 1
            break
    stdout.write(f"活动室预约：新增 {made} 条" if made else "活动室预约：已有，未改动")
