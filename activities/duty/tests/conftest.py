"""The duty personas: the building's patrol team led by a party member with an account (``leader_user``), the
member persona on it, a second team (security), and another building's team."""

import pytest

from activities.duty.models import DutyTeam
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory, UserFactory

from .factories import DutyTeamFactory, on_team


@pytest.fixture
def leader_user(branch_a):
    user = UserFactory(username="leader", role="member", building=branch_a.building, name="巡逻队长")
    MemberFactory(organization=branch_a, user=user, name="巡逻队长")
    return user


@pytest.fixture
def patrol(building, branch_a, leader_user):
    team = DutyTeamFactory(building=building, kind=DutyTeam.Kind.PATROL, name="巡逻队", weekly_limit=2)
    leader = on_team(team, leader_user.member)
    team.leader = leader
    team.save(update_fields=["leader"])
    return team


@pytest.fixture
def security(building, branch_a):
    return DutyTeamFactory(building=building, kind=DutyTeam.Kind.SECURITY, name="治保队", weekly_limit=2)


@pytest.fixture
def mine_on_patrol(patrol, member_user):
    """The member persona on the patrol team."""
    return on_team(patrol, member_user.member)


@pytest.fixture
def other_team(db):
    """Another building's team, with one member: out of everybody's scope here."""
    other = BuildingFactory(name="别的大厦")
    root = OrganizationFactory(building=other, name="别的总支", kind="general_branch", parent=None)
    OrganizationFactory(building=other, name="别的支部", parent=root)
    team = DutyTeamFactory(building=other, name="别的巡逻队")
    on_team(team)
    return team
