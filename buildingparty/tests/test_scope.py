"""Who sees what: the scope rules of DOMAIN.md §2, checked on the querysets every view uses."""

import pytest

from buildingparty.models import PartyOrganization
from enterprises.models import Enterprise
from members.models import Member
from tests.factories import EnterpriseFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_branches(branch_a, branch_b, group_a):
    in_a = MemberFactory(organization=branch_a, name="甲支部党员")
    in_group = MemberFactory(organization=group_a, name="甲小组党员")
    in_b = MemberFactory(organization=branch_b, name="乙支部党员")
    return in_a, in_group, in_b


def test_secretary_sees_own_branch_and_its_groups_only(secretary_a, two_branches):
    in_a, in_group, in_b = two_branches
    visible = set(Member.objects.for_user(secretary_a))
    assert {in_a, in_group} <= visible
    assert in_b not in visible


def test_secretary_cannot_see_other_branch_members(secretary_b, two_branches):
    in_a, in_group, in_b = two_branches
    assert set(Member.objects.for_user(secretary_b)) == {in_b}


def test_admin_sees_every_member_of_their_building_but_not_another(admin_user, two_branches, outsider):
    visible = set(Member.objects.for_user(admin_user))
    assert set(two_branches) <= visible
    assert outsider.member not in visible


def test_street_viewer_sees_all_buildings(street_user, two_branches, outsider):
    visible = set(Member.objects.for_user(street_user))
    assert set(two_branches) | {outsider.member} <= visible


def test_member_sees_only_their_own_record(member_user, two_branches):
    assert list(Member.objects.for_user(member_user)) == [member_user.member]


@pytest.mark.parametrize("persona", ["liaison_user", "contact_user"])
def test_liaison_and_contact_see_no_member_records(request, persona, two_branches):
    user = request.getfixturevalue(persona)
    assert not Member.objects.for_user(user).exists()


def test_anonymous_sees_nothing(two_branches, enterprise):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not Member.objects.for_user(anonymous).exists()
    assert not Enterprise.objects.for_user(anonymous).exists()
    assert not PartyOrganization.objects.for_user(anonymous).exists()


def test_inactive_user_sees_nothing(secretary_a, two_branches):
    secretary_a.is_active = False
    assert not Member.objects.for_user(secretary_a).exists()


def test_liaison_sees_only_assigned_enterprises(liaison_user, enterprise, building):
    other = EnterpriseFactory(building=building)
    assert list(Enterprise.objects.for_user(liaison_user)) == [enterprise]
    assert other not in Enterprise.objects.for_user(liaison_user)


def test_contact_sees_only_their_own_enterprise(contact_user, enterprise, building):
    EnterpriseFactory(building=building)
    assert list(Enterprise.objects.for_user(contact_user)) == [enterprise]


def test_member_sees_the_enterprise_they_work_for(member_user, enterprise, building):
    EnterpriseFactory(building=building)
    assert list(Enterprise.objects.for_user(member_user)) == [enterprise]


def test_admin_sees_enterprises_of_their_building_only(admin_user, enterprise, outsider):
    foreign = EnterpriseFactory(building=outsider.building)
    visible = set(Enterprise.objects.for_user(admin_user))
    assert enterprise in visible and foreign not in visible


def test_secretary_sees_their_branch_and_groups_as_organizations(secretary_a, branch_a, group_a, branch_b):
    assert set(PartyOrganization.objects.for_user(secretary_a)) == {branch_a, group_a}


def test_admin_sees_the_whole_tree_of_their_building(admin_user, general_branch, branch_a, branch_b, outsider):
    visible = set(PartyOrganization.objects.for_user(admin_user))
    assert {general_branch, branch_a, branch_b} <= visible
    assert outsider.member.organization not in visible
