"""The demo's study sessions: every branch studies through the year in the three forms; most members are on
pace and a few behind; a second run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.study import selectors
from activities.study.models import StudyParticipation, StudySession
from buildingparty.models import PartyOrganization
from members.points.models import PointEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_every_branch_studies_in_the_three_forms_and_a_few_members_fall_behind():
    today = timezone.localdate()
    branches = PartyOrganization.objects.branches()
    for branch in branches:
        kinds = set(StudySession.objects.filter(organization=branch).values_list("kind", flat=True))
        assert kinds == set(StudySession.Kind.values), branch
    assert not StudySession.objects.filter(held_on__gt=today).exists()
    assert StudySession.objects.filter(held_on__year=today.year - 1).count() > 0

    last_year = [row for b in branches for row in selectors.study_standing(b.subtree_ids(), today.year - 1)]
    behind = [row for row in last_year if row.behind and row.required == 32]
    assert 0 < len(behind) < len(last_year) / 3
    assert sum(1 for row in last_year if row.hours >= 28) > len(last_year) / 2
    assert StudySession.objects.exclude(material_file="").count() == 1
    assert PointEntry.objects.filter(rule__code="study_hours", source__startswith="study.").exists()


def test_seeding_again_adds_no_sessions_participants_or_points():
    before = (StudySession.objects.count(), StudyParticipation.objects.count(), PointEntry.objects.count())
    seed()
    assert (StudySession.objects.count(), StudyParticipation.objects.count(), PointEntry.objects.count()) == before
