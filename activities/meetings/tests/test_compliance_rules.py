"""The pure part of compliance: what a branch owes, how often, and which period a month falls in. No database."""

import datetime

import pytest

from activities.meetings import compliance
from activities.meetings.compliance import HALF_YEAR, MONTH, QUARTER, YEAR, Requirement, required_meetings
from activities.meetings.models import ComplianceSettings, Meeting

K = Meeting.Kind
F = ComplianceSettings.Frequency


def owed(**overrides):
    arguments = {
        "organization_kind": "branch",
        "has_committee": False,
        "group_names": [],
        "lesson_frequency": None,
        **overrides,
    }
    return required_meetings(**arguments)


def test_a_small_branch_owes_a_general_meeting_a_quarter_lessons_theme_days_and_a_yearly_life_meeting():
    assert owed() == [
        Requirement(K.GENERAL_MEETING, QUARTER),
        Requirement(K.LESSON, QUARTER),
        Requirement(K.THEME_DAY, MONTH),
        Requirement(K.LIFE_MEETING, YEAR),
    ]


def test_no_committee_meeting_is_required_of_a_branch_without_a_committee():
    assert K.COMMITTEE not in {r.kind for r in owed(has_committee=False)}


def test_a_branch_with_a_committee_owes_a_committee_meeting_every_month():
    assert Requirement(K.COMMITTEE, MONTH) in owed(has_committee=True)


def test_each_party_group_owes_its_own_group_meeting_every_month():
    requirements = owed(group_names=["第一党小组", "第二党小组"])
    assert [r for r in requirements if r.kind == K.GROUP] == [
        Requirement(K.GROUP, MONTH, "第一党小组"),
        Requirement(K.GROUP, MONTH, "第二党小组"),
    ]


def test_a_branch_without_groups_owes_no_group_meeting():
    assert K.GROUP not in {r.kind for r in owed(group_names=[])}


def test_the_branchs_own_requirements_name_no_group():
    assert all(r.group == "" for r in owed(has_committee=True) if r.kind != K.GROUP)


@pytest.mark.parametrize(
    ("frequency", "period"),
    [(None, QUARTER), (F.QUARTERLY, QUARTER), (F.MONTHLY, MONTH), (F.HALF_YEARLY, HALF_YEAR), (F.YEARLY, YEAR)],
)
def test_party_lessons_follow_the_buildings_frequency_quarterly_by_default(frequency, period):
    lessons = [r for r in owed(lesson_frequency=frequency) if r.kind == K.LESSON]
    assert lessons == [Requirement(K.LESSON, period)]


def test_a_joint_branch_owes_what_a_branch_owes():
    arguments = {"has_committee": True, "group_names": ["党小组"], "lesson_frequency": F.YEARLY}
    assert owed(organization_kind="joint_branch", **arguments) == owed(organization_kind="branch", **arguments)


@pytest.mark.parametrize("kind", ["general_branch", "group"])
def test_the_general_branch_and_party_groups_owe_nothing_of_their_own(kind):
    assert owed(organization_kind=kind, has_committee=True, group_names=["x"]) == []


def test_requirements_are_listed_in_the_order_of_the_rules():
    kinds = [r.kind for r in owed(has_committee=True, group_names=["g"])]
    assert kinds == [K.GENERAL_MEETING, K.COMMITTEE, K.GROUP, K.LESSON, K.THEME_DAY, K.LIFE_MEETING]


# --- periods -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "quarter", "half"),
    [(1, 1, 1), (3, 1, 1), (4, 2, 1), (6, 2, 1), (7, 3, 2), (9, 3, 2), (10, 4, 2), (12, 4, 2)],
)
def test_a_month_falls_in_its_quarter_and_half_year(month, quarter, half):
    assert compliance.quarter_of(month) == quarter
    assert compliance.half_of(month) == half
    assert compliance.period_of(MONTH, month) == month
    assert compliance.period_of(YEAR, month) == 1


def test_a_year_has_twelve_months_four_quarters_two_halves():
    assert [compliance.periods_in_year(k) for k in (MONTH, QUARTER, HALF_YEAR, YEAR)] == [12, 4, 2, 1]


def test_the_months_of_a_period():
    assert list(compliance.period_months(QUARTER, 2)) == [4, 5, 6]
    assert list(compliance.period_months(HALF_YEAR, 2)) == [7, 8, 9, 10, 11, 12]
    assert list(compliance.period_months(YEAR, 1)) == list(range(1, 13))
    assert list(compliance.period_months(MONTH, 11)) == [11]


def test_a_periods_bounds_run_from_its_first_to_its_last_day_leap_years_included():
    assert compliance.period_bounds(MONTH, 2028, 2) == (datetime.date(2028, 2, 1), datetime.date(2028, 2, 29))
    assert compliance.period_bounds(QUARTER, 2026, 1) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert compliance.period_bounds(YEAR, 2026, 1) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


def test_a_period_is_past_current_or_future_against_today():
    today = datetime.date(2026, 5, 15)
    assert compliance.position(MONTH, 2026, 4, today) == compliance.PAST
    assert compliance.position(MONTH, 2026, 5, today) == compliance.CURRENT
    assert compliance.position(MONTH, 2026, 6, today) == compliance.FUTURE
    assert compliance.position(QUARTER, 2026, 2, today) == compliance.CURRENT
    assert compliance.position(YEAR, 2025, 1, today) == compliance.PAST
    assert compliance.position(YEAR, 2027, 1, today) == compliance.FUTURE


def test_the_last_day_of_a_period_is_still_current():
    assert compliance.position(QUARTER, 2026, 1, datetime.date(2026, 3, 31)) == compliance.CURRENT
    assert compliance.position(QUARTER, 2026, 1, datetime.date(2026, 4, 1)) == compliance.PAST
