"""Reading visits: a member's help history, whom a search offers, and the counts."""

from decimal import Decimal

import pytest

from activities.visits import selectors
from activities.visits.models import HomeVisit
from activities.visits.tests.factories import AssistanceFactory, HardshipRecordFactory, HomeVisitFactory, days_ago
from members.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_the_help_history_merges_visits_with_help_and_assistance_newest_first(branch_a, django_assert_num_queries):
    member = MemberFactory(organization=branch_a)
    other = MemberFactory(organization=branch_a)
    HomeVisitFactory(member=member, organization=branch_a, visited_on=days_ago(40), help_given="送米和油")
    HomeVisitFactory(member=member, organization=branch_a, visited_on=days_ago(5), help_amount=Decimal("200"))
    HomeVisitFactory(member=member, organization=branch_a, visited_on=days_ago(3))  # only a talk: no help
    AssistanceFactory(member=member, given_on=days_ago(20), what="春节慰问金", source_name="浒山街道党工委")
    AssistanceFactory(member=other)

    with django_assert_num_queries(2):
        history = selectors.help_history([member.pk, other.pk])

    lines = history[member.pk]
    assert [line.date for line in lines] == [days_ago(5), days_ago(20), days_ago(40)]
    assert lines[1].what == "春节慰问金" and "浒山街道党工委" in lines[1].source and lines[1].visit is None
    assert lines[0].visit is not None and lines[0].amount == Decimal("200")
    assert selectors.help_total(lines) == Decimal("1000.00")  # 200 + 800
    assert len(history[other.pk]) == 1


def test_a_search_offers_members_still_in_the_party_and_here(secretary_a, branch_a):
    MemberFactory(organization=branch_a, name="王在册")
    MemberFactory(organization=branch_a, name="王转出", whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    MemberFactory(organization=branch_a, name="王去世", status=Member.Status.DECEASED)
    assert [m.name for m in selectors.member_matches(secretary_a, "王")] == ["王在册"]


def test_a_search_by_pinyin_initials_finds_the_member(secretary_a, branch_a):
    member = MemberFactory(organization=branch_a, name="张秀英", name_initials="zxy")
    assert list(selectors.member_matches(secretary_a, "zx")) == [member]


def test_the_counts_put_a_party_groups_members_under_its_branch(admin_user, branch_a, group_a, general_branch):
    member = MemberFactory(organization=group_a)
    HardshipRecordFactory(member=member)
    HomeVisitFactory(member=member, organization=general_branch, kind=HomeVisit.Kind.MENTOR, visited_on=days_ago(2))
    HomeVisitFactory(member=member, organization=branch_a, follow_up_on=days_ago(1), visited_on=days_ago(2))
    rows = {row.organization: row for row in selectors.summary(admin_user, days_ago(2).year)}
    assert group_a not in rows
    assert (rows[branch_a].visits, rows[branch_a].overdue, rows[branch_a].hardship) == (1, 1, 1)
    assert (rows[general_branch].visits, rows[general_branch].mentor) == (1, 1)
