"""Choosing a member, a member's account or an enterprise on the member pages (issue 15): search-as-you-type
fields backed by JSON endpoints in the officer's scope; no page lists every enterprise, member or account."""

import pytest
from django.urls import reverse

from buildingparty.autocomplete import SEARCH_LIMIT
from members.models import Member
from tests.factories import BuildingFactory, EnterpriseFactory, MemberFactory, UserFactory

from .test_record_views import form_data

pytestmark = pytest.mark.django_db

MEMBERS = reverse("members:search")
ACCOUNTS = reverse("members:account_search")


def texts(response) -> list[str]:
    return [row["text"] for row in response.json()["results"]]


@pytest.fixture
def zhang(branch_a):
    return MemberFactory(organization=branch_a, name="张秀英", name_initials="zxy")


# --- members ------------------------------------------------------------------------------------------------


def test_a_secretary_finds_their_branchs_members_by_name_or_initials(secretary_a_client, zhang, branch_b):
    MemberFactory(organization=branch_b, name="张秀兰", name_initials="zxl")
    assert texts(secretary_a_client.get(MEMBERS, {"q": "秀"})) == ["张秀英 · 第一党支部"]
    assert texts(secretary_a_client.get(MEMBERS, {"q": "ZX"})) == ["张秀英 · 第一党支部"]
    assert secretary_a_client.get(MEMBERS, {"q": "秀"}).json()["results"][0]["value"] == zhang.pk


def test_another_buildings_member_is_never_suggested(admin_client, zhang, outsider):
    outsider.member.name = "张秀英"
    outsider.member.save(update_fields=["name"])
    assert texts(admin_client.get(MEMBERS, {"q": "张秀英"})) == ["张秀英 · 第一党支部"]


def test_the_member_search_answers_at_most_twenty(admin_client, branch_a):
    MemberFactory.create_batch(SEARCH_LIMIT + 3, organization=branch_a)
    assert len(texts(admin_client.get(MEMBERS, {"q": "党员"}))) == SEARCH_LIMIT


@pytest.mark.parametrize("url", [MEMBERS, ACCOUNTS])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url, {"q": "张"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", [MEMBERS, ACCOUNTS])
def test_a_member_or_street_viewer_may_not_search(login_as, member_user, street_user, url):
    assert login_as(member_user).get(url, {"q": "张"}).status_code == 403
    assert login_as(street_user).get(url, {"q": "张"}).status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_the_searches_run_the_same_queries_however_many_rows(
    admin_client, branch_a, building, rows, django_assert_num_queries
):
    MemberFactory.create_batch(rows, organization=branch_a)
    for n in range(rows):
        UserFactory(username=f"acct{n}", name=f"账号{n}", role="member", building=building)
    # Session read and write, user, the transaction's savepoint and release, the search (organisations joined).
    with django_assert_num_queries(6):
        admin_client.get(MEMBERS, {"q": "党员"})
    with django_assert_num_queries(6):
        admin_client.get(ACCOUNTS, {"q": "acct"})


# --- accounts -----------------------------------------------------------------------------------------------


def test_the_account_search_finds_the_buildings_unlinked_member_accounts(
    secretary_a_client, building, member_user, admin_user, liaison_user
):
    UserFactory(username="free_wang", name="王芳", role="member", building=building)
    UserFactory(username="free_other", name="王芳", role="member", building=BuildingFactory(name="别的大厦"))
    UserFactory(username="free_closed", name="王芳", role="member", building=building, is_active=False)
    assert texts(secretary_a_client.get(ACCOUNTS, {"q": "王芳"})) == ["王芳 · free_wang"]
    assert texts(secretary_a_client.get(ACCOUNTS, {"q": "free"})) == ["王芳 · free_wang"]
    assert texts(secretary_a_client.get(ACCOUNTS, {"q": member_user.username})) == []
    assert texts(secretary_a_client.get(ACCOUNTS, {"q": "admin"})) == []


# --- the member form, without JavaScript --------------------------------------------------------------------


def test_the_member_form_takes_an_enterprise_by_pk(secretary_a_client, branch_a, building):
    spark = EnterpriseFactory(building=building, name="慈溪星火科技有限公司")
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_a, enterprise=spark.pk))
    assert response.status_code == 302
    assert Member.objects.get(name="王五").enterprise == spark


@pytest.mark.parametrize("typed", ["慈溪星火科技有限公司", "星火", "cxxh"])
def test_the_member_form_takes_an_enterprise_typed_by_unique_text(secretary_a_client, branch_a, building, typed):
    spark = EnterpriseFactory(building=building, name="慈溪星火科技有限公司")
    EnterpriseFactory(building=building, name="慈溪海天贸易有限公司")
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_a, enterprise=typed))
    assert response.status_code == 302
    assert Member.objects.get(name="王五").enterprise == spark


def test_the_member_form_refuses_another_buildings_enterprise_and_ambiguous_text(
    secretary_a_client, branch_a, building
):
    other = EnterpriseFactory(building=BuildingFactory(name="别的大厦"))
    EnterpriseFactory(building=building, name="慈溪星火科技有限公司")
    EnterpriseFactory(building=building, name="慈溪海天贸易有限公司")
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_a, enterprise=other.pk))
    assert response.status_code == 200 and "enterprise" in response.context["form"].errors
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_a, enterprise="慈溪"))
    assert response.context["form"].errors["enterprise"] == [
        "与“慈溪”相符的不止一个：请输入企业全称或统一社会信用代码，并从列表中选择。"
    ]
    assert not Member.objects.exists()


def test_the_member_form_links_an_account_typed_by_username(secretary_a_client, branch_a, building):
    account = UserFactory(username="wangwu", name="王五", role="member", building=building)
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_a, user="wangwu"))
    assert response.status_code == 302
    assert Member.objects.get(name="王五").user == account


def test_the_member_form_shows_no_list_of_enterprises_or_accounts(secretary_a_client, building):
    EnterpriseFactory.create_batch(30, building=building)
    UserFactory.create_batch(5, role="member", building=building)
    html = secretary_a_client.get(reverse("members:create")).content.decode()
    assert "慈溪测试科技有限公司" not in html
    assert f'data-autocomplete-url="{reverse("enterprises:search")}"' in html
    assert f'data-autocomplete-url="{ACCOUNTS}"' in html


def test_editing_shows_the_linked_enterprise_and_account_and_keeps_them(secretary_a_client, member_user, enterprise):
    member = member_user.member
    url = reverse("members:edit", args=[member.pk])
    form = secretary_a_client.get(url).context["form"]
    html = str(form["enterprise"]) + str(form["user"])
    assert f'data-autocomplete-value="{enterprise.pk}"' in html
    assert f'data-autocomplete-value="{member_user.pk}"' in html


# --- the member list ----------------------------------------------------------------------------------------


def test_the_member_list_lists_no_enterprises_unless_one_is_chosen(secretary_a_client, branch_a, building):
    enterprises = [EnterpriseFactory(building=building, name=f"慈溪列表{n:02d}有限公司") for n in range(30)]
    MemberFactory(organization=branch_a, enterprise=enterprises[7], name="周到")
    html = secretary_a_client.get(reverse("members:list")).content.decode()
    assert "<option" not in html.split('name="enterprise"')[1].split("</div>")[0]
    # Only the enterprise a listed member works for is named.
    assert [e.name for e in enterprises if e.name in html] == [enterprises[7].name]
    response = secretary_a_client.get(reverse("members:list"), {"enterprise": enterprises[7].pk})
    html = response.content.decode()
    assert enterprises[7].name in html and enterprises[8].name not in html
    assert [m.name for m in response.context["page"]] == ["周到"]


def test_the_member_list_filters_by_enterprise_text_containing(secretary_a_client, branch_a, building):
    spark = EnterpriseFactory(building=building, name="慈溪星火科技有限公司")
    sea = EnterpriseFactory(building=building, name="慈溪海天贸易有限公司")
    MemberFactory(organization=branch_a, enterprise=spark, name="甲")
    MemberFactory(organization=branch_a, enterprise=sea, name="乙")
    MemberFactory(organization=branch_a, name="丙")
    found = secretary_a_client.get(reverse("members:list"), {"enterprise": "慈溪"}).context["page"]
    assert sorted(m.name for m in found) == ["乙", "甲"]
    found = secretary_a_client.get(reverse("members:list"), {"enterprise": "cxxh"}).context["page"]
    assert [m.name for m in found] == ["甲"]
    found = secretary_a_client.get(reverse("members:list"), {"enterprise": "没有"}).context["page"]
    assert list(found) == []
