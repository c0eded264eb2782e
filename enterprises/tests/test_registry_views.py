"""The registry pages: the list with its filters, an enterprise's page, adding and editing, moving out and in."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from enterprises import services
from enterprises.models import Enterprise, EnterpriseChange
from enterprises.templatetags.enterprise_tags import readable_changes
from tests.factories import (
    EnterpriseFactory,
    MemberFactory,
    OrganizationFactory,
    UserFactory,
    make_credit_code,
)

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    return {e.name for e in response.context["page"]}


@pytest.fixture
def joint_branch(general_branch):
    return OrganizationFactory(
        building=general_branch.building, name="第一联合支部", kind="joint_branch", parent=general_branch
    )


@pytest.fixture
def other_liaison(building):
    return UserFactory(username="liaison2", role="liaison", building=building, name="李联络")


# --- who may open what --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("admin_user", 200),
        ("secretary_a", 200),
        ("street_user", 200),
        ("liaison_user", 200),
        ("contact_user", 403),
        ("member_user", 403),
    ],
)
def test_who_may_open_the_list(login_as, request, persona, status):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(reverse("enterprises:list")).status_code == status


@pytest.mark.parametrize(
    "url_name", ["enterprises:list", "enterprises:create", "enterprises:coverage", "enterprises:mine"]
)
def test_anonymous_is_sent_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_is_sent_to_sign_in_from_an_enterprise(client, enterprise):
    for url in (enterprise.get_absolute_url(), reverse("enterprises:edit", args=[enterprise.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "persona, own, other",
    [
        ("admin_user", 200, 200),
        ("secretary_a", 200, 200),
        ("street_user", 200, 200),
        ("liaison_user", 200, 404),
        ("contact_user", 200, 404),
        ("member_user", 200, 404),
    ],
)
def test_who_may_open_an_enterprise(login_as, request, building, enterprise, persona, own, other):
    client = login_as(request.getfixturevalue(persona))
    another = EnterpriseFactory(building=building)
    assert client.get(enterprise.get_absolute_url()).status_code == own
    assert client.get(another.get_absolute_url()).status_code == other


@pytest.mark.parametrize(
    "persona, own, other",
    [
        ("admin_user", 200, 200),
        ("secretary_a", 403, 403),
        ("street_user", 403, 403),
        ("liaison_user", 200, 404),
        ("contact_user", 403, 404),
        ("member_user", 403, 404),
    ],
)
def test_who_may_edit_an_enterprise(login_as, request, building, enterprise, persona, own, other):
    client = login_as(request.getfixturevalue(persona))
    another = EnterpriseFactory(building=building)
    assert client.get(reverse("enterprises:edit", args=[enterprise.pk])).status_code == own
    assert client.get(reverse("enterprises:edit", args=[another.pk])).status_code == other


@pytest.mark.parametrize(
    "persona, status",
    [("admin_user", 200), ("secretary_a", 403), ("street_user", 403), ("liaison_user", 403), ("contact_user", 403)],
)
def test_only_admins_add_enterprises(login_as, request, persona, status):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(reverse("enterprises:create")).status_code == status


def test_an_admin_cannot_open_or_edit_another_buildings_enterprise(admin_client, outsider):
    foreign = EnterpriseFactory(building=outsider.building)
    assert admin_client.get(foreign.get_absolute_url()).status_code == 404
    assert admin_client.get(reverse("enterprises:edit", args=[foreign.pk])).status_code == 404
    assert admin_client.post(reverse("enterprises:move", args=[foreign.pk]), move_data()).status_code == 404


def test_the_street_viewer_reads_every_building_but_changes_nothing(login_as, street_user, outsider):
    foreign = EnterpriseFactory(building=outsider.building, name="外楼企业")
    client = login_as(street_user)
    assert "外楼企业" in client.get(reverse("enterprises:list")).content.decode()
    body = client.get(foreign.get_absolute_url()).content.decode()
    assert reverse("enterprises:edit", args=[foreign.pk]) not in body
    assert client.post(reverse("enterprises:move", args=[foreign.pk]), move_data()).status_code == 403


# --- the list -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 3])
def test_the_list_runs_the_same_queries_at_1x_and_3x_enterprises(
    admin_client, building, branch_a, joint_branch, other_liaison, django_assert_num_queries, scale
):
    for n in range(10 * scale):
        enterprise = EnterpriseFactory(
            building=building,
            liaison=other_liaison,
            industry=f"行业{n}",
            party_org_status="joint_branch",
            party_organization=joint_branch,
        )
        MemberFactory(organization=joint_branch, enterprise=enterprise)
    admin_client.get(reverse("enterprises:list"))  # warm the session
    with django_assert_num_queries(FIXED_LIST_QUERIES):
        response = admin_client.get(reverse("enterprises:list"), {"kind": "company", "has_members": "yes"})
    assert response.context["page"].paginator.count == 10 * scale


def test_the_list_rows_carry_their_links_labels_and_flags(admin_client, listed, branch_a):
    """The rows' links, badges and flags are worked out in the view (one table, cards on a phone)."""
    body = admin_client.get(reverse("enterprises:list"), {"status": "all"}).content.decode()
    three = Enterprise.objects.get(name="三名正式党员")
    own = Enterprise.objects.get(name="自建支部")
    assert f'<a href="{three.get_absolute_url()}">三名正式党员</a>' in body
    assert body.count('data-flag="should_form_branch"') == 1  # 三名正式党员: 3 full members, no branch of its own
    assert f'<a href="{own.get_absolute_url()}">自建支部</a></td>' in body  # its own branch: no flag
    assert f'{own.get_party_org_status_display()}</span> <span class="small">{branch_a.name}</span>' in body
    moved_out = Enterprise.objects.get(name="迁出").get_status_display()
    assert f'<span class="badge text-bg-secondary">{moved_out}</span>' in body
    assert 'data-label="' in body and "table-cards" in body


# Session read, user, the filter's choices (floors with industries; liaisons), count, the page of enterprises with
# their liaisons, organisations and member counts, and the session write in its savepoint: the same however many
# enterprises there are.
FIXED_LIST_QUERIES = 10


@pytest.fixture
def listed(building, branch_a, joint_branch, liaison_user, other_liaison):
    """A handful of enterprises, each standing out in one way."""
    make = EnterpriseFactory
    plain = make(building=building, name="普通", floor=3, room="301")
    make(building=building, name="名称特别", floor=3, room="302")
    make(building=building, name="信用代码", credit_code=make_credit_code(777001), floor=3, room="303")
    make(building=building, name="房间", floor=3, room="1808")
    make(building=building, name="法人", legal_representative="欧阳法人", floor=3, room="305")
    make(building=building, name="联系人", contact_name="司马联系", floor=3, room="306")
    make(building=building, name="二十五楼", floor=25, room="2501")  # the factory uses floors 2–21
    make(building=building, name="社会组织", kind="social_org", floor=3, room="307")
    make(building=building, name="行业", industry="律师服务", floor=3, room="308")
    make(building=building, name="迁出", status="moved_out", moved_out_on=datetime.date(2026, 1, 1), floor=3, room="1")
    own = make(
        building=building,
        name="自建支部",
        party_org_status="own_branch",
        party_organization=branch_a,
        floor=3,
        room="309",
    )
    make(
        building=building,
        name="联合支部",
        party_org_status="joint_branch",
        party_organization=joint_branch,
        floor=3,
        room="310",
    )
    make(building=building, name="李负责", liaison=other_liaison, floor=3, room="311")
    make(building=building, name="支持", attitude="supportive", floor=3, room="312")
    three = make(building=building, name="三名正式党员", floor=3, room="313")
    for _ in range(3):
        MemberFactory(organization=branch_a, enterprise=three)
    for _ in range(4):
        MemberFactory(organization=branch_a, enterprise=own)
    MemberFactory(organization=branch_a, enterprise=plain, whereabouts="transferred_out")  # not in normal standing
    return other_liaison


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "特别"}, {"名称特别"}),
        ({"q": make_credit_code(777001).lower()}, {"信用代码"}),
        ({"q": "1808"}, {"房间"}),
        ({"q": "欧阳"}, {"法人"}),
        ({"q": "司马"}, {"联系人"}),
        ({"floor": "25"}, {"二十五楼"}),
        ({"kind": "social_org"}, {"社会组织"}),
        ({"industry": "律师服务"}, {"行业"}),
        ({"status": "moved_out"}, {"迁出"}),
        ({"coverage": "own_branch"}, {"自建支部"}),
        ({"coverage": "joint_branch"}, {"联合支部"}),
        ({"attitude": "supportive"}, {"支持"}),
        ({"has_members": "yes"}, {"自建支部", "三名正式党员"}),
        ({"should_form_branch": "on"}, {"三名正式党员"}),
    ],
)
def test_each_filter_narrows_the_list(admin_client, listed, params, expected):
    assert names(admin_client.get(reverse("enterprises:list"), params)) == expected


def test_the_liaison_filter(admin_client, listed):
    assert names(admin_client.get(reverse("enterprises:list"), {"liaison": listed.pk})) == {"李负责"}
    unassigned = names(admin_client.get(reverse("enterprises:list"), {"liaison": "none"}))
    assert "李负责" not in unassigned and "普通" in unassigned


def test_the_list_shows_enterprises_in_the_building_unless_asked(admin_client, listed):
    default = names(admin_client.get(reverse("enterprises:list")))
    everything = names(admin_client.get(reverse("enterprises:list"), {"status": "all"}))
    assert "迁出" not in default and everything == default | {"迁出"}


def test_without_members_means_none_in_normal_standing(admin_client, listed):
    without = names(admin_client.get(reverse("enterprises:list"), {"has_members": "no"}))
    assert "普通" in without and "三名正式党员" not in without


def test_member_counts_on_the_list_are_full_over_all(admin_client, building, branch_a):
    enterprise = EnterpriseFactory(building=building)
    MemberFactory.create_batch(2, organization=branch_a, enterprise=enterprise)
    MemberFactory(
        organization=branch_a,
        enterprise=enterprise,
        category="probationary",
        full_member_on=None,
        joined_on=datetime.date(2025, 12, 1),
    )
    row = admin_client.get(reverse("enterprises:list")).context["page"][0]
    assert (row.member_full, row.member_total) == (2, 3)


def test_the_filters_offer_only_the_users_own_floors_and_industries(login_as, liaison_user, enterprise, building):
    Enterprise.objects.filter(pk=enterprise.pk).update(industry="电子商务", floor=7)
    EnterpriseFactory(building=building, industry="别人的行业", floor=19)
    form = login_as(liaison_user).get(reverse("enterprises:list")).context["form"]
    assert [v for v, _ in form.fields["industry"].choices if v] == ["电子商务"]
    assert [v for v, _ in form.fields["floor"].choices if v != ""] == [7]
    assert "liaison" not in form.fields


def test_a_liaison_lists_only_assigned_enterprises(login_as, liaison_user, enterprise, building):
    EnterpriseFactory(building=building, name="别人负责的")
    assert names(login_as(liaison_user).get(reverse("enterprises:list"))) == {enterprise.name}


def test_the_list_is_paginated(admin_client, building):
    EnterpriseFactory.create_batch(30, building=building)
    assert len(admin_client.get(reverse("enterprises:list"), {"page": 2}).context["page"]) == 5


def test_admins_get_add_import_export_with_the_filters(admin_client, building):
    body = admin_client.get(reverse("enterprises:list"), {"floor": "", "kind": "company", "page": "1"}).content.decode()
    assert reverse("enterprises:create") in body and reverse("enterprises:import") in body
    assert f"{reverse('enterprises:export')}?floor=&amp;kind=company&amp;format=xlsx" in body
    assert "format=csv" in body and reverse("enterprises:coverage") in body


def test_secretaries_get_no_add_import_or_export(login_as, secretary_a, building):
    body = login_as(secretary_a).get(reverse("enterprises:list")).content.decode()
    assert reverse("enterprises:create") not in body and reverse("enterprises:export") not in body


# --- an enterprise's page -----------------------------------------------------------------------------------


@pytest.fixture
def staffed(enterprise, branch_a):
    """An enterprise with three full members and one probationary member of branch A."""
    for n in range(3):
        MemberFactory(organization=branch_a, enterprise=enterprise, name=f"正式{n}")
    MemberFactory(
        organization=branch_a,
        enterprise=enterprise,
        name="预备甲",
        category="probationary",
        full_member_on=None,
        joined_on=datetime.date(2025, 12, 1),
    )
    return enterprise


@pytest.mark.parametrize("persona", ["admin_user", "secretary_a", "street_user"])
def test_those_who_see_the_members_get_their_names(login_as, request, staffed, persona):
    response = login_as(request.getfixturevalue(persona)).get(staffed.get_absolute_url())
    body = response.content.decode()
    assert "预备甲" in body and reverse("members:detail", args=[staffed.members.first().pk]) in body
    assert response.context["counts"] == {"total": 4, "full": 3, "probationary": 1, "in_building": 4}


@pytest.mark.parametrize("persona", ["secretary_b", "liaison_user", "contact_user"])
def test_others_see_counts_but_no_names(login_as, request, staffed, persona):
    response = login_as(request.getfixturevalue(persona)).get(staffed.get_absolute_url())
    body = response.content.decode()
    assert "预备甲" not in body and "正式0" not in body
    assert response.context["counts"] == {"total": 4, "full": 3, "probationary": 1, "in_building": 4}


def test_a_member_sees_everyone_counted_but_no_names(member_client, member_user, staffed):
    response = member_client.get(staffed.get_absolute_url())
    assert response.context["counts"]["total"] == 5  # the member's own record works there too
    assert "预备甲" not in response.content.decode()


def test_the_other_branchs_secretary_is_told_some_members_are_not_shown(login_as, secretary_b, staffed, branch_b):
    MemberFactory(organization=branch_b, enterprise=staffed, name="乙支部党员")
    response = login_as(secretary_b).get(staffed.get_absolute_url())
    assert [m.name for m in response.context["members"]] == ["乙支部党员"]
    assert response.context["members_not_shown"] == 4


def test_the_page_flags_an_enterprise_that_should_form_a_branch(admin_client, staffed):
    body = admin_client.get(staffed.get_absolute_url()).content.decode()
    assert 'data-flag="should_form_branch"' in body
    # its members are in branch A, one of the building's organisations: covered by the building (区域兜底)
    assert 'data-flag="members_without_organization"' not in body and 'data-testid="covered-by-building"' in body


def test_rule_the_page_flags_members_nowhere_in_the_buildings_organisations(admin_client, enterprise, outsider):
    MemberFactory(organization=outsider.member.organization, enterprise=enterprise, name="外楼党员")
    body = admin_client.get(enterprise.get_absolute_url()).content.decode()
    assert 'data-flag="members_without_organization"' in body and 'data-testid="covered-by-building"' not in body


def test_an_enterprise_with_its_own_branch_is_not_flagged(admin_client, staffed, branch_a):
    Enterprise.objects.filter(pk=staffed.pk).update(party_org_status="own_branch", party_organization=branch_a)
    body = admin_client.get(staffed.get_absolute_url()).content.decode()
    assert "data-flag=" not in body


def test_the_contact_sees_the_profile_without_history_or_editing(login_as, contact_user, enterprise):
    body = login_as(contact_user).get(enterprise.get_absolute_url()).content.decode()
    assert enterprise.credit_code in body
    assert 'data-testid="history"' not in body
    assert reverse("enterprises:edit", args=[enterprise.pk]) not in body


def test_history_shows_readable_changes(admin_client, enterprise, admin_user, other_liaison):
    enterprise.attitude, enterprise.room, enterprise.liaison = "supportive", "2808", other_liaison
    services.enterprise_update(enterprise=enterprise, changed_by=admin_user)
    entry = admin_client.get(enterprise.get_absolute_url()).context["history"][0]
    with translation.override("en"):
        rows = {str(label): (str(old), str(new)) for label, old, new in readable_changes(entry)}
    assert rows["Owner's attitude to party work"] == ("Not yet known", "Supportive")
    assert rows["Liaison"] == ("None", "李联络") and rows["Room"][1] == "2808"


def test_the_page_runs_a_fixed_number_of_queries(
    admin_client, enterprise, admin_user, branch_a, django_assert_max_num_queries
):
    MemberFactory(organization=branch_a, enterprise=enterprise)  # a page of members to read (none: no query)
    admin_client.get(enterprise.get_absolute_url())
    with django_assert_max_num_queries(20) as captured:
        admin_client.get(enterprise.get_absolute_url())
    for n in range(10):
        services.record_change(
            enterprise=enterprise, action=EnterpriseChange.Action.UPDATED, by=admin_user, note=str(n)
        )
        MemberFactory(organization=branch_a, enterprise=enterprise)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        admin_client.get(enterprise.get_absolute_url())


# --- adding and editing -------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "name": "慈溪鼎盛电子商务有限公司",
        "credit_code": make_credit_code(555001),
        "kind": "company",
        "industry": "电子商务",
        "floor": "12",
        "room": "1206",
        "employees": "15",
        "legal_representative": "张法人",
        "contact_name": "赵联系",
        "contact_phone": "13912345678",
        "party_org_status": "none",
        "attitude": "unknown",
    }
    data.update(overrides)
    return data


def test_an_admin_registers_an_enterprise_with_its_history(admin_client, admin_user, building):
    response = admin_client.post(reverse("enterprises:create"), form_data(credit_code=make_credit_code(555001).lower()))
    enterprise = Enterprise.objects.get(name="慈溪鼎盛电子商务有限公司")
    assert response.status_code == 302 and response["Location"] == enterprise.get_absolute_url()
    assert enterprise.building == building and enterprise.credit_code == make_credit_code(555001)
    assert enterprise.changes.get().action == "created"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"credit_code": "91330282MA2AAAAAA0"}, "credit_code"),
        ({"credit_code": "913302821234"}, "credit_code"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"floor": "0"}, "floor"),
        ({"floor": "40"}, "floor"),
        ({"party_org_status": "joint_branch"}, "party_organization"),
    ],
)
def test_bad_values_are_reported_next_to_their_field(admin_client, overrides, field):
    response = admin_client.post(reverse("enterprises:create"), form_data(**overrides))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Enterprise.objects.exists()


def test_a_credit_code_is_registered_once(admin_client, building):
    EnterpriseFactory(building=building, credit_code=make_credit_code(555001))
    response = admin_client.post(reverse("enterprises:create"), form_data())
    assert "credit_code" in response.context["form"].errors


def test_the_covering_organisation_must_match_the_status(admin_client, branch_a, joint_branch):
    post = admin_client.post
    url = reverse("enterprises:create")
    wrong_kind = post(url, form_data(party_org_status="own_branch", party_organization=joint_branch.pk))
    assert "party_organization" in wrong_kind.context["form"].errors
    named_without_status = post(url, form_data(party_org_status="none", party_organization=branch_a.pk))
    assert "party_organization" in named_without_status.context["form"].errors
    ok = post(url, form_data(party_org_status="joint_branch", party_organization=joint_branch.pk))
    assert ok.status_code == 302
    assert Enterprise.objects.get().party_organization == joint_branch


def test_organisations_and_liaisons_come_from_the_admins_building(
    admin_client, outsider, general_branch, branch_a, group_a
):
    foreign_branch = outsider.member.organization
    foreign_liaison = UserFactory(role="liaison", building=outsider.building)
    home_liaison = UserFactory(role="liaison", building=general_branch.building)
    form = admin_client.get(reverse("enterprises:create")).context["form"]
    organizations = set(form.fields["party_organization"].queryset)
    assert branch_a in organizations and foreign_branch not in organizations
    assert general_branch not in organizations and group_a not in organizations
    assert list(form.fields["liaison"].queryset) == [home_liaison] and foreign_liaison.pk != home_liaison.pk


def test_a_liaison_edits_their_enterprise_but_not_its_liaison_or_code(
    login_as, liaison_user, enterprise, other_liaison
):
    client = login_as(liaison_user)
    form = client.get(reverse("enterprises:edit", args=[enterprise.pk])).context["form"]
    assert not {"liaison", "credit_code", "party_org_status", "party_organization"} & set(form.fields)
    data = form_data(
        name=enterprise.name,
        floor=enterprise.floor,
        room="2201",
        liaison=other_liaison.pk,
        credit_code=make_credit_code(555002),
        party_org_status="own_branch",
    )
    response = client.post(reverse("enterprises:edit", args=[enterprise.pk]), data)
    assert response.status_code == 302
    old_code = enterprise.credit_code
    enterprise.refresh_from_db()
    assert (enterprise.room, enterprise.liaison, enterprise.credit_code) == ("2201", liaison_user, old_code)
    assert enterprise.party_org_status == "none"
    assert enterprise.changes.get().changed_by == liaison_user


def test_editing_records_history_and_reports_how_many_fields_changed(admin_client, enterprise, building):
    data = form_data(name=enterprise.name, credit_code=enterprise.credit_code, floor=enterprise.floor, room="909")
    response = admin_client.post(reverse("enterprises:edit", args=[enterprise.pk]), data, follow=True)
    entry = enterprise.changes.get()
    assert entry.changes["room"][1] == "909"
    assert len(list(get_messages(response.wsgi_request))) == 1


def test_changing_the_contact_accounts_is_recorded(admin_client, enterprise, building):
    contact = UserFactory(role="contact", building=building, name="钱联系")
    data = form_data(
        name=enterprise.name, credit_code=enterprise.credit_code, floor=enterprise.floor, room=enterprise.room
    )
    data["contacts"] = [contact.pk]
    admin_client.post(reverse("enterprises:edit", args=[enterprise.pk]), data)
    assert list(enterprise.contacts.all()) == [contact]
    assert enterprise.changes.filter(changes__has_key="contacts").get().changes["contacts"] == [[], ["钱联系"]]


def test_an_unchanged_form_changes_nothing(admin_client, enterprise):
    enterprise.refresh_from_db()
    data = form_data(
        name=enterprise.name,
        credit_code=enterprise.credit_code,
        floor=enterprise.floor,
        room=enterprise.room,
        industry="",
        employees="",
        legal_representative="",
        contact_name="",
        contact_phone="",
    )
    admin_client.post(reverse("enterprises:edit", args=[enterprise.pk]), data)
    assert not enterprise.changes.exists()


# --- moving out and back in ---------------------------------------------------------------------------------


def move_data(direction="out", on="2026-01-15", note="租约到期"):
    return {"direction": direction, "on": on, "note": note}


def test_moving_is_a_post(admin_client, enterprise):
    assert admin_client.get(reverse("enterprises:move", args=[enterprise.pk])).status_code == 405


def test_an_admin_records_a_move_out_and_back_in(admin_client, enterprise):
    url = reverse("enterprises:move", args=[enterprise.pk])
    assert admin_client.post(url, move_data()).status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.status, enterprise.moved_out_on) == ("moved_out", datetime.date(2026, 1, 15))
    admin_client.post(url, move_data("in", "2026-02-01", "回来了"))
    enterprise.refresh_from_db()
    assert (enterprise.status, enterprise.moved_in_on, enterprise.moved_out_on) == (
        "active",
        datetime.date(2026, 2, 1),
        None,
    )
    assert [c.action for c in enterprise.changes.all()] == ["moved_in", "moved_out"]


def test_moving_out_twice_is_refused_with_a_message(admin_client, enterprise):
    url = reverse("enterprises:move", args=[enterprise.pk])
    admin_client.post(url, move_data(), follow=True)  # shows and consumes the success message
    response = admin_client.post(url, move_data(on="2026-01-20"), follow=True)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert enterprise.changes.count() == 1


@pytest.mark.parametrize(
    "data",
    [move_data(on="2999-01-01"), move_data(on=""), move_data(direction="sideways")],
)
def test_a_bad_move_is_refused_with_a_message(admin_client, enterprise, data):
    response = admin_client.post(reverse("enterprises:move", args=[enterprise.pk]), data, follow=True)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    enterprise.refresh_from_db()
    assert enterprise.status == "active"


def test_it_cannot_move_back_in_before_it_moved_out(admin_client, enterprise):
    url = reverse("enterprises:move", args=[enterprise.pk])
    admin_client.post(url, move_data(on="2026-01-15"))
    admin_client.post(url, move_data("in", "2026-01-01"))
    enterprise.refresh_from_db()
    assert enterprise.status == "moved_out"


@pytest.mark.parametrize("persona", ["secretary_a", "liaison_user", "street_user"])
def test_only_admins_move_enterprises(login_as, request, enterprise, persona):
    client = login_as(request.getfixturevalue(persona))
    assert client.post(reverse("enterprises:move", args=[enterprise.pk]), move_data()).status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.status == "active"


def test_a_liaison_gets_404_moving_an_enterprise_not_theirs(login_as, liaison_user, building):
    another = EnterpriseFactory(building=building)
    assert login_as(liaison_user).post(reverse("enterprises:move", args=[another.pk]), move_data()).status_code == 404


def test_the_members_working_at_an_enterprise_are_listed_a_page_at_a_time(admin_client, staffed, monkeypatch):
    monkeypatch.setattr("enterprises.views.registry.MEMBER_PAGE_SIZE", 3)
    first = admin_client.get(staffed.get_absolute_url())
    second = admin_client.get(staffed.get_absolute_url(), {"list": "members", "page": 2})
    names = [m.name for m in first.context["members"]] + [m.name for m in second.context["members"]]
    assert len(first.context["members"]) == 3 and len(names) == 4 and len(set(names)) == 4
    assert "list=members&amp;page=2" in first.content.decode()
    assert first.context["counts"]["total"] == second.context["counts"]["total"] == 4  # the counts are aggregates
