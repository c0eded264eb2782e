"""The rules of the democratic appraisal (民主评议党员): who takes part, the cap on 优秀, probationary members without
a grade, 不合格 with its follow-up, closing only when all are graded, and who may assess whom."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from activities.appraisal import services
from activities.appraisal.models import Appraisal, AppraisalRound, Grade, PeerAssessment
from activities.appraisal.tests.factories import YEAR, appraisals, grade_all, members, open_round
from activities.meetings import rules
from activities.meetings.models import Meeting
from activities.meetings.tests.factories import MeetingFactory
from buildingparty.models import Notification
from members.models import Member
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def message(error: pytest.ExceptionInfo) -> str:
    return " ".join(error.value.messages)


# --- opening a round ----------------------------------------------------------------------------------------


def test_opening_a_round_takes_in_the_branch_and_its_groups_with_probationary_members_ungraded(
    branch_a, group_a, branch_b, secretary_a
):
    full_a = MemberFactory(organization=branch_a, name="甲")
    in_group = MemberFactory(organization=group_a, name="乙")
    probationary = MemberFactory(
        organization=group_a, name="丙", category=Member.Category.PROBATIONARY, full_member_on=None
    )
    MemberFactory(organization=branch_a, name="停止党籍", status=Member.Status.SUSPENDED)
    MemberFactory(organization=branch_a, name="已转出", whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    MemberFactory(organization=branch_b, name="别的支部")

    round = services.round_open(organization=branch_a, year=YEAR, by=secretary_a)

    taking_part = {a.member.name: a.takes_grade for a in round.appraisals.select_related("member")}
    assert taking_part == {"甲": True, "乙": True, "丙": False}
    assert round.is_open and round.opened_by == secretary_a
    assert {full_a.pk, in_group.pk, probationary.pk} == set(round.appraisals.values_list("member_id", flat=True))


def test_a_branch_has_one_round_a_year(branch_a):
    open_round(branch_a, full=2)
    with pytest.raises(ValidationError) as error:
        services.round_open(organization=branch_a, year=YEAR, by=None)
    assert "已有" in message(error) or "already" in message(error)
    assert services.round_open(organization=branch_a, year=YEAR + 1, by=None).year == YEAR + 1


def test_a_party_group_or_the_general_branch_holds_no_appraisal(group_a, general_branch):
    for organization in (group_a, general_branch):
        with pytest.raises(ValidationError):
            services.round_open(organization=organization, year=YEAR, by=None)
    assert not AppraisalRound.objects.exists()


def test_a_round_names_only_its_own_branchs_organisational_life_meeting(branch_a, branch_b):
    own = MeetingFactory(organization=branch_a, kind=Meeting.Kind.LIFE_MEETING)
    other = MeetingFactory(organization=branch_b, kind=Meeting.Kind.LIFE_MEETING)
    lesson = MeetingFactory(organization=branch_a, kind=Meeting.Kind.LESSON)
    for meeting in (other, lesson):
        with pytest.raises(ValidationError):
            services.round_open(organization=branch_a, year=YEAR, by=None, life_meeting=meeting)
    round = services.round_open(organization=branch_a, year=YEAR, by=None, life_meeting=own)
    assert round.life_meeting == own


def test_members_with_an_account_are_told_once_to_write_their_self_assessment(branch_a, member_user):
    round = services.round_open(organization=branch_a, year=YEAR, by=None)
    notes = Notification.objects.filter(user=member_user, event="appraisal_opened")
    assert notes.count() == 1
    assert str(YEAR) in notes.get().title and notes.get().dedupe_key == f"appraisal_opened:{round.pk}"


# --- the cap on 优秀 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("graded, cap", [(7, 2), (6, 2), (2, 0)])
def test_excellent_is_capped_at_a_third_of_those_graded_and_the_refusal_gives_the_figures(branch_a, graded, cap):
    round = open_round(branch_a, full=graded, probationary=2)  # probationary members do not count
    assert rules.max_excellent(graded) == cap
    full = appraisals(round)
    for appraisal in full[:cap]:
        services.grade(appraisal=appraisal, grade=Grade.EXCELLENT, follow_up="", by=None)
    with pytest.raises(ValidationError) as error:
        services.grade(appraisal=full[cap], grade=Grade.EXCELLENT, follow_up="", by=None)
    assert message(error) == f"优秀不得超过参评人数的三分之一：参评 {graded} 人，至多 {cap} 人评为优秀"
    assert round.appraisals.filter(grade=Grade.EXCELLENT).count() == cap
    assert Appraisal.objects.get(pk=full[cap].pk).grade == ""


def test_regrading_an_excellent_member_as_excellent_is_not_counted_twice(branch_a):
    round = open_round(branch_a, full=3)
    first = appraisals(round)[0]
    services.grade(appraisal=first, grade=Grade.EXCELLENT, follow_up="", by=None)
    services.grade(appraisal=first, grade=Grade.EXCELLENT, follow_up="表现突出", by=None)
    first.refresh_from_db()
    assert first.grade == Grade.EXCELLENT and first.follow_up == "表现突出"


def test_lowering_an_excellent_grade_frees_a_place_for_another(branch_a):
    round = open_round(branch_a, full=3)
    first, second, _third = appraisals(round)
    services.grade(appraisal=first, grade=Grade.EXCELLENT, follow_up="", by=None)
    services.grade(appraisal=first, grade=Grade.QUALIFIED, follow_up="", by=None)
    services.grade(appraisal=second, grade=Grade.EXCELLENT, follow_up="", by=None)
    assert round.appraisals.filter(grade=Grade.EXCELLENT).get().pk == second.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_excellent_grades_at_the_same_moment_cannot_both_pass_the_cap(branch_a, monkeypatch):
    """The first grade holds the round's lock while it counts; the second waits for it and then sees its 优秀."""
    round = open_round(branch_a, full=3)  # cap 1
    first, second, _ = appraisals(round)
    counting, results = threading.Event(), {}
    real = rules.max_excellent

    def slow_cap(graded):
        if threading.current_thread().name == "first":
            counting.set()
            time.sleep(0.5)  # the second grade arrives now
        return real(graded)

    monkeypatch.setattr(rules, "max_excellent", slow_cap)

    def grade(name, appraisal):
        try:
            services.grade(appraisal=appraisal, grade=Grade.EXCELLENT, follow_up="", by=None)
            results[name] = "graded"
        except ValidationError:
            results[name] = "refused"
        finally:
            connection.close()

    one = threading.Thread(target=grade, args=("first", first), name="first")
    one.start()
    assert counting.wait(5)
    two = threading.Thread(target=grade, args=("second", second), name="second")
    two.start()
    one.join(10)
    two.join(10)
    assert results == {"first": "graded", "second": "refused"}
    assert Appraisal.objects.filter(round=round, grade=Grade.EXCELLENT).count() == 1


# --- probationary members, 不合格, closing ------------------------------------------------------------------


def test_a_probationary_member_takes_part_but_gets_no_grade(branch_a):
    round = open_round(branch_a, full=3, probationary=1)
    probationary = appraisals(round, graded=False)[0]
    services.self_assess(appraisal=probationary, text="预备期内认真学习。")
    with pytest.raises(ValidationError) as error:
        services.grade(appraisal=probationary, grade=Grade.QUALIFIED, follow_up="", by=None)
    assert "预备党员" in message(error)
    probationary.refresh_from_db()
    assert probationary.grade == "" and probationary.self_submitted


def test_the_database_refuses_a_grade_for_a_probationary_member(branch_a):
    round = open_round(branch_a, probationary=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        round.appraisals.update(grade=Grade.QUALIFIED)


def test_unqualified_needs_the_follow_up_the_branch_decided(branch_a):
    round = open_round(branch_a, full=3)
    appraisal = appraisals(round)[0]
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as error:
            services.grade(appraisal=appraisal, grade=Grade.UNQUALIFIED, follow_up=blank, by=None)
        assert "follow_up" in error.value.error_dict
    services.grade(appraisal=appraisal, grade=Grade.UNQUALIFIED, follow_up="限期改正，半年后重新评议", by=None)
    appraisal.refresh_from_db()
    assert appraisal.grade == Grade.UNQUALIFIED and appraisal.follow_up == "限期改正，半年后重新评议"


def test_the_database_refuses_unqualified_without_a_follow_up(branch_a):
    round = open_round(branch_a, full=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        round.appraisals.update(grade=Grade.UNQUALIFIED, follow_up="")


def test_an_unknown_grade_is_refused(branch_a):
    round = open_round(branch_a, full=1)
    with pytest.raises(ValidationError):
        services.grade(appraisal=appraisals(round)[0], grade="superb", follow_up="", by=None)


def test_a_round_closes_only_when_every_full_member_is_graded(branch_a, secretary_a):
    round = open_round(branch_a, full=3, probationary=1)
    first, *rest = appraisals(round)
    services.grade(appraisal=first, grade=Grade.QUALIFIED, follow_up="", by=secretary_a)
    with pytest.raises(ValidationError) as error:
        services.round_close(round=round, by=secretary_a)
    assert "2" in message(error)
    grade_all(round, by=secretary_a)
    closed = services.round_close(round=round, by=secretary_a)  # the probationary member needs no grade
    assert not closed.is_open and closed.closed_at and closed.closed_by == secretary_a


def test_nothing_changes_once_a_round_is_closed(branch_a):
    round = open_round(branch_a, full=2)
    grade_all(round)
    services.round_close(round=round, by=None)
    first, second = appraisals(round)
    with pytest.raises(ValidationError):
        services.grade(appraisal=first, grade=Grade.BASIC, follow_up="", by=None)
    with pytest.raises(ValidationError):
        services.self_assess(appraisal=first, text="补写")
    with pytest.raises(ValidationError):
        services.peer_assess(assessor=first.member, appraisal=second, grade=Grade.QUALIFIED, comment="")
    with pytest.raises(ValidationError):
        services.round_close(round=round, by=None)


# --- self and peer assessment -------------------------------------------------------------------------------


def test_a_self_assessment_is_saved_and_may_be_rewritten_while_the_round_is_open(branch_a):
    round = open_round(branch_a, full=1)
    appraisal = appraisals(round)[0]
    with pytest.raises(ValidationError):
        services.self_assess(appraisal=appraisal, text="  ")
    services.self_assess(appraisal=appraisal, text="第一稿")
    services.self_assess(appraisal=appraisal, text="  定稿  ")
    appraisal.refresh_from_db()
    assert appraisal.self_assessment == "定稿" and appraisal.self_submitted_at is not None


def test_a_peer_assessment_suggests_a_grade_and_given_again_replaces_the_last(branch_a):
    round = open_round(branch_a, full=2)
    one, two = appraisals(round)
    services.peer_assess(assessor=one.member, appraisal=two, grade=Grade.EXCELLENT, comment="带头作用明显")
    services.peer_assess(assessor=one.member, appraisal=two, grade=Grade.QUALIFIED, comment="")
    assessment = PeerAssessment.objects.get()
    assert (assessment.assessor, assessment.grade, assessment.comment) == (one.member, Grade.QUALIFIED, "")
    with pytest.raises(ValidationError):
        services.peer_assess(assessor=one.member, appraisal=two, grade="", comment="没有建议等次")


def test_nobody_assesses_herself_as_a_peer(branch_a):
    round = open_round(branch_a, full=2)
    one = appraisals(round)[0]
    with pytest.raises(ValidationError):
        services.peer_assess(assessor=one.member, appraisal=one, grade=Grade.EXCELLENT, comment="")
    assert not PeerAssessment.objects.exists()


def test_a_member_of_another_branch_cannot_peer_assess(branch_a, branch_b):
    round = open_round(branch_a, full=2)
    stranger = open_round(branch_b, full=1).appraisals.get().member
    late_comer = members(branch_a, full=1)[0]  # joined after the round opened: not in it
    for assessor in (stranger, late_comer):
        with pytest.raises(ValidationError):
            services.peer_assess(assessor=assessor, appraisal=appraisals(round)[0], grade=Grade.QUALIFIED, comment="")
    assert not PeerAssessment.objects.exists()


def test_a_probationary_member_is_assessed_with_a_comment_not_a_grade(branch_a):
    round = open_round(branch_a, full=1, probationary=1)
    full, probationary = appraisals(round)[0], appraisals(round, graded=False)[0]
    with pytest.raises(ValidationError):
        services.peer_assess(assessor=full.member, appraisal=probationary, grade=Grade.QUALIFIED, comment="")
    with pytest.raises(ValidationError):
        services.peer_assess(assessor=full.member, appraisal=probationary, grade="", comment="")
    services.peer_assess(assessor=full.member, appraisal=probationary, grade="", comment="虚心学习")
    # and a probationary member assesses a full member like anybody else
    services.peer_assess(assessor=probationary.member, appraisal=full, grade=Grade.QUALIFIED, comment="")
    assert PeerAssessment.objects.count() == 2


def test_the_user_who_opened_the_round_is_kept(branch_a):
    opener = UserFactory(role="admin", building=branch_a.building)
    round = open_round(branch_a, full=1, by=opener)
    assert AppraisalRound.objects.get(pk=round.pk).opened_by == opener
