import datetime

import factory
from django.utils import timezone

from activities.rooms.models import Room, RoomBooking
from tests.factories import BuildingFactory


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A local time on ``day``, timezone-aware."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def a_week_ahead() -> datetime.date:
    """A week from today, taken when the test runs (not when its module is imported)."""
    return timezone.localdate() + datetime.timedelta(days=7)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"活动室{n}")
    location = "中央大厦3楼"
    capacity = 30


class BookingFactory(factory.django.DjangoModelFactory):
    """A plain booking written directly (no overlap check): tests that need the check call the service."""

    class Meta:
        model = RoomBooking

    room = factory.SubFactory(RoomFactory)
    starts_at = factory.LazyFunction(lambda: at(timezone.localdate() + datetime.timedelta(days=1), 10))
    ends_at = factory.LazyAttribute(lambda b: b.starts_at + datetime.timedelta(hours=2))
    title = factory.Sequence(lambda n: f"预约{n}")
