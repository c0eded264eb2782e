"""Factories and helpers for transfer tests (kept here rather than in tests/factories.py, which others own)."""

import datetime

import factory
from django.utils import timezone

from members import services
from members.models import Transfer
from tests.factories import MemberFactory


class TransferFactory(factory.django.DjangoModelFactory):
    """A letter out of the building, issued today, written straight to the table (no service, no history)."""

    class Meta:
        model = Transfer

    member = factory.SubFactory(MemberFactory)
    direction = Transfer.Direction.OUT
    letter_number = factory.Sequence(lambda n: f"测试转〔2026〕{n:04d}号")
    from_organization = factory.LazyAttribute(lambda t: t.member.organization)
    from_name = factory.LazyAttribute(lambda t: t.member.organization.name)
    to_organization = None
    to_name = "宁波市鄞州区某科技公司党支部"
    reason = "工作单位变动"
    issued_on = factory.LazyFunction(timezone.localdate)
    validity_days = 30
    dues_paid_until = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))


def issue(member, by=None, **kwargs) -> Transfer:
    """Issue a letter through the service, out of the building unless told otherwise."""
    defaults = {
        "direction": Transfer.Direction.OUT,
        "to_name": "宁波市鄞州区某科技公司党支部",
        "issued_on": timezone.localdate(),
        "reason": "工作单位变动",
        "dues_paid_until": timezone.localdate().replace(day=1),
    }
    return services.transfer_issue(member=member, issued_by=by, **{**defaults, **kwargs})


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)
