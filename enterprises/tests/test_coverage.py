"""Party-organisation coverage (DOMAIN.md §7): who should form a branch, who has members and no organisation,
which joint branches cover too many units; the page, its chart and the admin's home panel."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.models import Enterprise
from enterprises.selectors import coverage_report, organizations_of
from enterprises.survey.models import SurveyCampaign, SurveyVisit
from tests.factories import BuildingFactory, EnterpriseFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def add_members(enterprise, organization, *, full=0, probationary=0, **extra):
    for _ in range(full):
        MemberFactory(enterprise=enterprise, organization=organization, **extra)
    for _ in range(probationary):
        MemberFactory(
            enterprise=enterprise,
            organization=organization,
            category="probationary",
            full_member_on=None,
            joined_on=datetime.date(2025, 12, 1),
            **extra,
        )


def report_for(building):
    enterprises = Enterprise.objects.filter(building=building)
    return coverage_report(enterprises, organizations_of(enterprises))


@pytest.fixture
def elsewhere(db):
    """A branch of another building: members registered there are in none of our building's organisations."""
    other = BuildingFactory(name="别的楼宇")
    root = OrganizationFactory(building=other, name="别处总支", kind="general_branch", parent=None)
    return OrganizationFactory(building=other, name="别处支部", parent=root)


def visit(enterprise):
    campaign, _ = SurveyCampaign.objects.get_or_create(
        building=enterprise.building, name="2026 年度调查摸底", defaults={"starts_on": datetime.date(2026, 3, 1)}
    )
    return SurveyVisit.objects.create(campaign=campaign, enterprise=enterprise, visited_on=datetime.date(2026, 3, 10))


@pytest.fixture
def joint_branch(general_branch):
    return OrganizationFactory(
        building=general_branch.building, name="第一联合支部", kind="joint_branch", parent=general_branch
    )


# --- should form a branch -----------------------------------------------------------------------------------


def test_exactly_three_full_members_should_form_a_branch(building, branch_a):
    enterprise = EnterpriseFactory(building=building)
    add_members(enterprise, branch_a, full=3)
    assert report_for(building).should_form_branch == [enterprise]


def test_two_full_members_and_a_probationary_one_are_not_enough(building, branch_a):
    enterprise = EnterpriseFactory(building=building)
    add_members(enterprise, branch_a, full=2, probationary=1)
    assert report_for(building).should_form_branch == []


def test_members_not_in_normal_standing_do_not_count(building, branch_a):
    enterprise = EnterpriseFactory(building=building)
    add_members(enterprise, branch_a, full=2)
    add_members(enterprise, branch_a, full=1, whereabouts="transferred_out")
    assert report_for(building).should_form_branch == []


def test_an_enterprise_with_its_own_branch_is_not_asked_to_form_one(building, branch_a):
    enterprise = EnterpriseFactory(building=building, party_org_status="own_branch", party_organization=branch_a)
    add_members(enterprise, branch_a, full=4)
    report = report_for(building)
    assert report.should_form_branch == [] and report.small_own_branches == []


def test_an_enterprise_in_a_joint_branch_with_three_full_members_should_form_its_own(building, joint_branch):
    enterprise = EnterpriseFactory(building=building, party_org_status="joint_branch", party_organization=joint_branch)
    add_members(enterprise, joint_branch, full=3)
    assert report_for(building).should_form_branch == [enterprise]


def test_a_moved_out_enterprise_is_not_flagged(building, branch_a):
    enterprise = EnterpriseFactory(building=building, status="moved_out", moved_out_on=datetime.date(2026, 1, 1))
    add_members(enterprise, branch_a, full=3)
    report = report_for(building)
    assert report.should_form_branch == [] and report.members_without_organization == [] and report.total == 0


# --- members but no organisation ----------------------------------------------------------------------------


def test_rule_members_nowhere_in_the_buildings_organisations_are_flagged(building, elsewhere):
    flagged = EnterpriseFactory(building=building)
    add_members(flagged, elsewhere, probationary=1)
    EnterpriseFactory(building=building)  # no members: nothing to cover
    report = report_for(building)
    assert report.members_without_organization == [flagged]
    assert report.organisation_covered == 0


@pytest.mark.parametrize("where", ["general_branch", "branch_a", "group_a", "joint_branch"])
def test_rule_members_in_the_buildings_organisations_are_covered_by_the_building(building, request, where):
    """区域兜底覆盖: the street counts an enterprise as covered when its members are in the building's
    general branch, its branches or groups, or a joint branch, though it has no branch of its own."""
    enterprise = EnterpriseFactory(building=building, name="兜底企业")
    add_members(enterprise, request.getfixturevalue(where), full=1)
    report = report_for(building)
    assert report.members_without_organization == []
    assert report.covered_by_building == [enterprise]
    rows = {row.value: row.total for row in report.rows}
    assert rows == {"own_branch": 0, "joint_branch": 0, "building": 1, "none": 0}
    assert report.organisation_covered == 1


def test_rule_one_member_in_the_building_covers_an_enterprise_whose_others_are_elsewhere(building, branch_a, elsewhere):
    enterprise = EnterpriseFactory(building=building)
    add_members(enterprise, elsewhere, full=2)
    add_members(enterprise, branch_a, full=1)
    report = report_for(building)
    assert report.members_without_organization == [] and report.covered_by_building == [enterprise]


def test_rule_members_not_in_normal_standing_do_not_cover_an_enterprise(building, branch_a, elsewhere):
    enterprise = EnterpriseFactory(building=building)
    add_members(enterprise, elsewhere, full=1)
    add_members(enterprise, branch_a, full=1, status="transferred_out")
    assert report_for(building).members_without_organization == [enterprise]


def test_members_in_a_joint_branch_are_covered(building, joint_branch):
    enterprise = EnterpriseFactory(building=building, party_org_status="joint_branch", party_organization=joint_branch)
    add_members(enterprise, joint_branch, full=1)
    assert report_for(building).members_without_organization == []


# --- joint branches -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("units, flagged", [(5, False), (6, True)])
def test_a_joint_branch_of_more_than_five_units_is_flagged(building, joint_branch, units, flagged):
    EnterpriseFactory.create_batch(
        units, building=building, party_org_status="joint_branch", party_organization=joint_branch
    )
    report = report_for(building)
    assert (report.oversized_joint_branches == [joint_branch]) is flagged
    assert report.joint_branches[0].units == units


def test_units_that_moved_out_do_not_count_for_a_joint_branch(building, joint_branch):
    EnterpriseFactory.create_batch(
        5, building=building, party_org_status="joint_branch", party_organization=joint_branch
    )
    EnterpriseFactory(
        building=building,
        party_org_status="joint_branch",
        party_organization=joint_branch,
        status="moved_out",
        moved_out_on=datetime.date(2026, 1, 1),
    )
    assert report_for(building).oversized_joint_branches == []


# --- own branch with fewer than three full members (informational) -----------------------------------------


def test_an_own_branch_with_two_full_members_is_listed_for_information(building, branch_a):
    enterprise = EnterpriseFactory(building=building, party_org_status="own_branch", party_organization=branch_a)
    add_members(enterprise, branch_a, full=2, probationary=3)
    report = report_for(building)
    assert report.small_own_branches == [enterprise]
    assert report.flag_count == 0


# --- counts -------------------------------------------------------------------------------------------------


def test_counts_by_status_and_members(building, branch_a, joint_branch):
    own = EnterpriseFactory(building=building, party_org_status="own_branch", party_organization=branch_a)
    add_members(own, branch_a, full=3)
    EnterpriseFactory(building=building, party_org_status="joint_branch", party_organization=joint_branch)
    bare = EnterpriseFactory(building=building)
    add_members(bare, branch_a, full=1)
    EnterpriseFactory(building=building)
    foreign = EnterpriseFactory(building=building)
    add_members(foreign, OrganizationFactory(name="外楼支部"), full=1)
    report = report_for(building)
    rows = {row.value: (row.with_members, row.without_members) for row in report.rows}
    assert rows == {"own_branch": (1, 0), "joint_branch": (0, 1), "building": (1, 0), "none": (1, 1)}
    assert (report.total, report.with_members, report.without_members) == (5, 3, 2)
    assert report.organisation_covered == 3
    assert report.chart_data()["with_members"] == [1, 0, 1, 1]


# --- work coverage (工作覆盖), counted apart from the organisation's ------------------------------------------


def test_rule_work_coverage_counts_a_liaison_or_a_survey_visit_apart_from_organisation_coverage(
    building, branch_a, elsewhere
):
    liaison = UserFactory(username="liaison2", role="liaison", building=building)
    own = EnterpriseFactory(building=building, party_org_status="own_branch", party_organization=branch_a)
    add_members(own, branch_a, full=3)  # organisation coverage, no work coverage
    EnterpriseFactory(building=building, liaison=liaison)  # a liaison, no visit
    visited = EnterpriseFactory(building=building)
    visit(visited)
    visit(visited)  # visited twice counts once
    both = EnterpriseFactory(building=building, liaison=liaison)
    visit(both)
    add_members(both, elsewhere, full=1)
    EnterpriseFactory(building=building)  # neither
    work = report_for(building).work
    assert (work.with_liaison, work.visited, work.covered, work.not_covered) == (2, 2, 3, 2)
    assert report_for(building).organisation_covered == 1


def test_a_visit_to_a_moved_out_enterprise_does_not_count(building):
    gone = EnterpriseFactory(building=building)
    visit(gone)
    gone.status, gone.moved_out_on = "moved_out", datetime.date(2026, 4, 1)
    gone.save()
    assert report_for(building).work.visited == 0


@pytest.mark.parametrize("scale", [1, 3])
def test_the_report_runs_three_queries_however_many_enterprises(
    building, branch_a, joint_branch, django_assert_num_queries, scale
):
    liaison = UserFactory(username="liaison2", role="liaison", building=building)
    for _ in range(4 * scale):
        enterprise = EnterpriseFactory(
            building=building, party_org_status="joint_branch", party_organization=joint_branch, liaison=liaison
        )
        add_members(enterprise, joint_branch, full=1)
        visit(enterprise)
        add_members(EnterpriseFactory(building=building), branch_a, full=1)
    with django_assert_num_queries(3):
        report = report_for(building)
        assert len(report.joint_branches) == 1 and report.total == 8 * scale
        assert report.organisation_covered == 8 * scale and report.work.visited == 4 * scale


# --- the page -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("admin_user", 200),
        ("secretary_a", 200),
        ("street_user", 200),
        ("liaison_user", 403),
        ("contact_user", 403),
        ("member_user", 403),
    ],
)
def test_who_sees_the_coverage_page(login_as, request, persona, status):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(reverse("enterprises:coverage")).status_code == status


def test_anonymous_is_sent_to_sign_in(client, building):
    response = client.get(reverse("enterprises:coverage"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_lists_the_flags_and_carries_the_chart_data(admin_client, building, branch_a, joint_branch):
    big = EnterpriseFactory(building=building, name="三人公司")
    add_members(big, branch_a, full=3)
    EnterpriseFactory.create_batch(
        6, building=building, party_org_status="joint_branch", party_organization=joint_branch
    )
    response = admin_client.get(reverse("enterprises:coverage"))
    body = response.content.decode()
    assert "三人公司" in body and "第一联合支部" in body
    assert 'id="coverage-data"' in body and "chart.umd.min.js" in body
    # should form a branch and one joint branch; its members are in the building's branch, so it is covered
    assert response.context["report"].flag_count == 2


def test_the_page_shows_organisation_and_work_coverage_apart(admin_client, building, branch_a, elsewhere):
    add_members(EnterpriseFactory(building=building, name="兜底企业"), branch_a, full=1)
    add_members(EnterpriseFactory(building=building, name="无组织企业"), elsewhere, full=1)
    visit(EnterpriseFactory(building=building))
    response = admin_client.get(reverse("enterprises:coverage"))
    body = response.content.decode()
    assert 'data-testid="organisation-coverage"' in body and 'data-testid="work-coverage"' in body
    assert 'data-testid="covered-by-building"' in body and "兜底企业" in body
    report = response.context["report"]
    assert [e.name for e in report.members_without_organization] == ["无组织企业"]
    assert (report.organisation_covered, report.work.covered) == (1, 1)


def test_the_coverage_page_runs_as_many_queries_for_twenty_enterprises_as_for_two(
    admin_client, building, branch_a, joint_branch
):
    def add_rows(n):
        for _ in range(n):
            add_members(EnterpriseFactory(building=building), branch_a, full=1)
            visit(
                EnterpriseFactory(building=building, party_org_status="joint_branch", party_organization=joint_branch)
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("enterprises:coverage")).status_code == 200
        return len(captured)

    add_rows(1)
    admin_client.get(reverse("enterprises:coverage"))  # the session and caches are warm
    few = queries()
    add_rows(9)
    assert queries() == few


def test_the_list_filters_by_organisation_coverage_as_the_report_counts_it(admin_client, building, branch_a, elsewhere):
    add_members(EnterpriseFactory(building=building, name="兜底企业"), branch_a, full=1)
    add_members(EnterpriseFactory(building=building, name="无组织企业"), elsewhere, full=1)
    url = reverse("enterprises:list")
    by_building = admin_client.get(url, {"coverage": "building"}).content.decode()
    flagged = admin_client.get(url, {"coverage": "none", "has_members": "yes"}).content.decode()
    assert "兜底企业" in by_building and "无组织企业" not in by_building
    assert "无组织企业" in flagged and "兜底企业" not in flagged


def test_the_secretary_sees_the_whole_buildings_coverage(login_as, secretary_b, building, branch_a):
    enterprise = EnterpriseFactory(building=building, name="别的支部的企业")
    add_members(enterprise, branch_a, full=3)
    body = login_as(secretary_b).get(reverse("enterprises:coverage")).content.decode()
    assert "别的支部的企业" in body


def test_another_buildings_enterprises_stay_out_of_the_report(admin_client, building, outsider):
    foreign = EnterpriseFactory(building=outsider.building, name="外楼企业")
    add_members(foreign, outsider.member.organization, full=3)
    assert "外楼企业" not in admin_client.get(reverse("enterprises:coverage")).content.decode()


def test_chart_js_is_loaded_on_the_coverage_page_only(admin_client, building):
    assert "chart.umd.min.js" not in admin_client.get(reverse("enterprises:list")).content.decode()


def test_the_admin_home_panel_summarises_the_flags(admin_client, building, branch_a):
    enterprise = EnterpriseFactory(building=building)
    add_members(enterprise, branch_a, full=3)
    body = admin_client.get(reverse("home")).content.decode()
    assert 'data-testid="coverage-panel"' in body and reverse("enterprises:coverage") in body
    assert 'data-testid="panel-organisation-coverage"' in body and 'data-testid="panel-work-coverage"' in body


def test_the_secretary_home_has_no_coverage_panel(login_as, secretary_a):
    body = login_as(secretary_a).get(reverse("home")).content.decode()
    assert 'data-testid="coverage-panel"' not in body
