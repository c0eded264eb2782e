"""The three rules of every assignment: nobody on two shifts at once in any team of the building, nobody over the
team's weekly limit, nobody on duty while on leave. Each refusal names the clash."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from activities.duty import services
from activities.duty.models import Assignment, Unavailability

from .factories import future_monday, on_team, shift, volunteer

pytestmark = pytest.mark.django_db

MONDAY = future_monday()
TUESDAY = MONDAY + datetime.timedelta(days=1)


def refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_a_member_is_put_on_a_shift(patrol, mine_on_patrol):
    evening = shift(patrol, MONDAY)
    assignment = services.assign(shift=evening, team_member=mine_on_patrol, by=None)
    assert list(evening.assignments.all()) == [assignment]


def test_nobody_is_on_two_shifts_at_once_across_the_buildings_teams(patrol, security, member_user, mine_on_patrol):
    on_security = on_team(security, member_user.member)
    services.assign(
        shift=shift(security, MONDAY, (18, 0), (20, 0), post="一楼大堂岗"), team_member=on_security, by=None
    )
    patrol_shift = shift(patrol, MONDAY, (19, 0), (21, 0))

    with pytest.raises(ValidationError) as caught:
        services.assign(shift=patrol_shift, team_member=mine_on_patrol, by=None)

    message = refusal(caught.value)
    assert member_user.member.name in message
    assert "治保队" in message and "一楼大堂岗" in message and "18:00–20:00" in message
    assert not patrol_shift.assignments.exists()


def test_a_volunteer_is_the_same_person_in_every_team_by_her_mobile_number(patrol, security):
    on_patrol = volunteer(patrol, "王立军", "16605741204")
    on_security = volunteer(security, "王立军", "16605741204")
    services.assign(shift=shift(patrol, MONDAY, (19, 0), (21, 0)), team_member=on_patrol, by=None)
    with pytest.raises(ValidationError, match="王立军"):
        services.assign(
            shift=shift(security, MONDAY, (20, 0), (22, 0), post="大堂岗"), team_member=on_security, by=None
        )


def test_a_shift_ending_as_the_next_starts_does_not_clash(patrol, mine_on_patrol):
    services.assign(shift=shift(patrol, MONDAY, (17, 0), (19, 0)), team_member=mine_on_patrol, by=None)
    services.assign(shift=shift(patrol, MONDAY, (19, 0), (21, 0)), team_member=mine_on_patrol, by=None)
    assert Assignment.objects.filter(team_member=mine_on_patrol).count() == 2


def test_a_night_shift_past_midnight_clashes_with_an_early_shift_the_next_day(patrol, security, member_user):
    night = shift(patrol, MONDAY, (22, 0), (6, 0))
    assert night.ends_at - night.starts_at == datetime.timedelta(hours=8)
    assert night.hours == "22:00–次日06:00"
    services.assign(shift=night, team_member=on_team(patrol, member_user.member), by=None)
    early = shift(security, TUESDAY, (5, 0), (7, 0), post="大门岗")
    with pytest.raises(ValidationError, match="次日06:00"):
        services.assign(shift=early, team_member=on_team(security, member_user.member), by=None)


def test_nobody_goes_over_the_teams_weekly_limit(patrol, mine_on_patrol):
    for n in range(2):
        services.assign(shift=shift(patrol, MONDAY + datetime.timedelta(days=n)), team_member=mine_on_patrol, by=None)
    third = shift(patrol, MONDAY + datetime.timedelta(days=6))  # Sunday: the same ISO week

    with pytest.raises(ValidationError) as caught:
        services.assign(shift=third, team_member=mine_on_patrol, by=None)

    assert "2" in refusal(caught.value) and "巡逻队" in refusal(caught.value)
    # the next Monday is another week
    services.assign(shift=shift(patrol, MONDAY + datetime.timedelta(days=7)), team_member=mine_on_patrol, by=None)


def test_the_weekly_limit_counts_only_the_teams_own_shifts(patrol, security, member_user, mine_on_patrol):
    on_security = on_team(security, member_user.member)
    for n in range(2):
        day = MONDAY + datetime.timedelta(days=n)
        services.assign(shift=shift(security, day, (8, 0), (11, 0), post="大堂岗"), team_member=on_security, by=None)
    services.assign(shift=shift(patrol, MONDAY), team_member=mine_on_patrol, by=None)
    assert Assignment.objects.filter(team_member__member=member_user.member).count() == 3


def test_nobody_is_put_on_duty_while_on_leave(patrol, security, member_user, mine_on_patrol):
    on_security = on_team(security, member_user.member)
    Unavailability.objects.create(team_member=on_security, starts_on=MONDAY, ends_on=TUESDAY, reason="出差")
    with pytest.raises(ValidationError) as caught:
        services.assign(shift=shift(patrol, TUESDAY), team_member=mine_on_patrol, by=None)
    assert "出差" in refusal(caught.value)
    services.assign(shift=shift(patrol, TUESDAY + datetime.timedelta(days=1)), team_member=mine_on_patrol, by=None)


def test_assigning_several_is_all_or_nothing_and_names_every_clash(patrol, mine_on_patrol):
    other = on_team(patrol, name="张三")
    Unavailability.objects.create(team_member=other, starts_on=MONDAY, ends_on=MONDAY, reason="病假")
    first = shift(patrol, MONDAY, (19, 0), (21, 0))
    overlapping = shift(patrol, MONDAY, (20, 0), (22, 0), post="西区巡逻路线")

    with pytest.raises(ValidationError) as caught:
        services.assign_many(
            team=patrol, picks=[(first, mine_on_patrol), (overlapping, mine_on_patrol), (first, other)], by=None
        )

    assert len(caught.value.messages) == 2
    assert "病假" in refusal(caught.value)
    assert not Assignment.objects.exists()


def test_only_the_teams_active_people_are_put_on_its_shifts(patrol, security, mine_on_patrol):
    with pytest.raises(ValidationError):
        services.assign(shift=shift(security, MONDAY, post="大堂岗"), team_member=mine_on_patrol, by=None)
    mine_on_patrol.is_active = False
    mine_on_patrol.save()
    with pytest.raises(ValidationError, match="no longer|不在"):
        services.assign(shift=shift(patrol, MONDAY), team_member=mine_on_patrol, by=None)


def test_moving_a_shift_checks_its_people_again(patrol, security, member_user, mine_on_patrol):
    services.assign(
        shift=shift(security, MONDAY, (8, 0), (10, 0), post="大堂岗"),
        team_member=on_team(security, member_user.member),
        by=None,
    )
    evening = shift(patrol, MONDAY)
    services.assign(shift=evening, team_member=mine_on_patrol, by=None)

    with pytest.raises(ValidationError, match="大堂岗"):
        services.shift_update(
            shift=evening, day=MONDAY, start=datetime.time(9), end=datetime.time(11), post="东区", needed=1, by=None
        )
    evening.refresh_from_db()
    assert evening.hours == "19:00–21:00"
    services.shift_update(
        shift=evening, day=MONDAY, start=datetime.time(18), end=datetime.time(20), post="东区", needed=1, by=None
    )


def test_recording_leave_clears_the_persons_shifts_ahead_in_every_team(patrol, security, member_user, mine_on_patrol):
    on_security = on_team(security, member_user.member)
    patrol_shift, security_shift = shift(patrol, MONDAY), shift(security, TUESDAY, (8, 0), (10, 0), post="大堂岗")
    later = shift(patrol, MONDAY + datetime.timedelta(days=3))
    services.assign(shift=patrol_shift, team_member=mine_on_patrol, by=None)
    services.assign(shift=security_shift, team_member=on_security, by=None)
    services.assign(shift=later, team_member=mine_on_patrol, by=None)

    _leave, cleared = services.leave_add(
        team_member=mine_on_patrol, starts_on=MONDAY, ends_on=TUESDAY, reason="出差", by=None
    )

    assert {s.pk for s in cleared} == {patrol_shift.pk, security_shift.pk}
    assert list(Assignment.objects.values_list("shift_id", flat=True)) == [later.pk]


def test_a_volunteer_whose_number_is_a_party_members_joins_as_the_member(patrol, member_user):
    phone = member_user.member.phone
    with pytest.raises(ValidationError) as caught:
        services.volunteer_add(team=patrol, name="某人", phone=phone, by=None)
    assert member_user.member.name in refusal(caught.value)


def test_taking_someone_off_the_team_clears_her_shifts_ahead(patrol, mine_on_patrol):
    services.assign(shift=shift(patrol, MONDAY), team_member=mine_on_patrol, by=None)
    assert services.member_leave_team(team_member=mine_on_patrol, by=None) == 1
    mine_on_patrol.refresh_from_db()
    assert not mine_on_patrol.is_active and not Assignment.objects.exists()


def test_the_leader_is_replaced_before_leaving_the_team(patrol):
    with pytest.raises(ValidationError):
        services.member_leave_team(team_member=patrol.leader, by=None)


def test_repeating_a_shift_makes_one_on_each_weekday_chosen(patrol):
    made = services.shift_create(
        team=patrol,
        day=MONDAY,
        start=datetime.time(8, 30),
        end=datetime.time(11, 30),
        post="大堂岗",
        repeat_until=MONDAY + datetime.timedelta(days=13),
        weekdays=[0, 2, 4],
        by=None,
    )
    assert [s.day.weekday() for s in made] == [0, 2, 4, 0, 2, 4]
