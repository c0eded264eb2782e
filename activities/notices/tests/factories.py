"""Factories and helpers for bulletin-board tests."""

import datetime

import factory
from django.utils import timezone

from activities.notices.models import Notice
from tests.factories import BuildingFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type /Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def days(n: int) -> datetime.datetime:
    """n days from now (negative: ago)."""
    return timezone.now() + datetime.timedelta(days=n)


class NoticeFactory(factory.django.DjangoModelFactory):
    """A notice for the whole building, on the board since yesterday."""

    class Meta:
        model = Notice

    building = factory.LazyAttribute(lambda n: n.audience.building if n.audience else BuildingFactory())
    audience = None
    kind = Notice.Kind.NOTICE
    title = factory.Sequence(lambda n: f"关于第{n}次活动的通知")
    body = "请全体党员**按时参加**。"
    publish_at = factory.LazyFunction(lambda: days(-1))
