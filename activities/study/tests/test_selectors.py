"""Study hours (学时): what counts towards a member's year, what she owes, who is behind."""

import datetime
from decimal import Decimal

import pytest

from activities.meetings.models import Attendance, Meeting
from activities.study import selectors
from activities.study.tests.factories import session_with, study_meeting, this_year
from members.committees.tests.factories import CommitteeSeatFactory, CommitteeTermFactory
from tests.factories import MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

Status = Attendance.Status


@pytest.fixture
def members(branch_a):
    return [MemberFactory(organization=branch_a, name=name) for name in ("张一", "李二", "王三")]


def test_a_held_lesson_counts_for_those_present_and_not_for_the_absent_or_on_leave(branch_a, members):
    zhang, li, wang = members
    study_meeting(branch_a, {zhang: Status.PRESENT, li: Status.ABSENT, wang: "leave"}, hours="2.5")

    hours = selectors.hours_by_member([m.pk for m in members], this_year())

    assert hours == {zhang.pk: Decimal("2.5")}


def test_planned_and_cancelled_meetings_and_meetings_without_study_hours_count_nothing(branch_a, members):
    zhang = members[0]
    study_meeting(branch_a, {zhang: Status.PRESENT}, status=Meeting.Status.PLANNED)
    study_meeting(branch_a, {zhang: Status.PRESENT}, status=Meeting.Status.CANCELLED)
    study_meeting(branch_a, {zhang: Status.PRESENT}, hours="0", kind=Meeting.Kind.GENERAL_MEETING)

    assert selectors.hours_by_member([zhang.pk], this_year()) == {}


def test_sessions_taken_part_in_count_their_hours_and_add_to_the_meetings(branch_a, members):
    zhang, li, _wang = members
    study_meeting(branch_a, {zhang: Status.PRESENT})
    session_with([zhang, li], hours=Decimal("3.0"))
    session_with([zhang], hours=Decimal("1.5"))

    hours = selectors.hours_by_member([m.pk for m in members], this_year())

    assert hours == {zhang.pk: Decimal("6.5"), li.pk: Decimal("3.0")}
    assert selectors.hours_breakdown([zhang.pk], this_year()) == {zhang.pk: (Decimal("2.0"), Decimal("4.5"))}


def test_hours_of_another_year_do_not_count(branch_a, members):
    zhang = members[0]
    last_year = this_year() - 1
    study_meeting(branch_a, {zhang: Status.PRESENT}, day=datetime.date(last_year, 12, 20))
    session_with([zhang], held_on=datetime.date(last_year, 12, 31))
    session_with([zhang], held_on=datetime.date(this_year(), 1, 1), hours=Decimal("1.0"))

    assert selectors.hours_by_member([zhang.pk], this_year()) == {zhang.pk: Decimal("1.0")}
    assert selectors.hours_by_member([zhang.pk], last_year) == {zhang.pk: Decimal("4.0")}


def test_a_meeting_late_on_new_years_eve_belongs_to_the_old_year_in_the_buildings_time_zone(branch_a, members):
    zhang = members[0]
    last_year = this_year() - 1
    meeting = study_meeting(branch_a, {zhang: Status.PRESENT}, day=datetime.date(last_year, 12, 31))
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=selectors.day_start(datetime.date(this_year(), 1, 1)) - datetime.timedelta(minutes=30)
    )

    assert selectors.hours_by_member([zhang.pk], last_year) == {zhang.pk: Decimal("2.0")}
    assert selectors.hours_by_member([zhang.pk], this_year()) == {}


def test_hours_take_two_queries_however_many_members(branch_a, django_assert_num_queries):
    many = [MemberFactory(organization=branch_a) for _ in range(6)]
    for member in many:
        study_meeting(branch_a, {member: Status.PRESENT})
        session_with([member])
    with django_assert_num_queries(2):
        hours = selectors.hours_by_member([m.pk for m in many], this_year())
    assert set(hours.values()) == {Decimal("4.0")}


def test_members_owe_32_hours_and_those_with_a_committee_seat_in_the_year_56(branch_a, members):
    zhang, li, wang = members
    term = CommitteeTermFactory(organization=branch_a, elected_on=datetime.date(this_year() - 2, 6, 1))
    CommitteeSeatFactory(term=term, member=zhang, since=term.elected_on)
    # Li's seat ended last year: this year she owes 32 again, last year 56.
    CommitteeSeatFactory(term=term, member=li, since=term.elected_on, until=datetime.date(this_year() - 1, 3, 1))

    this = {row.member.pk: row.required for row in selectors.study_standing([branch_a.pk], this_year())}
    last = {row.member.pk: row.required for row in selectors.study_standing([branch_a.pk], this_year() - 1)}

    assert this == {zhang.pk: 56, li.pk: 32, wang.pk: 32}
    assert last == {zhang.pk: 56, li.pk: 56, wang.pk: 32}


def test_behind_in_a_past_year_means_short_of_the_whole_requirement(branch_a, members):
    zhang, li, wang = members
    last_year = this_year() - 1
    session_with([zhang, li], held_on=datetime.date(last_year, 5, 1), hours=Decimal("24"))
    session_with([zhang], held_on=datetime.date(last_year, 6, 1), hours=Decimal("8"))

    rows = {row.member: row for row in selectors.study_standing([branch_a.pk], last_year)}

    assert rows[zhang].hours == 32 and not rows[zhang].behind and rows[zhang].done
    assert rows[li].behind and rows[li].to_go == 8 and rows[li].percent == 75
    assert rows[wang].behind and rows[wang].hours == 0


def test_behind_this_year_means_short_of_the_share_of_the_year_gone_by():
    year = 2025
    assert selectors.pace(32, year, datetime.date(2025, 1, 1)) == Decimal("0.0")
    assert selectors.pace(32, year, datetime.date(2025, 7, 2)) == Decimal("16.0")  # day 183 of 365
    assert selectors.pace(56, year, datetime.date(2025, 12, 31)) == 56
    assert selectors.pace(32, year, datetime.date(2026, 3, 1)) == 32
    assert selectors.pace(32, year, datetime.date(2024, 3, 1)) == 0


def test_study_standing_lists_members_in_normal_standing_still_here_by_name(branch_a, group_a, members):
    in_group = MemberFactory(organization=group_a, name="赵四")
    MemberFactory(organization=branch_a, name="钱五", whereabouts="transferred_out")
    MemberFactory(organization=OrganizationFactory(building=branch_a.building), name="孙六")

    names = [row.member.name for row in selectors.study_standing(branch_a.subtree_ids(), this_year())]

    assert sorted(names) == sorted(["张一", "李二", "王三", "赵四"]) and in_group.name in names


def test_participants_offered_are_one_branchs_members_and_those_already_taking_part(
    general_branch, branch_a, group_a, branch_b, members
):
    in_group = MemberFactory(organization=group_a)
    gone = MemberFactory(organization=branch_a, whereabouts="transferred_out")
    other = MemberFactory(organization=branch_b)
    session = session_with([gone], organization=branch_a)

    assert set(selectors.participant_candidates(group_a)) == {in_group}
    assert set(selectors.participant_candidates(branch_a)) == {*members, in_group}
    assert set(selectors.participant_candidates(branch_a, session=session)) == {*members, in_group, gone}
    assert set(selectors.participant_candidates(general_branch, branch_b)) == {other}
    assert set(selectors.participant_candidates(general_branch)) == set()
