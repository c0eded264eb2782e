"""The demo's points (members/points_demo.py): what member1 and secretary1 find after `seed_demo`."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from buildingparty.models import Building, User
from members.dues.models import DuesBill, month_end
from members.models import Member
from members.points import selectors as points_selectors
from members.points import services as points
from members.points.models import PointEntry, PointRule, PointYear

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]

Status = PointEntry.Status


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_gives_member1_points_of_both_kinds_and_secretary1_claims_to_decide():
    year = timezone.localdate().year
    building = Building.objects.get()
    member1 = Member.objects.get(user__username="member1")
    mine = PointEntry.objects.filter(member=member1)

    assert PointRule.objects.filter(building=building).count() == len(points.DEFAULT_RULES)
    assert PointYear.objects.get(building=building, year=year).base_score == 60
    on_time = [
        b
        for b in DuesBill.objects.filter(member=member1, amount__gt=0, paid_on__isnull=False)
        if b.paid_on <= month_end(b.month) and b.month.year >= year - 1
    ]
    assert mine.filter(rule__code="dues_on_time").count() == len(on_time)
    assert mine.filter(rule__kind=PointRule.Kind.CLAIMED, status=Status.APPROVED).count() == 2
    assert mine.filter(status=Status.PENDING).count() == 1
    rejected = PointEntry.objects.get(rule__building=building, status=Status.REJECTED)
    assert rejected.decision_note and rejected.decided_by.username == "secretary1"
    assert PointEntry.objects.filter(rule__kind=PointRule.Kind.DEDUCTION, points__lt=0).count() == 1
    assert points_selectors.pending_claims(User.objects.get(username="secretary1")).count() >= 2
    assert points_selectors.pending_claims(User.objects.get(username="secretary2")).count() >= 1
    assert all(e.evidence.name.startswith("points/demo/") for e in PointEntry.objects.exclude(evidence=""))
    today = timezone.localdate()
    assert not PointEntry.objects.filter(occurred_on__gt=today).exists()
    assert not PointEntry.objects.filter(decided_at__date__gt=today).exists()

    if not on_time:
        pytest.skip("the dues demo made no bills paid on time for member1")
    counted = mine.filter(status=Status.APPROVED, points__gt=0)
    assert {PointRule.Kind.AUTOMATIC, PointRule.Kind.CLAIMED} <= set(counted.values_list("rule__kind", flat=True))


def test_seeding_again_adds_no_points():
    before = list(PointEntry.objects.order_by("pk").values_list("pk", "points", "status"))
    seed()
    assert list(PointEntry.objects.order_by("pk").values_list("pk", "points", "status")) == before
