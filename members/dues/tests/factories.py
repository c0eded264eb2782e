"""Factories and helpers for the dues bill, payment and arrears tests (not in tests/factories.py, which others own)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from members.dues.models import DuesBill, DuesStandard
from members.dues.rules import monthly_dues
from members.models import add_months
from tests.factories import MemberFactory


class StandardFactory(factory.django.DjangoModelFactory):
    """A confirmed standard for this year: an employee declaring 8000 yuan, 120.00 a month."""

    class Meta:
        model = DuesStandard

    member = factory.SubFactory(MemberFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    kind = "employed"
    declared_base = Decimal("8000")
    computed_amount = factory.LazyAttribute(lambda s: monthly_dues(s.declared_base, s.kind))
    status = DuesStandard.Status.CONFIRMED


class BillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuesBill

    member = factory.SubFactory(MemberFactory)
    organization = factory.LazyAttribute(lambda b: b.member.organization)
    month = factory.LazyFunction(lambda: this_month())
    amount = Decimal("120.00")


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def month(offset: int) -> datetime.date:
    """The first of the month ``offset`` months from now (negative: back)."""
    return add_months(this_month(), offset)


def paid_bill(member, offset: int, amount=Decimal("120.00"), **kwargs) -> DuesBill:
    """A bill settled in full, written straight to the table."""
    m = month(offset)
    return BillFactory(member=member, month=m, amount=amount, paid_amount=amount, paid_on=m, **kwargs)


def open_bill(member, offset: int, amount=Decimal("120.00"), **kwargs) -> DuesBill:
    return BillFactory(member=member, month=month(offset), amount=amount, **kwargs)


def paying_member(organization, **kwargs):
    """A member with a confirmed standard of 120.00 a month."""
    member = MemberFactory(organization=organization, **kwargs)
    StandardFactory(member=member)
    return member


def bill_paid(member, month: datetime.date, *, paid_on: datetime.date | None = None, amount="10.00") -> DuesBill:
    """A bill of ``month`` paid in full on ``paid_on`` (by default the 10th of the month)."""
    amount = Decimal(amount)
    paid_on = paid_on or month.replace(day=10)
    return DuesBill.objects.create(
        member=member,
        organization=member.organization,
        month=month,
        amount=amount,
        paid_amount=amount,
        paid_on=paid_on,
    )
