"""The duty pages and who may open each: officers manage the building's teams, a team's leader runs its roster,
a member sees her teams and her shifts and asks for swaps, the street reads; another building's team is not
found."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.duty import services
from activities.duty.models import (
    Assignment,
    DutyShift,
    DutyTeam,
    MediationCase,
    ShiftLog,
    SwapRequest,
    Unavailability,
)
from activities.duty.selectors import week_label
from tests.factories import MemberFactory, UserFactory

from .factories import DutyTeamFactory, future_monday, on_team, shift

pytestmark = pytest.mark.django_db

MONDAY = future_monday()
WEEK = week_label(MONDAY)


def url(name, *args):
    return reverse(f"duty:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def evening(patrol):
    return shift(patrol, MONDAY)


@pytest.fixture
def mine(evening, mine_on_patrol):
    return services.assign(shift=evening, team_member=mine_on_patrol, by=None)


@pytest.fixture
def past(patrol, mine_on_patrol):
    yesterday = shift(patrol, timezone.localdate() - datetime.timedelta(days=1))
    Assignment.objects.create(shift=yesterday, team_member=mine_on_patrol)
    return yesterday


@pytest.fixture
def mediation(building, leader_user):
    team = DutyTeamFactory(building=building, kind=DutyTeam.Kind.MEDIATION, name="调解队")
    team.leader = on_team(team, leader_user.member)
    team.save()
    return team


@pytest.fixture
def case(mediation):
    held = shift(mediation, timezone.localdate() - datetime.timedelta(days=2), (14, 0), (17, 0), post="调解室")
    return MediationCase.objects.create(
        team=mediation, shift=held, held_on=held.day, parties="甲\n乙", dispute="工资纠纷", outcome="settled"
    )


@pytest.fixture
def swap(mine, patrol, member_user):
    colleague = on_team(patrol, name="李同事")
    return services.swap_request(assignment=mine, to_member=colleague, by=member_user)


# --- who may open what --------------------------------------------------------------------------------------


def get_pages(team, shift_, assignment, case_):
    return [
        url("teams"),
        url("team_create"),
        url("team", team.pk),
        url("team_edit", team.pk),
        url("building_roster"),
        url("print"),
        url("mine"),
        url("roster", team.pk),
        url("fill", team.pk),
        url("shift_create", team.pk),
        url("shift", shift_.pk),
        url("shift_edit", shift_.pk),
        url("swap_request", assignment.pk),
        url("cases", case_.team_id),
        url("case_create", case_.shift_id),
        url("case", case_.pk),
        url("case_edit", case_.pk),
        url("export"),
    ]


def post_only(team, shift_, assignment, person, leave, swap_):
    return [
        url("member_add", team.pk),
        url("volunteer_add", team.pk),
        url("leave_add", team.pk),
        url("person_off", person.pk),
        url("person_back", person.pk),
        url("leave_remove", leave.pk),
        url("shift_delete", shift_.pk),
        url("assign", shift_.pk),
        url("log_add", shift_.pk),
        url("unassign", assignment.pk),
        url("swap_decide", swap_.pk),
    ]


@pytest.fixture
def leave(mine_on_patrol):
    return Unavailability.objects.create(
        team_member=mine_on_patrol,
        starts_on=MONDAY + datetime.timedelta(days=20),
        ends_on=MONDAY + datetime.timedelta(days=21),
        reason="出差",
    )


def test_anonymous_visitors_are_sent_to_the_login_page(
    client, patrol, evening, mine, case, mine_on_patrol, leave, swap
):
    for target in get_pages(patrol, evening, mine, case):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    for target in post_only(patrol, evening, mine, mine_on_patrol, leave, swap):
        assert client.post(target)["Location"].startswith(reverse("login")), target


def test_post_only_views_refuse_get(admin_client, patrol, evening, mine, mine_on_patrol, leave, swap):
    for target in post_only(patrol, evening, mine, mine_on_patrol, leave, swap):
        assert admin_client.get(target).status_code == 405, target


@pytest.mark.parametrize("persona", ["liaison_user", "contact_user"])
def test_liaisons_and_contacts_have_no_duty_pages(request, login_as, persona, patrol, evening, mine, case):
    client = login_as(request.getfixturevalue(persona))
    for target in get_pages(patrol, evening, mine, case):
        assert client.get(target).status_code == 403, target


def test_another_buildings_team_and_shift_are_not_found(admin_client, other_team):
    other_shift = shift(other_team, MONDAY)
    person = other_team.people.first()
    assignment = Assignment.objects.create(shift=other_shift, team_member=person)
    for target in [
        url("team", other_team.pk),
        url("team_edit", other_team.pk),
        url("roster", other_team.pk),
        url("fill", other_team.pk),
        url("shift_create", other_team.pk),
        url("shift", other_shift.pk),
        url("shift_edit", other_shift.pk),
    ]:
        assert admin_client.get(target).status_code == 404, target
    for target in [url("assign", other_shift.pk), url("unassign", assignment.pk), url("person_off", person.pk)]:
        assert admin_client.post(target, {"team_member": person.pk}).status_code == 404, target
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    response = admin_client.get(url("building_roster"), {"week": WEEK})
    assert [t.pk for t in response.context["page"]] == []


def test_a_member_not_on_a_team_does_not_find_it(login_as, patrol, evening, branch_a):
    user = UserFactory(username="plain", role="member", building=patrol.building)
    MemberFactory(organization=branch_a, user=user)
    client = login_as(user)
    assert client.get(url("team", patrol.pk)).status_code == 404
    assert client.get(url("roster", patrol.pk)).status_code == 404
    assert client.get(url("shift", evening.pk)).status_code == 404
    assert [t.pk for t in client.get(url("teams")).context["page"]] == []


def test_a_member_on_the_team_reads_its_roster_but_cannot_change_it(member_client, patrol, evening, mine_on_patrol):
    assert member_client.get(url("team", patrol.pk)).status_code == 200
    assert member_client.get(url("roster", patrol.pk), {"week": WEEK}).status_code == 200
    assert member_client.get(url("shift", evening.pk)).status_code == 200
    for target in [
        url("team_edit", patrol.pk),
        url("fill", patrol.pk),
        url("shift_create", patrol.pk),
        url("shift_edit", evening.pk),
    ]:
        assert member_client.get(target).status_code == 403, target
    assert member_client.post(url("assign", evening.pk), {"team_member": mine_on_patrol.pk}).status_code == 403
    assert member_client.post(url("shift_delete", evening.pk)).status_code == 403
    assert member_client.get(url("building_roster")).status_code == 403
    assert member_client.get(url("export")).status_code == 403
    assert not evening.assignments.exists() and DutyShift.objects.filter(pk=evening.pk).exists()


def test_the_leader_runs_the_roster_but_does_not_change_the_team(
    login_as, leader_user, patrol, evening, mine_on_patrol
):
    client = login_as(leader_user)
    assert client.get(url("fill", patrol.pk)).status_code == 200
    assert client.get(url("shift_create", patrol.pk)).status_code == 200
    response = client.post(url("assign", evening.pk), {"team_member": mine_on_patrol.pk})
    assert response.status_code == 302 and evening.assignments.filter(team_member=mine_on_patrol).exists()
    assert client.get(url("team_edit", patrol.pk)).status_code == 403
    assert client.post(url("volunteer_add", patrol.pk), {"name": "甲", "phone": "16600000009"}).status_code == 403


def test_the_street_reads_every_buildings_rosters_and_changes_nothing(
    login_as, street_user, patrol, evening, other_team
):
    client = login_as(street_user)
    assert client.get(url("teams")).status_code == 200
    assert {t.pk for t in client.get(url("building_roster"), {"week": WEEK}).context["page"]} == {
        patrol.pk,
        other_team.pk,
    }
    assert client.get(url("team", patrol.pk)).status_code == 200
    assert client.get(url("team_create")).status_code == 403
    assert client.get(url("fill", patrol.pk)).status_code == 403
    assert client.post(url("shift_delete", evening.pk)).status_code == 403


def test_a_secretary_runs_every_team_of_the_building(secretary_a_client, patrol, evening, mine_on_patrol):
    response = secretary_a_client.post(url("assign", evening.pk), {"team_member": mine_on_patrol.pk})
    assert response.status_code == 302 and evening.assignments.exists()
    assert secretary_a_client.get(url("team_edit", patrol.pk)).status_code == 200


# --- teams and their people ---------------------------------------------------------------------------------


def test_an_admin_sets_up_a_team(admin_client, building):
    response = admin_client.post(url("team_create"), {"name": "消防队", "kind": "fire", "weekly_limit": 2})
    team = DutyTeam.objects.get(name="消防队")
    assert response.status_code == 302 and response["Location"] == team.get_absolute_url()
    assert team.building == building and team.kind == "fire"


def test_a_team_name_is_unique_in_the_building(admin_client, patrol):
    response = admin_client.post(url("team_create"), {"name": "巡逻队", "kind": "patrol", "weekly_limit": 2})
    assert response.status_code == 200 and response.context["form"].errors["name"]


def test_the_leader_is_chosen_among_the_teams_people(admin_client, patrol, mine_on_patrol, security):
    stranger = on_team(security)
    response = admin_client.post(
        url("team_edit", patrol.pk), {"name": "巡逻队", "kind": "patrol", "weekly_limit": 3, "leader": stranger.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors["leader"]
    admin_client.post(
        url("team_edit", patrol.pk),
        {"name": "巡逻队", "kind": "patrol", "weekly_limit": 3, "leader": mine_on_patrol.pk},
    )
    patrol.refresh_from_db()
    assert patrol.leader == mine_on_patrol and patrol.weekly_limit == 3


def test_the_member_search_is_short_and_leaves_out_those_on_the_team(admin_client, patrol, branch_a, mine_on_patrol):
    for n in range(25):
        MemberFactory(organization=branch_a, name=f"王{n:02d}")
    MemberFactory(organization=branch_a, name="王离开", status="suspended")
    response = admin_client.get(url("team", patrol.pk), {"q": "王"})
    found = response.context["found"]
    assert len(found) == 20
    assert all(m.name.startswith("王") and m.name != "王离开" for m in found)
    name = mine_on_patrol.member.name
    assert mine_on_patrol.member not in admin_client.get(url("team", patrol.pk), {"q": name}).context["found"]


def test_the_search_finds_nobody_of_another_building(admin_client, patrol, other_team):
    stranger = other_team.people.first().member
    assert admin_client.get(url("team", patrol.pk), {"q": stranger.name}).context["found"] == []
    response = admin_client.post(url("member_add", patrol.pk), {"member": stranger.pk})
    assert response.status_code == 404 and not patrol.people.filter(member=stranger).exists()


def test_an_admin_adds_a_party_member_and_a_volunteer(admin_client, patrol, branch_a, enterprise):
    member = MemberFactory(organization=branch_a, name="赵新")
    admin_client.post(url("member_add", patrol.pk), {"member": member.pk})
    admin_client.post(
        url("volunteer_add", patrol.pk), {"name": "周志愿", "phone": "16605741299", "enterprise": enterprise.name}
    )
    assert patrol.people.filter(member=member, is_active=True).exists()
    volunteer_row = patrol.people.get(phone="16605741299")
    assert volunteer_row.name == "周志愿" and volunteer_row.enterprise == enterprise


def test_a_volunteer_needs_a_mobile_number(admin_client, patrol):
    response = admin_client.post(url("volunteer_add", patrol.pk), {"name": "周志愿", "phone": "12345"}, follow=True)
    assert messages_of(response) and not patrol.people.filter(name="周志愿").exists()


def test_taking_someone_off_and_back_on_the_team(admin_client, patrol, mine_on_patrol, mine):
    response = admin_client.post(url("person_off", mine_on_patrol.pk), follow=True)
    mine_on_patrol.refresh_from_db()
    assert not mine_on_patrol.is_active and not Assignment.objects.filter(pk=mine.pk).exists()
    assert any("1" in m for m in messages_of(response))
    admin_client.post(url("person_back", mine_on_patrol.pk))
    mine_on_patrol.refresh_from_db()
    assert mine_on_patrol.is_active


def test_the_leader_records_leave_and_hears_which_shifts_need_someone(
    login_as, leader_user, patrol, mine_on_patrol, mine
):
    client = login_as(leader_user)
    response = client.post(
        url("leave_add", patrol.pk),
        {"team_member": mine_on_patrol.pk, "starts_on": MONDAY, "ends_on": MONDAY, "reason": "出差"},
        follow=True,
    )
    assert Unavailability.objects.filter(team_member=mine_on_patrol).exists()
    assert not Assignment.objects.filter(pk=mine.pk).exists()
    assert any("东区巡逻路线" in m for m in messages_of(response))
    leave = Unavailability.objects.get()
    client.post(url("leave_remove", leave.pk))
    assert not Unavailability.objects.exists()


def test_a_member_cannot_record_leave(member_client, patrol, mine_on_patrol):
    response = member_client.post(
        url("leave_add", patrol.pk),
        {"team_member": mine_on_patrol.pk, "starts_on": MONDAY, "ends_on": MONDAY, "reason": "x"},
    )
    assert response.status_code == 403 and not Unavailability.objects.exists()


# --- rosters, printing, filling -----------------------------------------------------------------------------


def test_the_teams_week_shows_each_shift_with_its_people(admin_client, patrol, mine, mine_on_patrol):
    response = admin_client.get(url("roster", patrol.pk), {"week": WEEK})
    body = response.content.decode()
    assert response.status_code == 200 and mine_on_patrol.display_name in body
    monday = response.context["days"][0]
    assert monday.day == MONDAY and [s.pk for s in monday.shifts] == [mine.shift_id]
    assert 'data-testid="export-xlsx"' in body


def test_an_unreadable_week_shows_this_week(admin_client, patrol):
    response = admin_client.get(url("roster", patrol.pk), {"week": "next"})
    assert response.status_code == 200 and response.context["monday"].weekday() == 0


def test_the_printout_has_one_page_per_team(admin_client, patrol, security, mine):
    response = admin_client.get(url("print"), {"week": WEEK})
    body = response.content.decode()
    assert body.count('data-testid="print-page"') == 2
    assert "print.css" in body and mine.team_member.display_name in body
    one = admin_client.get(url("print"), {"week": WEEK, "team": patrol.pk}).content.decode()
    assert one.count('data-testid="print-page"') == 1


def test_filling_the_week_proposes_then_saves_what_the_leader_ticked(login_as, leader_user, patrol, mine_on_patrol):
    evenings = [shift(patrol, MONDAY + datetime.timedelta(days=n)) for n in range(3)]
    client = login_as(leader_user)
    response = client.get(url("fill", patrol.pk), {"week": WEEK})
    proposal = response.context["proposal"]
    assert proposal.proposed_count == 3 and not Assignment.objects.exists()
    # the leader keeps the first two proposals and puts herself on the third
    picks = {f"shift-{row.shift.pk}": [p.pk for p in row.proposed] for row in proposal.rows[:2]}
    picks[f"shift-{evenings[2].pk}"] = [patrol.leader_id]
    response = client.post(url("fill", patrol.pk) + f"?week={WEEK}", picks)
    assert response.status_code == 302
    assert Assignment.objects.count() == 3
    assert Assignment.objects.get(shift=evenings[2]).team_member_id == patrol.leader_id


def test_saving_a_fill_that_breaks_a_rule_saves_nothing(login_as, leader_user, patrol, mine_on_patrol):
    evenings = [shift(patrol, MONDAY + datetime.timedelta(days=n)) for n in range(3)]
    client = login_as(leader_user)
    picks = {f"shift-{s.pk}": [mine_on_patrol.pk] for s in evenings}  # three in a week: over the limit of two
    response = client.post(url("fill", patrol.pk) + f"?week={WEEK}", picks)
    assert response.status_code == 200 and any("2" in m for m in messages_of(response))
    assert not Assignment.objects.exists()


def test_my_duty_lists_my_shifts_ahead_and_past(member_client, mine, past):
    response = member_client.get(url("mine"))
    assert [a.pk for a in response.context["upcoming"]] == [mine.pk]
    assert [a.shift_id for a in response.context["page"]] == [past.pk]


def test_my_duty_is_for_party_members(admin_client):
    assert admin_client.get(url("mine")).status_code == 403


# --- shifts -------------------------------------------------------------------------------------------------


def test_adding_shifts_on_weekdays_up_to_a_date(login_as, leader_user, patrol):
    response = login_as(leader_user).post(
        url("shift_create", patrol.pk),
        {
            "day": MONDAY,
            "start": "22:00",
            "end": "06:00",
            "post": "地下车库",
            "needed": 2,
            "repeat_until": MONDAY + datetime.timedelta(days=6),
            "weekdays": [4, 5],
        },
    )
    assert response.status_code == 302
    made = list(DutyShift.objects.filter(team=patrol))
    assert [s.day.weekday() for s in made] == [4, 5]
    assert all(s.hours == "22:00–次日06:00" and s.needed == 2 for s in made)


def test_a_clash_on_assigning_is_told_by_name(admin_client, patrol, security, member_user, mine_on_patrol, evening):
    services.assign(
        shift=shift(security, MONDAY, (18, 0), (20, 0), post="大堂岗"),
        team_member=on_team(security, member_user.member),
        by=None,
    )
    response = admin_client.post(url("assign", evening.pk), {"team_member": mine_on_patrol.pk}, follow=True)
    assert any("大堂岗" in m and member_user.member.name in m for m in messages_of(response))
    assert not evening.assignments.exists()


def test_unassigning_and_dropping_a_shift(admin_client, patrol, mine, evening):
    admin_client.post(url("unassign", mine.pk))
    assert not Assignment.objects.exists()
    response = admin_client.post(url("shift_delete", evening.pk))
    assert response.status_code == 302 and not DutyShift.objects.filter(pk=evening.pk).exists()


def test_a_shift_with_its_log_stays_on_the_roster(admin_client, past):
    ShiftLog.objects.create(shift=past, happened="正常")
    admin_client.post(url("shift_delete", past.pk))
    assert DutyShift.objects.filter(pk=past.pk).exists()


def test_changing_a_shift(admin_client, evening):
    response = admin_client.post(
        url("shift_edit", evening.pk), {"day": MONDAY, "start": "18:30", "end": "20:30", "post": "北区", "needed": 2}
    )
    evening.refresh_from_db()
    assert response.status_code == 302 and evening.hours == "18:30–20:30" and evening.post == "北区"


def test_someone_on_the_shift_writes_its_log_once_it_has_begun(member_client, past, mine):
    response = member_client.post(url("log_add", past.pk), {"happened": "巡查正常", "incidents": "", "follow_up": ""})
    assert response.status_code == 302 and ShiftLog.objects.get().written_by.username == "member_a"
    member_client.post(url("log_add", mine.shift_id), {"happened": "还没开始"})
    assert ShiftLog.objects.count() == 1


def test_a_member_not_on_the_shift_writes_no_log(member_client, patrol, mine_on_patrol):
    yesterday = shift(patrol, timezone.localdate() - datetime.timedelta(days=1))
    assert member_client.post(url("log_add", yesterday.pk), {"happened": "x"}).status_code == 403


# --- swaps --------------------------------------------------------------------------------------------------


def test_a_member_asks_to_swap_her_shift(member_client, patrol, mine):
    colleague = on_team(patrol, name="李同事")
    assert member_client.get(url("swap_request", mine.pk)).status_code == 200
    response = member_client.post(url("swap_request", mine.pk), {"to_member": colleague.pk, "reason": "出差"})
    assert response.status_code == 302 and response["Location"] == url("mine")
    assert SwapRequest.objects.get().to_member == colleague


def test_nobody_else_asks_to_swap_her_shift(login_as, leader_user, mine):
    assert login_as(leader_user).get(url("swap_request", mine.pk)).status_code == 403


def test_the_leader_approves_a_swap_on_the_team_page(login_as, leader_user, patrol, swap, mine):
    client = login_as(leader_user)
    page = client.get(url("team", patrol.pk))
    assert [s.pk for s in page.context["swaps"]] == [swap.pk]
    client.post(url("swap_decide", swap.pk), {"decision": "approve"})
    mine.refresh_from_db()
    assert mine.team_member == swap.to_member


def test_a_member_cannot_decide_a_swap(member_client, swap, mine):
    assert member_client.post(url("swap_decide", swap.pk), {"decision": "approve"}).status_code == 403
    swap.refresh_from_db()
    assert swap.is_waiting


# --- mediation cases ----------------------------------------------------------------------------------------


def test_the_mediation_leader_records_and_corrects_a_case(login_as, leader_user, mediation):
    held = shift(mediation, timezone.localdate() - datetime.timedelta(days=1), (14, 0), (17, 0), post="调解室")
    client = login_as(leader_user)
    response = client.post(
        url("case_create", held.pk),
        {"held_on": held.day, "parties": "张某\n某公司", "dispute": "欠薪", "outcome": "referred", "referred_to": ""},
    )
    assert response.status_code == 200 and response.context["form"].errors["referred_to"]
    client.post(
        url("case_create", held.pk),
        {
            "held_on": held.day,
            "parties": "张某\n某公司",
            "dispute": "欠薪",
            "outcome": "referred",
            "referred_to": "劳动争议仲裁委员会",
        },
    )
    case = MediationCase.objects.get()
    assert case.shift == held and case.recorded_by == leader_user
    client.post(
        url("case_edit", case.pk), {"held_on": held.day, "parties": "张某", "dispute": "欠薪", "outcome": "settled"}
    )
    case.refresh_from_db()
    assert case.outcome == "settled" and case.referred_to == ""
    assert client.get(url("cases", mediation.pk)).context["page"].object_list[0] == case


def test_cases_are_for_the_mediators_and_the_officers(login_as, member_user, admin_user, mediation, case):
    on_team(mediation, member_user.member)
    client = login_as(member_user)
    assert client.get(url("cases", mediation.pk)).status_code == 403
    assert client.get(url("case", case.pk)).status_code == 404
    assert client.get(url("case_edit", case.pk)).status_code == 404
    assert login_as(admin_user).get(url("case", case.pk)).status_code == 200


def test_only_a_mediation_team_has_cases(admin_client, patrol, past):
    assert admin_client.get(url("cases", patrol.pk)).status_code == 404
    assert admin_client.get(url("case_create", past.pk)).status_code == 404


def test_a_member_sees_her_teams_with_all_their_people(member_client, patrol, mine_on_patrol, security):
    on_team(patrol, name="张三")
    page = member_client.get(url("teams")).context["page"]
    assert [(t.pk, t.people_count) for t in page] == [(patrol.pk, 3)]


def test_colleagues_do_not_see_who_is_on_leave_and_why(member_client, login_as, leader_user, patrol, mine_on_patrol):
    other = on_team(patrol, name="张三")
    Unavailability.objects.create(team_member=other, starts_on=MONDAY, ends_on=MONDAY, reason="病假")
    assert "病假" not in member_client.get(url("team", patrol.pk)).content.decode()
    assert "病假" in login_as(leader_user).get(url("team", patrol.pk)).content.decode()
