"""The compliance table's read part: which meetings each branch owed in which period, and the state of each cell.

"Today" is 15 May 2026 throughout: May and the second quarter are running, April and the first quarter are over,
June and the second half of the year are still to come.
"""

import datetime

import pytest
from django.utils import timezone

from activities.meetings import compliance
from activities.meetings.compliance import AMBER, GREEN, HALF_YEAR, MONTH, NOT_DUE, QUARTER, RED, YEAR
from activities.meetings.models import Attendance, ComplianceSettings, Meeting
from activities.meetings.tests.factories import AttendanceFactory, MeetingFactory
from buildingparty.models import PartyOrganization
from members.committees.tests.factories import CommitteeTermFactory
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)
K = Meeting.Kind
S = Meeting.Status


def at(year, month, day=10, hour=14, minute=0):
    """A local (Asia/Shanghai) moment."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def meet(organization, kind, when, status=S.HELD):
    return MeetingFactory(
        organization=organization,
        kind=kind,
        starts_at=when,
        status=status,
        cancel_reason="时间冲突" if status == S.CANCELLED else "",
    )


def table(organizations=None, *, today=TODAY, year=None, meetings=None):
    return compliance.grid(
        organizations=organizations if organizations is not None else PartyOrganization.objects.all(),
        year=year or today.year,
        today=today,
        meetings=meetings,
    )


def row_of(grid, organization):
    return next(row for row in grid.rows if row.organization.pk == organization.pk)


def cell(grid, organization, period_kind, index):
    return row_of(grid, organization).cells[period_kind][index - 1]


def kinds(cell):
    return [item.kind for item in cell.items]


# --- what is required of whom --------------------------------------------------------------------------------


def test_rows_are_the_branches_and_joint_branches_not_the_general_branch_nor_groups(
    general_branch, branch_a, group_a, branch_b
):
    joint = OrganizationFactory(building=general_branch.building, name="联合支部", kind="joint_branch")
    names = [row.organization.name for row in table().rows]
    assert sorted(names) == sorted([branch_a.name, branch_b.name, joint.name])


def test_no_committee_meeting_is_required_of_a_branch_without_a_committee(branch_b):
    assert K.COMMITTEE not in kinds(cell(table(), branch_b, MONTH, 1))


def test_committee_meetings_are_required_monthly_of_a_branch_whose_current_term_has_a_committee(branch_a, branch_b):
    CommitteeTermFactory(organization=branch_a, is_committee=True)
    CommitteeTermFactory(organization=branch_b, is_committee=False)  # a secretary only
    grid = table()
    assert K.COMMITTEE in kinds(cell(grid, branch_a, MONTH, 3))
    assert K.COMMITTEE not in kinds(cell(grid, branch_b, MONTH, 3))


def test_a_committee_of_a_term_already_replaced_does_not_count(branch_a):
    CommitteeTermFactory(organization=branch_a, is_committee=True, ended_on=datetime.date(2025, 6, 1))
    assert K.COMMITTEE not in kinds(cell(table(), branch_a, MONTH, 1))


def test_group_meetings_are_required_of_each_group_and_met_by_that_groups_own_meetings(branch_a, group_a):
    group_two = OrganizationFactory(building=branch_a.building, name="第二党小组", kind="group", parent=branch_a)
    meet(group_a, K.GROUP, at(2026, 3, 5))
    march = cell(table(), branch_a, MONTH, 3)
    groups = {item.group: item for item in march.items if item.kind == K.GROUP}
    assert groups[group_a.name].is_held
    assert groups[group_two.name].is_missing
    assert groups[group_two.name].organization_id == group_two.pk
    assert [str(item.label) for item in march.missing if item.kind == K.GROUP] == ["第二党小组 党小组会"]


def test_a_group_meeting_recorded_on_the_branch_itself_meets_no_groups_requirement(branch_a, group_a):
    meet(branch_a, K.GROUP, at(2026, 3, 5))
    march = cell(table(), branch_a, MONTH, 3)
    assert [item.state for item in march.items if item.kind == K.GROUP] == [compliance.MISSING]


def test_no_group_meeting_is_required_of_a_branch_without_groups(branch_a, branch_b, group_a):
    assert K.GROUP not in kinds(cell(table(), branch_b, MONTH, 1))


def test_party_lessons_are_quarterly_by_default(branch_a):
    grid = table()
    assert K.LESSON in kinds(cell(grid, branch_a, QUARTER, 1))
    assert K.LESSON not in kinds(cell(grid, branch_a, YEAR, 1))
    assert HALF_YEAR not in row_of(grid, branch_a).cells


def test_party_lessons_follow_the_buildings_setting_when_yearly(building, branch_a):
    ComplianceSettings.objects.create(building=building, lesson_frequency=ComplianceSettings.Frequency.YEARLY)
    grid = table()
    assert K.LESSON not in kinds(cell(grid, branch_a, QUARTER, 1))
    assert K.LESSON in kinds(cell(grid, branch_a, YEAR, 1))


def test_a_half_yearly_lesson_makes_a_half_year_table(building, branch_a):
    ComplianceSettings.objects.create(building=building, lesson_frequency=ComplianceSettings.Frequency.HALF_YEARLY)
    grid = table()
    assert kinds(cell(grid, branch_a, HALF_YEAR, 2)) == [K.LESSON]
    assert [section.period_kind for section in grid.sections] == [MONTH, QUARTER, HALF_YEAR, YEAR]


def test_general_meetings_are_quarterly_theme_days_monthly_life_meetings_yearly(branch_a):
    grid = table()
    assert kinds(cell(grid, branch_a, QUARTER, 2)) == [K.GENERAL_MEETING, K.LESSON]
    assert kinds(cell(grid, branch_a, MONTH, 2)) == [K.THEME_DAY]
    assert kinds(cell(grid, branch_a, YEAR, 1)) == [K.LIFE_MEETING]


def test_each_building_is_measured_by_its_own_settings(building, branch_a, outsider):
    other_branch = PartyOrganization.objects.get(name="另一支部")
    ComplianceSettings.objects.create(building=other_branch.building, lesson_frequency="monthly", theme_day=20)
    grid = table()
    assert K.LESSON in kinds(cell(grid, other_branch, MONTH, 1))
    assert K.LESSON not in kinds(cell(grid, branch_a, MONTH, 1))
    theme_day = next(item for item in cell(grid, other_branch, MONTH, 1).items if item.kind == K.THEME_DAY)
    assert theme_day.day == 20
    assert str(theme_day.label_with_day) == "主题党日（每月 20 日）"


def test_periods_before_a_branch_was_founded_are_not_required(branch_a):
    branch_a.founded_on = datetime.date(2026, 3, 10)
    branch_a.save(update_fields=["founded_on"])
    grid = table()
    assert cell(grid, branch_a, MONTH, 2).state == compliance.NONE
    assert cell(grid, branch_a, MONTH, 3).items  # founded during March: March counts
    assert cell(grid, branch_a, QUARTER, 1).items


# --- states --------------------------------------------------------------------------------------------------


def test_a_held_meeting_makes_the_cell_green(branch_a):
    meet(branch_a, K.THEME_DAY, at(2026, 2, 20))
    assert cell(table(), branch_a, MONTH, 2).state == GREEN


def test_a_meeting_planned_but_not_held_makes_the_cell_amber(branch_a):
    meet(branch_a, K.THEME_DAY, at(2026, 2, 20), status=S.PLANNED)
    february = cell(table(), branch_a, MONTH, 2)
    assert february.state == AMBER
    assert [item.kind for item in february.planned] == [K.THEME_DAY]


def test_nothing_held_or_planned_in_a_past_period_makes_the_cell_red(branch_a):
    february = cell(table(), branch_a, MONTH, 2)
    assert february.state == RED
    assert [str(item.label) for item in february.missing] == ["主题党日"]


def test_a_cancelled_meeting_counts_for_nothing(branch_a):
    meet(branch_a, K.THEME_DAY, at(2026, 2, 20), status=S.CANCELLED)
    assert cell(table(), branch_a, MONTH, 2).state == RED


def test_held_beats_planned_and_cancelled_in_the_same_period(branch_a):
    meet(branch_a, K.GENERAL_MEETING, at(2026, 1, 20), status=S.CANCELLED)
    meet(branch_a, K.GENERAL_MEETING, at(2026, 2, 20), status=S.PLANNED)
    meet(branch_a, K.GENERAL_MEETING, at(2026, 3, 20))
    meet(branch_a, K.LESSON, at(2026, 3, 21))
    assert cell(table(), branch_a, QUARTER, 1).state == GREEN


def test_one_missing_meeting_makes_a_cell_red_though_others_are_held_or_planned(branch_a, group_a):
    CommitteeTermFactory(organization=branch_a)
    meet(branch_a, K.THEME_DAY, at(2026, 4, 20))
    meet(group_a, K.GROUP, at(2026, 4, 21), status=S.PLANNED)
    april = cell(table(), branch_a, MONTH, 4)
    assert april.state == RED
    assert [str(item.label) for item in april.missing] == ["支委会"]
    assert [str(item.label) for item in april.planned] == ["第一党小组 党小组会"]
    assert [str(item.label) for item in april.held] == ["主题党日"]


def test_the_current_period_is_red_when_nothing_is_planned_or_held(branch_a):
    may = cell(table(), branch_a, MONTH, 5)
    assert may.position == compliance.CURRENT
    assert may.state == RED


def test_the_current_period_is_amber_when_the_meeting_is_planned(branch_a):
    meet(branch_a, K.THEME_DAY, at(2026, 5, 28), status=S.PLANNED)
    assert cell(table(), branch_a, MONTH, 5).state == AMBER


def test_a_later_period_is_not_yet_due_even_with_nothing_planned(branch_a):
    grid = table()
    assert cell(grid, branch_a, MONTH, 6).state == NOT_DUE
    assert cell(grid, branch_a, QUARTER, 3).state == NOT_DUE


def test_a_later_period_already_held_is_green(branch_a):
    meet(branch_a, K.THEME_DAY, at(2026, 6, 1))
    assert cell(table(), branch_a, MONTH, 6).state == GREEN


def test_a_past_year_is_all_due_and_a_coming_year_all_not_yet_due(branch_a):
    past = table(year=2025)
    coming = table(year=2027)
    assert {c.state for c in row_of(past, branch_a).cells[MONTH]} == {RED}
    assert {c.state for c in row_of(coming, branch_a).cells[MONTH]} == {NOT_DUE}


def test_a_meeting_counts_in_the_month_of_its_local_start_date(branch_a):
    # 31 March 23:30 in Shanghai is still March; 1 April 00:30 is April, though both are 31 March in UTC.
    meet(branch_a, K.THEME_DAY, at(2026, 3, 31, 23, 30))
    meet(branch_a, K.GENERAL_MEETING, at(2026, 4, 1, 0, 30))
    grid = table()
    assert cell(grid, branch_a, MONTH, 3).state == GREEN
    assert cell(grid, branch_a, MONTH, 4).state == RED
    assert [i.state for i in cell(grid, branch_a, QUARTER, 1).items if i.kind == K.GENERAL_MEETING] == ["missing"]
    assert [i.state for i in cell(grid, branch_a, QUARTER, 2).items if i.kind == K.GENERAL_MEETING] == ["held"]


def test_meetings_of_other_years_do_not_count(branch_a):
    meet(branch_a, K.LIFE_MEETING, at(2025, 12, 30))
    meet(branch_a, K.LIFE_MEETING, at(2027, 1, 5))
    assert cell(table(), branch_a, YEAR, 1).state == RED


# --- the quorum ----------------------------------------------------------------------------------------------


def general_meeting(branch, when, *, present, absent):
    meeting = meet(branch, K.GENERAL_MEETING, when)
    for _ in range(present):
        AttendanceFactory(meeting=meeting, status=Attendance.Status.PRESENT)
    for _ in range(absent):
        AttendanceFactory(meeting=meeting, status=Attendance.Status.ABSENT)
    AttendanceFactory(meeting=meeting, is_voting=False, status=Attendance.Status.PRESENT)  # 列席: no vote
    return meeting


def test_a_general_meeting_held_without_quorum_counts_as_held_but_is_marked(branch_a):
    general_meeting(branch_a, at(2026, 2, 10), present=2, absent=2)  # exactly half: no quorum
    meet(branch_a, K.LESSON, at(2026, 2, 11))
    first = cell(table(), branch_a, QUARTER, 1)
    assert first.state == GREEN
    assert first.no_quorum


def test_a_general_meeting_with_more_than_half_present_is_not_marked(branch_a):
    general_meeting(branch_a, at(2026, 2, 10), present=3, absent=2)
    assert not cell(table(), branch_a, QUARTER, 1).no_quorum


def test_a_quorate_general_meeting_in_the_same_quarter_clears_the_mark(branch_a):
    general_meeting(branch_a, at(2026, 1, 10), present=1, absent=3)
    general_meeting(branch_a, at(2026, 3, 10), present=3, absent=1)
    assert not cell(table(), branch_a, QUARTER, 1).no_quorum


# --- totals, scope and cost ----------------------------------------------------------------------------------


def test_the_year_totals_count_each_owed_meeting_once(branch_a):
    # A branch without committee or groups owes 4 general meetings, 4 lessons, 12 theme days, 1 life meeting.
    meet(branch_a, K.THEME_DAY, at(2026, 1, 10))
    meet(branch_a, K.THEME_DAY, at(2026, 1, 20))  # a second one in January is not a second "held"
    meet(branch_a, K.THEME_DAY, at(2026, 2, 10))
    meet(branch_a, K.THEME_DAY, at(2026, 5, 20), status=S.PLANNED)
    row = row_of(table(), branch_a)
    assert row.required == 21
    assert row.held == 2
    assert row.planned == 1
    # due so far and neither held nor planned: 2 general meetings, 2 lessons, 2 theme days (Mar, Apr), the year's
    # life meeting (the year is running)
    assert row.missing == 7


def test_a_secretarys_scope_counts_only_the_meetings_she_may_see(branch_a, branch_b, secretary_b):
    meet(branch_a, K.THEME_DAY, at(2026, 2, 20))
    grid = table(meetings=Meeting.objects.for_user(secretary_b))
    assert cell(grid, branch_a, MONTH, 2).state == RED


def test_outstanding_lists_this_months_and_this_quarters_missing_meetings(branch_a):
    CommitteeTermFactory(organization=branch_a)
    meet(branch_a, K.COMMITTEE, at(2026, 5, 8))
    meet(branch_a, K.LESSON, at(2026, 6, 8), status=S.PLANNED)
    outstanding = row_of(table(), branch_a).outstanding()
    assert [(cell.period_kind, item.kind) for cell, item in outstanding] == [
        (MONTH, K.THEME_DAY),
        (QUARTER, K.GENERAL_MEETING),
    ]


def data(building, n):
    """n branches, each with a committee, two groups and a year of meetings of every kind."""
    for i in range(n):
        branch = OrganizationFactory(building=building, name=f"规模支部{n}-{i}")
        CommitteeTermFactory(organization=branch)
        groups = [
            OrganizationFactory(building=building, name=f"规模党小组{n}-{i}-{g}", kind="group", parent=branch)
            for g in range(2)
        ]
        for month in range(1, 13):
            meet(branch, K.THEME_DAY, at(2026, month, 5))
            meet(branch, K.COMMITTEE, at(2026, month, 6), status=S.PLANNED)
            meet(groups[month % 2], K.GROUP, at(2026, month, 7))
        general_meeting(branch, at(2026, 2, 10), present=1, absent=2)


@pytest.mark.parametrize("scale", [1, 3])
def test_the_table_takes_six_queries_however_many_branches_and_meetings(
    building, general_branch, django_assert_num_queries, scale
):
    ComplianceSettings.objects.create(building=building)
    data(building, scale)
    with django_assert_num_queries(6):
        grid = table(PartyOrganization.objects.filter(building=building))
    assert len(grid.rows) == scale
