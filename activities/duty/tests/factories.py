import datetime

import factory
from django.utils import timezone

from activities.duty import services
from activities.duty.models import DutyTeam, TeamMember
from activities.duty.selectors import monday_of
from tests.factories import BuildingFactory, MemberFactory


class DutyTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyTeam

    building = factory.SubFactory(BuildingFactory)
    kind = DutyTeam.Kind.PATROL
    name = factory.Sequence(lambda n: f"巡逻队{n}")
    weekly_limit = 2


def future_monday(weeks: int = 2) -> datetime.date:
    """A Monday ``weeks`` weeks ahead: every shift of the tests lies in the future unless a test says otherwise."""
    return monday_of(timezone.localdate()) + datetime.timedelta(weeks=weeks)


def on_team(team: DutyTeam, member=None, **member_fields) -> TeamMember:
    """A party member on the team (a new member of the building's first branch unless one is given)."""
    if member is None:
        organization = team.building.organizations.exclude(kind="general_branch").order_by("pk").first()
        member = (
            MemberFactory(organization=organization, **member_fields)
            if organization
            else MemberFactory(**member_fields)
        )
    return TeamMember.objects.create(team=team, member=member, enterprise=member.enterprise)


def volunteer(team: DutyTeam, name: str = "志愿者", phone: str = "16600000001") -> TeamMember:
    return TeamMember.objects.create(team=team, name=name, phone=phone)


def shift(team, day: datetime.date, start=(19, 0), end=(21, 0), *, post="东区巡逻路线", needed=1):
    """One shift of ``team`` on ``day`` from ``start`` to ``end`` (hour, minute); an end before the start is the
    next day."""
    return services.shift_create(
        team=team,
        day=day,
        start=datetime.time(*start),
        end=datetime.time(*end),
        post=post,
        needed=needed,
        by=None,
    )[0]
