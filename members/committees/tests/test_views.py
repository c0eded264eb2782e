"""Committees pages: the list of terms, an organisation's committee and history, recording an election, a post
taken or ended mid-term, the terms falling due, and the home-page panels."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.committees import services
from members.committees.demo import years_before
from members.committees.models import CommitteeSeat, CommitteeTerm
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

Post = CommitteeSeat.Post


def day(days_ago: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def url(name, *args):
    return reverse(f"committees:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def elect(organization, seats, *, elected_on, years=3, is_committee=True):
    return services.term_elect(
        organization=organization,
        elected_on=elected_on,
        term_years=years,
        is_committee=is_committee,
        seats=seats,
        by=None,
    )


def ending_in(days: int, years: int = 3) -> datetime.date:
    """The election day of a term of ``years`` that ends ``days`` from today."""
    return years_before(timezone.localdate() + datetime.timedelta(days=days), years)


@pytest.fixture
def people_a(branch_a):
    return [MemberFactory(organization=branch_a, name=name) for name in ("甲书记", "乙委员", "丙委员", "丁党员")]


@pytest.fixture
def term_a(branch_a, people_a):
    """Branch A: a past term, and the current one ending in 100 days (due soon)."""
    elect(branch_a, [(people_a[3], Post.SECRETARY)], elected_on=years_before(ending_in(100), 3))
    return elect(
        branch_a,
        [(people_a[0], Post.SECRETARY), (people_a[1], Post.ORGANISATION), (people_a[2], Post.PROPAGANDA)],
        elected_on=ending_in(100),
    )


@pytest.fixture
def term_b(branch_b):
    """Branch B: a secretary only, past due by 20 days."""
    secretary = MemberFactory(organization=branch_b, name="戊书记")
    return elect(branch_b, [(secretary, Post.SECRETARY)], elected_on=ending_in(-20), is_committee=False)


@pytest.fixture
def term_general(general_branch, people_a):
    """The general branch: a five-year term far from its end."""
    return elect(general_branch, [(people_a[0], Post.SECRETARY)], elected_on=day(200), years=5)


@pytest.fixture
def other_building_org():
    building = BuildingFactory(name="东方大厦")
    root = OrganizationFactory(building=building, name="东方总支", kind="general_branch", parent=None)
    branch = OrganizationFactory(building=building, name="东方支部", parent=root)
    elect(branch, [(MemberFactory(organization=branch), Post.SECRETARY)], elected_on=ending_in(30))
    return branch


# --- who may open what ----------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, term_a, branch_a):
    seat = term_a.seats.first()
    for target in [
        url("list"),
        url("due"),
        url("detail", branch_a.pk),
        url("elect", branch_a.pk),
        url("seat_add", branch_a.pk),
    ]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    assert client.post(url("seat_end", seat.pk))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["liaison_user", "contact_user"])
def test_liaisons_and_contacts_are_refused_the_committee_pages(request, login_as, persona, term_a, branch_a):
    client = login_as(request.getfixturevalue(persona))
    for target in [
        url("list"),
        url("due"),
        url("detail", branch_a.pk),
        url("elect", branch_a.pk),
        url("seat_add", branch_a.pk),
    ]:
        assert client.get(target).status_code == 403, target
    assert client.post(url("seat_end", term_a.seats.first().pk), {"until": timezone.localdate()}).status_code == 403


def test_ending_a_post_is_a_post_request(admin_client, term_a):
    assert admin_client.get(url("seat_end", term_a.seats.first().pk)).status_code == 405


# --- the list -------------------------------------------------------------------------------------------------


def rows(response):
    return {o.name: (o.standing, o.term) for o in response.context["page"]}


def test_the_admin_sees_every_organisation_of_the_building_with_its_term(
    admin_client, term_a, term_b, term_general, group_a, other_building_org
):
    response = admin_client.get(url("list"))
    assert response.status_code == 200
    listed = rows(response)
    assert {name: standing for name, (standing, _t) in listed.items()} == {
        "联合党总支": "normal",
        "第一党支部": "due_soon",
        "第二党支部": "overdue",
    }
    assert [o.name for o in response.context["page"]][0] == "联合党总支"  # the general branch first
    body = response.content.decode()
    assert "即将到期" in body and "已超期" in body and "正常" in body
    assert "甲书记" in body and "组织委员" in body and "剩余100天" in body and "已超期20天" in body
    assert "第一党小组" not in body  # a party group elects no committee


def test_an_organisation_without_a_term_is_listed_as_not_recorded(admin_client, branch_a):
    response = admin_client.get(url("list"))
    assert rows(response)["第一党支部"] == ("none", None)
    assert "未录入" in response.content.decode()


def test_a_secretary_sees_only_her_branch(secretary_a_client, term_a, term_b, term_general):
    assert set(rows(secretary_a_client.get(url("list")))) == {"第一党支部"}


def test_a_member_sees_her_own_branch_and_a_group_member_her_groups_branch(
    member_client, login_as, term_a, term_b, group_a
):
    assert set(rows(member_client.get(url("list")))) == {"第一党支部"}
    user = UserFactory(username="group_member", role="member", building=group_a.building)
    MemberFactory(organization=group_a, user=user)
    assert set(rows(login_as(user).get(url("list")))) == {"第一党支部"}


def test_the_street_viewer_sees_every_building(login_as, street_user, term_a, other_building_org):
    response = login_as(street_user).get(url("list"))
    assert {"第一党支部", "东方支部"} <= set(rows(response))
    assert response.context["show_building"] and "东方大厦" in response.content.decode()


@pytest.mark.parametrize("scale", [1, 3])
def test_the_list_runs_the_same_queries_at_1x_and_3x_organisations(
    admin_client, general_branch, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        branch = OrganizationFactory(building=general_branch.building, parent=general_branch, name=f"支部{n}")
        people = [MemberFactory(organization=branch) for _ in range(3)]
        elect(
            branch,
            [(people[0], Post.SECRETARY), (people[1], Post.DEPUTY), (people[2], Post.ORGANISATION)],
            elected_on=day(100 * n + 10),
        )
    admin_client.get(url("list"))  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        response = admin_client.get(url("list"))
    assert len(response.context["page"]) == 3 * scale + 1


# Session read, user, count and page of the organisations, their current terms, the terms' posts with their
# members, the unread-notification count, and the session write in its savepoint (3).
LIST_QUERIES = 10


# --- one organisation -----------------------------------------------------------------------------------------


def test_the_admin_sees_the_committee_its_history_and_the_buttons(admin_client, term_a, branch_a):
    response = admin_client.get(url("detail", branch_a.pk))
    assert response.status_code == 200
    assert response.context["current"] == term_a and response.context["can_manage"]
    assert [s.member.name for s in response.context["current"].held_posts] == ["甲书记", "乙委员", "丙委员"]
    assert len(response.context["past"]) == 1 and response.context["past"][0].posts[0].member.name == "丁党员"
    body = response.content.decode()
    assert url("elect", branch_a.pk) in body and url("seat_add", branch_a.pk) in body
    assert "换届选举" in body and "往届" in body and "本届任期六个月内届满" in body


def test_a_member_reads_her_branchs_current_committee_only(member_client, term_a, branch_a, branch_b, term_b):
    response = member_client.get(url("detail", branch_a.pk))
    assert response.status_code == 200 and response.context["current"] == term_a
    assert response.context["past"] == [] and not response.context["can_manage"]
    body = response.content.decode()
    assert url("elect", branch_a.pk) not in body and "往届" not in body
    assert member_client.get(url("detail", branch_b.pk)).status_code == 404


def test_another_branchs_committee_is_not_found_for_a_secretary(secretary_a_client, term_b, branch_b, general_branch):
    assert secretary_a_client.get(url("detail", branch_b.pk)).status_code == 404
    assert secretary_a_client.get(url("detail", general_branch.pk)).status_code == 404


def test_another_buildings_committee_is_not_found_for_the_admin(admin_client, other_building_org):
    assert admin_client.get(url("detail", other_building_org.pk)).status_code == 404


def test_a_party_group_has_no_committee_page(admin_client, group_a):
    assert admin_client.get(url("detail", group_a.pk)).status_code == 404


def test_the_street_viewer_reads_a_committee_and_changes_nothing(login_as, street_user, term_a, branch_a):
    client = login_as(street_user)
    response = client.get(url("detail", branch_a.pk))
    assert response.status_code == 200 and not response.context["can_manage"]
    assert len(response.context["past"]) == 1
    assert client.get(url("elect", branch_a.pk)).status_code == 403
    assert client.post(url("seat_end", term_a.seats.first().pk), {"until": timezone.localdate()}).status_code == 403


def test_an_organisation_without_a_term_says_so(secretary_a_client, branch_a):
    response = secretary_a_client.get(url("detail", branch_a.pk))
    assert response.context["current"] is None and "该党组织尚未录入届期" in response.content.decode()


# --- terms falling due ----------------------------------------------------------------------------------------


def test_the_admin_sees_the_terms_falling_due_soonest_first(admin_client, term_a, term_b, term_general):
    response = admin_client.get(url("due"))
    assert response.status_code == 200
    assert [t.organization.name for t in response.context["page"]] == ["第二党支部", "第一党支部"]
    body = response.content.decode()
    assert "已超期" in body and "即将到期" in body and "戊书记" in body


def test_the_terms_falling_due_leave_out_other_buildings(admin_client, term_a, other_building_org, login_as):
    assert [t.organization.name for t in admin_client.get(url("due")).context["page"]] == ["第一党支部"]


def test_the_street_viewer_sees_terms_falling_due_everywhere(login_as, street_user, term_a, other_building_org):
    response = login_as(street_user).get(url("due"))
    assert [t.organization.name for t in response.context["page"]] == ["东方支部", "第一党支部"]


@pytest.mark.parametrize("persona", ["secretary_a", "member_user"])
def test_secretaries_and_members_are_refused_the_terms_falling_due(request, login_as, persona):
    assert login_as(request.getfixturevalue(persona)).get(url("due")).status_code == 403


@pytest.mark.parametrize("scale", [1, 3])
def test_the_terms_falling_due_run_the_same_queries_at_1x_and_3x(
    admin_client, general_branch, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        branch = OrganizationFactory(building=general_branch.building, parent=general_branch, name=f"支部{n}")
        elect(branch, [(MemberFactory(organization=branch), Post.SECRETARY)], elected_on=ending_in(10 * n - 5))
    admin_client.get(url("due"))
    with django_assert_num_queries(DUE_QUERIES):
        response = admin_client.get(url("due"))
    assert response.context["page"].paginator.count == 3 * scale


# Session read, user, count and page of the terms, their secretaries, the unread count, the session write (3).
DUE_QUERIES = 9


# --- recording an election ------------------------------------------------------------------------------------


def election_data(*rows, elected_on=None, years=3, is_committee=True, total=None):
    data = {
        "elected_on": (elected_on or day(2)).isoformat(),
        "term_years": str(years),
        "note": "支部党员大会选举产生",
        "seats-TOTAL_FORMS": str(total or max(5, len(rows))),
        "seats-INITIAL_FORMS": "0",
        "seats-MIN_NUM_FORMS": "0",
        "seats-MAX_NUM_FORMS": "15",
    }
    if is_committee:
        data["is_committee"] = "on"
    for i, (member, post) in enumerate(rows):
        data[f"seats-{i}-member"] = member
        data[f"seats-{i}-post"] = post
    return data


def test_an_election_posting_100000_rows_is_a_form_error_not_work(secretary_a_client, term_a, branch_a):
    response = secretary_a_client.post(
        url("elect", branch_a.pk), election_data(("乙委员", Post.SECRETARY), total=100000)
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.non_form_errors() and len(formset.forms) <= 15
    assert CommitteeTerm.objects.current().get(organization=branch_a) == term_a


def test_the_election_form_fills_in_the_posts_held_now(secretary_a_client, term_a, branch_a):
    response = secretary_a_client.get(url("elect", branch_a.pk))
    assert response.status_code == 200
    formset = response.context["formset"]
    assert [f.initial.get("member") for f in formset.forms[:3]] == ["甲书记", "乙委员", "丙委员"]
    assert len(formset.forms) == 6  # three held, three blank
    assert "甲书记" in response.context["suggestions"]
    body = response.content.decode()
    assert 'list="committee-candidates"' in body and "<datalist" in body


def test_a_secretary_records_her_branchs_election(secretary_a_client, secretary_a, term_a, branch_a, people_a):
    response = secretary_a_client.post(
        url("elect", branch_a.pk),
        election_data(("乙委员", Post.SECRETARY), ("丁党员", Post.DEPUTY), ("", ""), years=5),
    )
    assert response.status_code == 302 and response["Location"] == url("detail", branch_a.pk)
    new = CommitteeTerm.objects.current().get(organization=branch_a)
    assert (new.term_years, new.created_by, new.note) == (5, secretary_a, "支部党员大会选举产生")
    assert {(s.member.name, s.post) for s in new.seats.all()} == {("乙委员", Post.SECRETARY), ("丁党员", Post.DEPUTY)}
    term_a.refresh_from_db()
    assert term_a.ended_on == day(2)
    followed = secretary_a_client.get(response["Location"])
    assert any("已录入" in m for m in messages_of(followed))


def test_a_term_of_six_years_is_refused_with_a_chinese_message(secretary_a_client, branch_a, people_a):
    response = secretary_a_client.post(url("elect", branch_a.pk), election_data(("甲书记", Post.SECRETARY), years=6))
    assert response.status_code == 200
    assert response.context["form"].errors["term_years"] == ["任期为3至5年（党章规定）。"]
    assert not CommitteeTerm.objects.exists()


def test_an_election_without_a_secretary_is_refused(secretary_a_client, branch_a, people_a):
    response = secretary_a_client.post(url("elect", branch_a.pk), election_data(("甲书记", Post.ORGANISATION)))
    assert response.status_code == 200 and "须选举产生书记一名。" in response.context["form"].non_field_errors()
    assert not CommitteeTerm.objects.exists()


def test_a_name_from_another_branch_is_not_found(secretary_a_client, branch_a, branch_b, people_a):
    MemberFactory(organization=branch_b, name="外支部党员")
    response = secretary_a_client.post(
        url("elect", branch_a.pk), election_data(("甲书记", Post.SECRETARY), ("外支部党员", Post.DEPUTY))
    )
    errors = response.context["formset"].forms[1].errors["member"]
    assert errors == ["本组织没有名为“外支部党员”的党员。"]


def test_two_members_of_one_name_are_told_apart_by_their_mobile(secretary_a_client, branch_a):
    first = MemberFactory(organization=branch_a, name="张伟", phone="13900000001")
    MemberFactory(organization=branch_a, name="张伟", phone="13900000002")
    response = secretary_a_client.post(url("elect", branch_a.pk), election_data(("张伟", Post.SECRETARY)))
    assert "有多名党员叫张伟" in response.context["formset"].forms[0].errors["member"][0]
    assert "张伟 13900000001" in response.context["suggestions"]
    response = secretary_a_client.post(url("elect", branch_a.pk), election_data(("张伟 13900000001", Post.SECRETARY)))
    assert response.status_code == 302
    assert CommitteeTerm.objects.get().seats.get().member == first


def test_a_secretary_cannot_record_another_branchs_election(secretary_a_client, branch_b, general_branch):
    assert secretary_a_client.get(url("elect", branch_b.pk)).status_code == 404
    assert secretary_a_client.post(url("elect", general_branch.pk), election_data()).status_code == 404


def test_a_member_cannot_record_an_election(member_client, branch_a):
    assert member_client.get(url("elect", branch_a.pk)).status_code == 403


def test_the_admin_records_the_general_branchs_election(admin_client, general_branch, branch_a, branch_b):
    MemberFactory(organization=branch_a, name="总支书记")
    MemberFactory(organization=branch_b, name="总支委员")
    response = admin_client.post(
        url("elect", general_branch.pk),
        election_data(("总支书记", Post.SECRETARY), ("总支委员", Post.ORGANISATION), years=5),
    )
    assert response.status_code == 302
    assert CommitteeTerm.objects.get(organization=general_branch).seats.count() == 2


# --- posts mid-term -------------------------------------------------------------------------------------------


def test_a_secretary_ends_a_post_and_adds_its_successor(secretary_a_client, secretary_a, term_a, branch_a):
    seat = term_a.seats.get(post=Post.PROPAGANDA)
    response = secretary_a_client.post(url("seat_end", seat.pk), {"until": day(1).isoformat(), "note": "工作调动"})
    assert response.status_code == 302 and response["Location"] == url("detail", branch_a.pk)
    seat.refresh_from_db()
    assert (seat.until, seat.end_note, seat.ended_by) == (day(1), "工作调动", secretary_a)
    response = secretary_a_client.get(url("seat_add", branch_a.pk))
    assert response.status_code == 200
    response = secretary_a_client.post(
        url("seat_add", branch_a.pk),
        {"member": "丁党员", "post": Post.PROPAGANDA, "since": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert term_a.seats.get(post=Post.PROPAGANDA, until__isnull=True).member.name == "丁党员"
    detail = secretary_a_client.get(url("detail", branch_a.pk))
    assert [s.member.name for s in detail.context["current"].ended_posts] == ["丙委员"]


def test_a_second_secretary_is_refused_next_to_the_post(secretary_a_client, term_a, branch_a):
    response = secretary_a_client.post(
        url("seat_add", branch_a.pk),
        {"member": "丁党员", "post": Post.SECRETARY, "since": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200 and response.context["form"].errors["post"] == ["本届已有书记，请先结束其职务。"]


def test_adding_a_post_without_a_term_leads_to_recording_the_election(secretary_a_client, branch_a):
    response = secretary_a_client.get(url("seat_add", branch_a.pk))
    assert response.status_code == 302 and response["Location"] == url("elect", branch_a.pk)


def test_a_secretary_cannot_touch_another_branchs_posts(secretary_a_client, term_b, branch_b):
    assert secretary_a_client.get(url("seat_add", branch_b.pk)).status_code == 404
    seat = term_b.seats.get()
    assert (
        secretary_a_client.post(url("seat_end", seat.pk), {"until": timezone.localdate().isoformat()}).status_code
        == 404
    )
    seat.refresh_from_db()
    assert seat.until is None


def test_a_member_cannot_end_a_post(member_client, term_a):
    assert (
        member_client.post(url("seat_end", term_a.seats.first().pk), {"until": timezone.localdate()}).status_code == 403
    )


def test_a_post_ended_twice_says_so(secretary_a_client, term_a):
    seat = term_a.seats.get(post=Post.PROPAGANDA)
    secretary_a_client.post(url("seat_end", seat.pk), {"until": day(1).isoformat()})
    response = secretary_a_client.post(
        url("seat_end", seat.pk), {"until": timezone.localdate().isoformat()}, follow=True
    )
    assert "该职务已结束。" in messages_of(response)


# --- home-page panels -----------------------------------------------------------------------------------------


def test_the_admins_home_page_lists_the_terms_falling_due(admin_client, term_a, term_b):
    response = admin_client.get(reverse("home"))
    body = response.content.decode()
    assert 'data-testid="terms-due-panel"' in body and url("due") in body
    assert "第一党支部" in body and "第二党支部" in body


def test_the_admins_panel_is_hidden_when_no_term_falls_due(admin_client, term_general):
    assert 'data-testid="terms-due-panel"' not in admin_client.get(reverse("home")).content.decode()


def test_a_secretarys_home_page_shows_her_branchs_term_falling_due(secretary_a_client, secretary_b, login_as, term_a):
    body = secretary_a_client.get(reverse("home")).content.decode()
    assert 'data-testid="own-term-panel"' in body and url("detail", term_a.organization_id) in body
    body = login_as(secretary_b).get(reverse("home")).content.decode()
    assert 'data-testid="own-term-panel"' not in body


# --- the member's timeline ------------------------------------------------------------------------------------


def test_a_members_timeline_shows_the_posts_she_took_and_left(secretary_a_client, term_a, people_a):
    seat = term_a.seats.get(post=Post.PROPAGANDA)
    services.seat_end(seat=seat, until=day(1), by=None, note="工作变动")
    body = secretary_a_client.get(reverse("members:detail", args=[people_a[2].pk])).content.decode()
    assert "任宣传委员" in body and "卸任宣传委员" in body and "工作变动" in body
