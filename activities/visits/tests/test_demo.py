"""The demo's home visits and hardship register: a year of visits of each kind, follow-ups done, one overdue and
one due soon, members in hardship with their help; the two registers agree; a second run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.visits import selectors
from activities.visits.models import Assistance, HardshipRecord, HomeVisit
from buildingparty.models import User
from members.models import Member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_visits_in_the_three_ways_and_keeps_a_hardship_register():
    today = timezone.localdate()
    visits = HomeVisit.objects.all()
    assert set(visits.values_list("kind", flat=True)) == set(HomeVisit.Kind.values)
    assert set(visits.values_list("whom", flat=True)) == set(HomeVisit.Whom.values)
    assert visits.filter(whom="family", member__is_mobile=True).exists()
    assert visits.filter(kind="help", member__is_hardship=True).exists()
    assert not visits.filter(visited_on__gt=today).exists()
    assert visits.filter(visited_on__lt=today.replace(day=1)).exists()  # over the year, not just this month

    assert visits.follow_up_overdue(today).count() == 1
    assert visits.follow_up_due(today).exists() and visits.filter(follow_up_done_at__isnull=False).exists()
    secretary1 = User.objects.get(username="secretary1")
    assert HomeVisit.objects.filter(organization=secretary1.organization).follow_up_overdue(today).exists()

    current = HardshipRecord.objects.current()
    assert 2 <= current.count() <= 3
    assert set(current.values_list("member_id", flat=True)) == set(
        Member.objects.filter(is_hardship=True).values_list("pk", flat=True)
    )
    assert HardshipRecord.objects.filter(status="resolved", member__is_hardship=False).exists()
    history = selectors.help_history(list(current.values_list("member_id", flat=True)))
    assert all(
        any(line.visit for line in lines) and any(not line.visit for line in lines) for lines in history.values()
    )
    assert len(history) == current.count()


def test_seeding_again_adds_no_visits_records_or_help():
    before = (HomeVisit.objects.count(), HardshipRecord.objects.count(), Assistance.objects.count())
    seed()
    assert (HomeVisit.objects.count(), HardshipRecord.objects.count(), Assistance.objects.count()) == before
