"""Factories for home-visit tests."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from activities.visits.models import Assistance, HardshipRecord, HomeVisit
from tests.factories import MemberFactory


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


class HomeVisitFactory(factory.django.DjangoModelFactory):
    """A 问一问 visit to a member, made by her own organisation a week ago."""

    class Meta:
        model = HomeVisit

    member = factory.SubFactory(MemberFactory)
    organization = factory.LazyAttribute(lambda v: v.member.organization if v.member else None)
    whom = HomeVisit.Whom.MEMBER
    kind = HomeVisit.Kind.ENQUIRE
    visited_on = factory.LazyFunction(lambda: days_ago(7))
    visitors = "王海燕、李明"
    found = "身体状况良好，工作顺利。"


class HardshipRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HardshipRecord

    member = factory.SubFactory(MemberFactory, is_hardship=True, hardship_note="本人患慢性病，长期治疗")
    since = factory.LazyFunction(lambda: days_ago(200))
    kind = HardshipRecord.Kind.ILLNESS
    description = "本人患慢性病，长期治疗"


class AssistanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assistance

    member = factory.SubFactory(MemberFactory)
    given_on = factory.LazyFunction(lambda: days_ago(30))
    what = "春节慰问金"
    amount = Decimal("800.00")
    source = Assistance.Source.STREET
