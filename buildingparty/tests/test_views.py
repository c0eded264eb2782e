"""Pages of the ground floor and the first member/enterprise pages: each role, anonymous, other branch."""

import pytest
from django.urls import reverse

from tests.factories import EnterpriseFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    for url in ["/", reverse("members:list"), reverse("enterprises:list"), reverse("organization_list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_speaks_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="zh-CN"' in body
    assert "登录" in body


def test_english_is_available_through_the_language_switch(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"}, follow=True)
    assert response.status_code == 200
    assert "Sign in" in response.content.decode()


MEMBERS = ["members:list", "members:transfer_list"]
ENTERPRISES = ["enterprises:list", "enterprises:coverage", "survey:campaign_list"]
BRANCH = ["organization_list", "funds:list"]
PLACES_OFFICER = [
    "notices:board",
    "volunteering:list",
    "duty:teams",
    "duty:building_roster",
    "visits:list",
    "visits:hardship",
    "rooms:week",
    "showcase:index",
    "showcase:manage",
]
LIFE = [
    "meetings:list",
    "meetings:compliance",
    "study:session_list",
    "study:hours",
    "appraisal:list",
    "committees:list",
]
DUES = ["dues:month", "dues:arrears", "dues:standards", "dues:ledger"]
SERVICES = ["services:list", "services:reception_list", "services:material_list", "services:statistics"]


@pytest.mark.parametrize(
    "persona, expected",
    [
        (
            "admin_user",
            [
                "home",
                *MEMBERS,
                "members:proposals",
                "members:incoming_list",
                *DUES,
                "points:board",
                "points:claims",
                "points:rules",
                *LIFE,
                "committees:due",
                "meetings:settings",
                *PLACES_OFFICER,
                *ENTERPRISES,
                "survey:lead_list",
                *SERVICES,
                *BRANCH,
                "letters:list",
                "audit_list",
                "job_list",
                "admin",
            ],
        ),
        (
            "secretary_a",
            [
                "home",
                *MEMBERS,
                "members:proposals",
                "members:incoming_list",
                *DUES,
                "points:board",
                "points:claims",
                *LIFE,
                *PLACES_OFFICER,
                *ENTERPRISES,
                "survey:lead_list",
                *SERVICES,
                *BRANCH,
                "letters:list",
            ],
        ),
        (
            "liaison_user",
            [
                "home",
                "notices:board",
                "showcase:index",
                "enterprises:list",
                "survey:campaign_list",
                "survey:lead_list",
                "services:list",
                "services:material_list",
            ],
        ),
        (
            "member_user",
            [
                "home",
                "members:mine",
                "dues:mine",
                "dues:declare",
                "points:mine",
                "points:board",
                "meetings:mine",
                "study:mine",
                "appraisal:mine",
                "committees:list",
                "notices:board",
                "volunteering:list",
                "volunteering:mine",
                "duty:teams",
                "duty:mine",
                "showcase:index",
                "showcase:mine",
                "services:list",
                "services:material_list",
            ],
        ),
        (
            "contact_user",
            ["home", "notices:board", "showcase:index", "enterprises:mine", "services:list", "services:material_list"],
        ),
        (
            "street_user",
            [
                "home",
                *MEMBERS,
                "members:incoming_list",
                *DUES,
                "points:board",
                *LIFE,
                "committees:due",
                "notices:board",
                "volunteering:list",
                "duty:teams",
                "duty:building_roster",
                "visits:summary",
                "rooms:week",
                "showcase:index",
                *ENTERPRISES,
                "services:list",
                "services:statistics",
                *BRANCH,
            ],
        ),
    ],
)
def test_each_role_sees_its_own_navigation(request, client, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/")
    assert response.status_code == 200
    offered = response.context["nav_names"] + (["admin"] if response.context["show_admin_site"] else [])
    assert offered == expected


def test_the_platform_operator_finds_the_scheduled_jobs_whatever_the_role(client, member_user):
    # Jobs are the platform's: a superuser runs them even when the account's role in a building is a member's.
    member_user.is_superuser = True
    member_user.save(update_fields=["is_superuser"])
    client.force_login(member_user)
    assert "job_list" in client.get("/").context["nav_names"]


def test_the_navigation_groups_pages_and_marks_the_current_one(secretary_a_client):
    response = secretary_a_client.get(reverse("members:transfer_list"))
    groups = [e for e in response.context["nav_items"] if e.get("children")]
    assert [len(g["children"]) for g in groups] == [4, 6, 6, 9, 4, 4, 3]
    active = [c["name"] for g in groups for c in g["children"] if c["active"]]
    assert active == ["members:transfer_list"]  # not the member register, whose URL is a shorter prefix
    assert groups[0]["active"] and not groups[1]["active"]


def test_secretary_home_shows_their_branch(secretary_a_client, branch_a):
    MemberFactory(organization=branch_a, lost_contact_since="2026-01-01", name="失联同志")
    body = secretary_a_client.get("/").content.decode()
    assert branch_a.name in body and "失联同志" in body


def test_member_home_shows_their_own_record(member_client, member_user):
    body = member_client.get("/").content.decode()
    assert member_user.member.organization.name in body


def test_admin_home_shows_building_counts_and_jobs(admin_client, branch_a, branch_b):
    MemberFactory.create_batch(3, organization=branch_a)
    response = admin_client.get("/")
    templates = [p["template"] for p in response.context["panels"]]
    assert "members/panels/overview.html" in templates
    assert "buildingparty/panels/system.html" in templates
    overview = next(p for p in response.context["panels"] if p["template"] == "members/panels/overview.html")
    assert overview["counts"]["total"] == 3


def test_liaison_home_lists_assigned_enterprises(login_as, liaison_user, enterprise):
    body = login_as(liaison_user).get("/").content.decode()
    assert enterprise.name in body


def test_contact_home_shows_their_enterprise(login_as, contact_user, enterprise):
    body = login_as(contact_user).get("/").content.decode()
    assert enterprise.name in body


# --- members ------------------------------------------------------------------------------------------------


def test_secretary_lists_own_branch_members_with_masked_ids(secretary_a_client, branch_a, branch_b):
    mine = MemberFactory(organization=branch_a)
    theirs = MemberFactory(organization=branch_b)
    response = secretary_a_client.get(reverse("members:list"))
    body = response.content.decode()
    assert mine.name in body and theirs.name not in body
    assert mine.masked_id_number in body and mine.id_number not in body


def test_member_list_runs_a_fixed_number_of_queries(secretary_a_client, branch_a, django_assert_max_num_queries):
    MemberFactory.create_batch(3, organization=branch_a)
    with django_assert_max_num_queries(12) as few:
        secretary_a_client.get(reverse("members:list"))
    MemberFactory.create_batch(20, organization=branch_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        secretary_a_client.get(reverse("members:list"))


def test_member_list_search_finds_by_id_tail(secretary_a_client, branch_a):
    target, other = MemberFactory.create_batch(2, organization=branch_a)
    body = secretary_a_client.get(reverse("members:list"), {"q": target.id_number[-4:]}).content.decode()
    assert target.name in body and other.name not in body


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_member_list_is_not_for_other_roles(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("members:list")).status_code == 403


def test_secretary_opens_own_member_but_other_branch_member_is_404(secretary_a_client, branch_a, branch_b):
    mine = MemberFactory(organization=branch_a)
    theirs = MemberFactory(organization=branch_b)
    assert secretary_a_client.get(mine.get_absolute_url()).status_code == 200
    assert secretary_a_client.get(theirs.get_absolute_url()).status_code == 404


def test_member_opens_own_record_and_nobody_elses(member_client, member_user, branch_a):
    colleague = MemberFactory(organization=branch_a)
    assert member_client.get(reverse("members:mine")).url == member_user.member.get_absolute_url()
    assert member_client.get(member_user.member.get_absolute_url()).status_code == 200
    assert member_client.get(colleague.get_absolute_url()).status_code == 404


def test_member_detail_requires_login(client, branch_a):
    member = MemberFactory(organization=branch_a)
    assert client.get(member.get_absolute_url()).status_code == 302


# --- enterprises --------------------------------------------------------------------------------------------


def test_liaison_lists_only_assigned_enterprises(login_as, liaison_user, enterprise, building):
    other = EnterpriseFactory(building=building)
    body = login_as(liaison_user).get(reverse("enterprises:list")).content.decode()
    assert enterprise.name in body and other.name not in body


def test_enterprise_list_runs_a_fixed_number_of_queries(admin_client, building, django_assert_max_num_queries):
    EnterpriseFactory.create_batch(3, building=building)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(reverse("enterprises:list"))
    EnterpriseFactory.create_batch(20, building=building)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(reverse("enterprises:list"))


def test_contact_opens_own_enterprise_and_not_another(login_as, contact_user, enterprise, building):
    other = EnterpriseFactory(building=building)
    client = login_as(contact_user)
    assert client.get(reverse("enterprises:mine")).url == enterprise.get_absolute_url()
    assert client.get(enterprise.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("enterprises:list")).status_code == 403


def test_admin_cannot_open_another_buildings_enterprise(admin_client, outsider):
    foreign = EnterpriseFactory(building=outsider.building)
    assert admin_client.get(foreign.get_absolute_url()).status_code == 404


def test_user_without_a_linked_record_gets_404_for_mine(login_as, db, building):
    from tests.factories import UserFactory

    lonely = UserFactory(role="member", building=building)
    assert login_as(lonely).get(reverse("members:mine")).status_code == 404


# --- organisations ------------------------------------------------------------------------------------------


def test_admin_sees_the_organisation_tree(admin_client, general_branch, branch_a, group_a, branch_b):
    body = admin_client.get(reverse("organization_list")).content.decode()
    for org in (general_branch, branch_a, group_a, branch_b):
        assert org.name in body


def test_secretary_opens_own_branch_but_not_another(secretary_a_client, branch_a, branch_b):
    assert secretary_a_client.get(branch_a.get_absolute_url()).status_code == 200
    assert secretary_a_client.get(branch_b.get_absolute_url()).status_code == 404


def test_organisation_list_is_not_for_members(member_client):
    assert member_client.get(reverse("organization_list")).status_code == 403


def test_not_found_page_is_friendly_and_chinese(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_forbidden_page_is_friendly(member_client):
    response = member_client.get(reverse("members:list"))
    assert response.status_code == 403
    assert "返回首页" in response.content.decode()


def test_server_error_page_needs_neither_database_nor_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "500" in response.content.decode()
