"""The demo's democratic appraisal (activities/appraisal/demo.py): what secretary1 and member1 find after
`seed_demo`, and that seeding again adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from activities.appraisal import selectors
from activities.appraisal.models import Appraisal, AppraisalRound, Grade, PeerAssessment
from activities.meetings import rules
from activities.meetings.models import Meeting
from buildingparty import demo
from buildingparty.models import Building, PartyOrganization, User
from members.models import Member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_every_branch_has_last_years_round_complete_within_the_cap(demo_seeded):
    output = demo_seeded.output
    last = timezone.localdate().year - 1
    building = Building.objects.get()
    branches = PartyOrganization.objects.filter(building=building).branches()
    rounds = AppraisalRound.objects.filter(year=last).annotate(
        graded=Count("appraisals", filter=Q(appraisals__takes_grade=True)),
        excellent=Count("appraisals", filter=Q(appraisals__grade=Grade.EXCELLENT)),
        basic=Count("appraisals", filter=Q(appraisals__grade=Grade.BASIC)),
        unqualified=Count("appraisals", filter=Q(appraisals__grade=Grade.UNQUALIFIED)),
        ungraded=Count("appraisals", filter=Q(appraisals__takes_grade=True, appraisals__grade="")),
        written=Count("appraisals", filter=Q(appraisals__self_submitted_at__isnull=False)),
        taking_part=Count("appraisals"),
    )
    assert {r.organization_id for r in rounds} == set(branches.values_list("pk", flat=True))
    for round in rounds:
        assert not round.is_open and round.closed_at
        assert round.ungraded == 0 and round.written == round.taking_part
        assert 1 <= round.excellent <= rules.max_excellent(round.graded)
        assert round.basic == 1 and round.unqualified <= 1
    assert sum(r.unqualified for r in rounds) == 1
    assert not Appraisal.objects.filter(grade=Grade.UNQUALIFIED, follow_up="").exists()
    assert not Appraisal.objects.filter(takes_grade=False).exclude(grade="").exists()
    assert Appraisal.objects.filter(takes_grade=False, round__year=last).exists()  # probationary members took part
    assert PeerAssessment.objects.filter(appraisal__round__year=last).count() > 4 * branches.count()
    assert "民主评议党员" in output
    life_meetings = Meeting.objects.filter(kind=Meeting.Kind.LIFE_MEETING, organization__in=branches)
    if life_meetings.exists():  # the meetings demo held the year's 组织生活会: the rounds name it
        assert AppraisalRound.objects.filter(year=last, life_meeting__kind=Meeting.Kind.LIFE_MEETING).exists()


def test_member1s_branch_has_this_years_round_in_progress_with_her_part_still_to_do():
    this = timezone.localdate().year
    member1 = Member.objects.get(user__username="member1")
    round = AppraisalRound.objects.get(year=this)
    assert round.is_open and round.organization == member1.organization.branch
    mine = round.appraisals.get(member=member1)
    assert (
        not mine.self_submitted and not PeerAssessment.objects.filter(assessor=member1, appraisal__round=round).exists()
    )
    assert 0 < round.appraisals.filter(self_submitted_at__isnull=False).count() < round.appraisals.count()
    cap = selectors.cap_of(round)
    assert cap.excellent <= cap.cap and 0 < cap.done < cap.graded
    assert selectors.pending_for_member(member1)["pending_peers"] > 0
    secretary1 = User.objects.get(username="secretary1")
    assert list(selectors.open_rounds_to_grade(secretary1)) == [round]
    assert member1.user.notifications.filter(event="appraisal_opened").count() == 1
    assert not AppraisalRound.objects.filter(year=this).exclude(pk=round.pk).exists()
    assert demo.BRANCH_1 == round.organization.name


def test_seeding_again_adds_no_appraisal():
    before = (
        list(AppraisalRound.objects.order_by("pk").values_list("pk", "status", "closed_at")),
        list(Appraisal.objects.order_by("pk").values_list("pk", "grade", "self_submitted_at")),
        PeerAssessment.objects.count(),
    )
    seed()
    after = (
        list(AppraisalRound.objects.order_by("pk").values_list("pk", "status", "closed_at")),
        list(Appraisal.objects.order_by("pk").values_list("pk", "grade", "self_submitted_at")),
        PeerAssessment.objects.count(),
    )
    assert after == before
