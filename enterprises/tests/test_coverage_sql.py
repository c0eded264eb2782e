"""The coverage rules as SQL (``enterprises.selectors`` Q conditions, the report's aggregate) agree with the pure
rule functions, enterprise by enterprise, over a varied set: the two cannot drift apart."""

import datetime
import itertools

import pytest
from django.urls import reverse

from enterprises import selectors
from enterprises.models import Enterprise
from enterprises.selectors import coverage_report, organizations_of, with_member_counts, with_visited
from enterprises.tests.test_coverage import add_members, visit
from tests.factories import EnterpriseFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied(building, branch_a, general_branch):
    """Enterprises over every organisation status, in or out of the building, with 0 to 4 full members
    registered in the building or elsewhere, some not in normal standing, some with a liaison or a visit."""
    joint = OrganizationFactory(building=building, name="联合支部", kind="joint_branch", parent=general_branch)
    elsewhere = OrganizationFactory(name="外楼支部")
    liaison = UserFactory(username="liaison-v", role="liaison", building=building)
    statuses = [("own_branch", branch_a), ("joint_branch", joint), ("none", None)]
    for n, ((org_status, org), full, where, moved) in enumerate(
        itertools.product(statuses, [0, 1, 2, 3, 4], [branch_a, elsewhere], [False, True])
    ):
        enterprise = EnterpriseFactory(
            building=building,
            party_org_status=org_status,
            party_organization=org,
            liaison=liaison if n % 3 == 0 else None,
        )
        add_members(enterprise, where, full=full, probationary=n % 2)
        if n % 4 == 0:
            MemberFactory(enterprise=enterprise, organization=branch_a, status="suspended")
        if n % 5 == 0:
            visit(enterprise)
        if moved:
            enterprise.status, enterprise.moved_out_on = "moved_out", datetime.date(2026, 4, 1)
            enterprise.save()
    return Enterprise.objects.filter(building=building)


def coverage_of(e) -> str:
    facts = {"party_org_status": e.party_org_status, "members_in_building": e.member_in_building}
    return selectors.organisation_coverage(**facts)


def python_rule(name: str, e) -> bool:
    """``selectors.FLAGGED[name]`` as the pure rule function says it, for one annotated enterprise."""
    facts = {"status": e.status, "party_org_status": e.party_org_status}
    if name == "should_form_branch":
        return selectors.should_form_branch(**facts, full_members=e.member_full)
    if name == "members_without_organization":
        return selectors.members_without_organization(
            **facts, members=e.member_total, members_in_building=e.member_in_building
        )
    if name == "covered_by_building":
        return coverage_of(e) == selectors.BY_BUILDING
    return selectors.small_own_branch(**facts, full_members=e.member_full)


def work_covered(e) -> bool:
    return selectors.work_coverage(has_liaison=e.liaison_id is not None, visited=e.visited)


def test_every_sql_condition_picks_exactly_what_its_rule_function_picks(varied):
    rows = list(with_visited(with_member_counts(varied)))
    assert len(rows) == 60
    for name, condition in selectors.FLAGGED.items():
        in_sql = set(with_member_counts(varied).filter(condition).values_list("pk", flat=True))
        assert in_sql == {e.pk for e in rows if python_rule(name, e)}, name
    for value, condition in selectors.ORGANISATION_COVERAGE_Q.items():
        in_sql = set(with_member_counts(varied).filter(condition).values_list("pk", flat=True))
        assert in_sql == {e.pk for e in rows if coverage_of(e) == value}, value
    in_sql = set(with_visited(varied).filter(selectors.WORK_COVERED).values_list("pk", flat=True))
    assert in_sql == {e.pk for e in rows if work_covered(e)}


def test_the_reports_aggregate_equals_the_rules_counted_in_python(varied):
    report = coverage_report(varied, organizations_of(varied))
    active = [e for e in with_visited(with_member_counts(varied)) if e.status == "active"]
    for row in report.rows:
        mine = [e for e in active if coverage_of(e) == row.value]
        assert (row.with_members, row.without_members) == (
            sum(1 for e in mine if e.member_total),
            sum(1 for e in mine if not e.member_total),
        )
    covered = sum(work_covered(e) for e in active)
    assert (report.work.covered, report.work.not_covered) == (covered, len(active) - covered)
    assert len(report.should_form_branch) == len(list(report.should_form_branch))
    for name in selectors.FLAGGED:  # the lengths come from the aggregates, the rows from each list's query
        flagged = getattr(report, name)
        assert len(flagged) == sum(1 for e in active if python_rule(name, e)) == len(list(flagged)), name
    assert report.work.with_liaison == sum(1 for e in active if e.liaison_id is not None)
    assert report.work.visited == sum(1 for e in active if e.visited)


def test_the_coverage_lists_are_paginated_and_their_counts_cover_every_page(
    admin_client, building, branch_a, monkeypatch
):
    monkeypatch.setattr("enterprises.views.registry.COVERAGE_PAGE_SIZE", 2)
    for n in range(3):
        add_members(EnterpriseFactory(building=building, name=f"三人公司{n}", floor=n + 1), branch_a, full=3)
    url = reverse("enterprises:coverage")
    first = admin_client.get(url)
    second = admin_client.get(url, {"list": "should_form_branch", "page": 2})
    assert [e.name for e in first.context["pages"]["should_form_branch"]] == ["三人公司0", "三人公司1"]
    assert [e.name for e in second.context["pages"]["should_form_branch"]] == ["三人公司2"]
    assert len(second.context["report"].should_form_branch) == 3
    assert "list=should_form_branch&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("scale", [1, 3])
def test_the_coverage_page_queries_do_not_grow_with_flagged_rows(
    admin_client, building, branch_a, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        add_members(EnterpriseFactory(building=building), branch_a, full=3 if n % 2 else 1)
    admin_client.get(reverse("enterprises:coverage"))
    # Inside the test's transaction, which has written, the page never reads the cache (data_cache): session,
    # user, the two aggregates, the joint branches, the rows of each of the four lists, a page of enterprises of
    # each list that has some (two here), the bell, the session's save in its savepoint.
    with django_assert_num_queries(COVERAGE_QUERIES):
        assert admin_client.get(reverse("enterprises:coverage")).status_code == 200


COVERAGE_QUERIES = 15


def test_the_cached_report_shows_what_the_report_counts(varied, general_branch):
    """The page's report (``cached=True``: plain data, the pages of the lists read by primary key) equals the
    report counted directly, numbers, lists and their rows alike."""
    joint = OrganizationFactory(
        building=general_branch.building, name="第二联合支部", kind="joint_branch", parent=general_branch
    )
    EnterpriseFactory(building=general_branch.building, party_org_status="joint_branch", party_organization=joint)
    organizations = organizations_of(varied)
    direct, cached = coverage_report(varied, organizations), coverage_report(varied, organizations, cached=True)
    assert [vars(row) for row in cached.rows] == [vars(row) for row in direct.rows]
    assert vars(cached.work) == vars(direct.work)
    for name in selectors.FLAGGED:
        assert len(getattr(cached, name)) == len(getattr(direct, name)), name
        for number in (1, 2):
            want, got = getattr(direct, name).page(number, 4), getattr(cached, name).page(number, 4)
            counts = ("pk", "member_total", "member_full", "member_in_building")
            assert [[getattr(e, c) for c in counts] for e in got] == [[getattr(e, c) for c in counts] for e in want]
            assert all(e.detail_url == e.get_absolute_url() for e in got)
    assert [(o, o.units) for o in cached.joint_branches] == [(o, o.units) for o in direct.joint_branches]
    assert len(cached.joint_branches) == 2
