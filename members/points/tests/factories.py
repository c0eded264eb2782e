"""Helpers and fixtures for points tests (kept here rather than in tests/factories.py, which others own).

A test module takes the fixtures by importing them in the ``from .points_factories import rule as rule`` form:
pytest finds a fixture among the module's names, and the redundant alias tells ruff the import is meant.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.points import services as points
from members.points.models import PointRule

PDF = b"%PDF-1.4\n1 0 obj<</Type /Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def rule(building):
    return rules(building)


@pytest.fixture
def member_a(member_user):
    return member_user.member


def this_year() -> int:
    return timezone.localdate().year


def days_ago(n: int) -> datetime.date:
    """A day ``n`` days back, kept in this year so the entries land on this year's ledger."""
    today = timezone.localdate()
    return max(today - datetime.timedelta(days=n), today.replace(month=1, day=1))


def rules(building) -> dict[str, PointRule]:
    points.ensure_default_rules(building)
    return {rule.code: rule for rule in PointRule.objects.filter(building=building)}


def upload(name: str = "证书.pdf", content: bytes = PDF, size: int | None = None) -> SimpleUploadedFile:
    if size is not None:
        content = content + b"0" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def claim(member, rule, *, by=None, occurred_on=None, note="参加社区志愿服务", evidence=None):
    return points.claim_submit(
        member=member,
        rule=rule,
        occurred_on=occurred_on or days_ago(3),
        note=note,
        evidence=evidence or upload(),
        by=by or member.user,
    )
