"""Factories and helpers for volunteering tests."""

import datetime

import factory
from django.utils import timezone

from activities.rooms.models import Room
from activities.volunteering import services
from activities.volunteering.models import Activity, Signup
from tests.factories import BuildingFactory, MemberFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def soon(days: float = 3, hour: int = 9) -> datetime.datetime:
    """A moment ``days`` from now at ``hour`` o'clock, the building's time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity as a row; tests that care about the rules go through ``services``."""

    class Meta:
        model = Activity

    building = factory.SubFactory(BuildingFactory)
    title = factory.Sequence(lambda n: f"志愿服务活动{n}")
    kind = Activity.Kind.SERVICE
    starts_at = factory.LazyFunction(lambda: soon(3))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + datetime.timedelta(hours=2))
    place = "大厦南广场"
    status = Activity.Status.PUBLISHED


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        django_get_or_create = ("building", "name")

    building = factory.SubFactory(BuildingFactory)
    name = "党支部活动室"
    location = "中央大厦3楼"
    capacity = 30


def draft(building, *, by=None, organizer=None, **values) -> Activity:
    """An activity drafted through the service: 09:00–11:00 three days from now, unless told otherwise."""
    starts_at = values.pop("starts_at", soon(3))
    return services.activity_create(
        building=building,
        organizer=organizer,
        title=values.pop("title", "学雷锋便民服务日"),
        kind=values.pop("kind", Activity.Kind.SERVICE),
        starts_at=starts_at,
        ends_at=values.pop("ends_at", starts_at + datetime.timedelta(hours=2)),
        by=by,
        **values,
    )


def published(building, **values) -> Activity:
    activity = draft(building, **values)
    services.activity_publish(activity=activity, by=values.get("by"))
    activity.refresh_from_db()
    return activity


def members(organization, count: int, **values) -> list:
    return [MemberFactory(organization=organization, **values) for _ in range(count)]


def sign_up(activity, member) -> Signup:
    return services.signup_create(activity=activity, member=member, by=member.user)


def begun(activity: Activity, *, hours_ago: float = 1) -> Activity:
    """Move an activity back in time, as if it had begun ``hours_ago`` hours ago."""
    length = activity.ends_at - activity.starts_at
    starts_at = timezone.now() - datetime.timedelta(hours=hours_ago)
    Activity.objects.filter(pk=activity.pk).update(starts_at=starts_at, ends_at=starts_at + length)
    activity.refresh_from_db()
    return activity
