"""Choosing an enterprise (issue 15): a search-as-you-type field backed by a small JSON endpoint that answers in
the user's scope with at most 20 matches by name, pinyin initials or credit code; without JavaScript the same
field is a plain text search."""

import pytest
from django import forms
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from buildingparty.autocomplete import SEARCH_LIMIT
from enterprises import services
from enterprises.forms import EnterpriseSearchField
from enterprises.models import Enterprise
from tests.factories import BuildingFactory, EnterpriseFactory, make_credit_code

SEARCH = reverse("enterprises:search")


def names(response) -> list[str]:
    return [row["text"].split(" · ")[0] for row in response.json()["results"]]


@pytest.fixture
def spark(building):
    return EnterpriseFactory(building=building, name="慈溪星火科技有限公司", credit_code=make_credit_code(777001))


@pytest.fixture
def elsewhere(db):
    return EnterpriseFactory(building=BuildingFactory(name="别的大厦"), name="慈溪星火贸易有限公司")


# --- the endpoint -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_officer_finds_an_enterprise_by_name_initials_or_credit_code(secretary_a_client, spark, enterprise):
    assert names(secretary_a_client.get(SEARCH, {"q": "星火"})) == ["慈溪星火科技有限公司"]
    assert names(secretary_a_client.get(SEARCH, {"q": "CXXH"})) == ["慈溪星火科技有限公司"]
    assert names(secretary_a_client.get(SEARCH, {"q": spark.credit_code[-6:].lower()})) == ["慈溪星火科技有限公司"]
    row = secretary_a_client.get(SEARCH, {"q": "星火"}).json()["results"][0]
    assert row == {"value": spark.pk, "text": f"慈溪星火科技有限公司 · {spark.room}"}


@pytest.mark.django_db
def test_the_endpoint_answers_at_most_twenty_with_the_exact_name_first(admin_client, building):
    for n in range(SEARCH_LIMIT + 5):
        EnterpriseFactory(building=building, name=f"慈溪测试{n:02d}号有限公司")
    EnterpriseFactory(building=building, name="测试")
    found = names(admin_client.get(SEARCH, {"q": "测试"}))
    assert len(found) == SEARCH_LIMIT
    assert found[0] == "测试"
    assert found[1:4] == ["慈溪测试00号有限公司", "慈溪测试01号有限公司", "慈溪测试02号有限公司"]


@pytest.mark.django_db
def test_an_empty_search_answers_nothing(admin_client, spark):
    assert admin_client.get(SEARCH, {"q": " "}).json() == {"results": []}


@pytest.mark.django_db
def test_another_buildings_enterprise_is_never_suggested(admin_client, spark, elsewhere):
    assert names(admin_client.get(SEARCH, {"q": "星火"})) == ["慈溪星火科技有限公司"]
    assert names(admin_client.get(SEARCH, {"q": elsewhere.credit_code})) == []


@pytest.mark.django_db
def test_a_liaison_finds_only_their_own_enterprises(login_as, liaison_user, enterprise, spark):
    found = names(login_as(liaison_user).get(SEARCH, {"q": "慈溪"}))
    assert found == [enterprise.name]


@pytest.mark.django_db
def test_active_only_leaves_out_moved_out_enterprises(admin_client, spark, building):
    EnterpriseFactory(building=building, name="慈溪星火旧址", status=Enterprise.Status.MOVED_OUT)
    assert names(admin_client.get(SEARCH, {"q": "星火", "status": "active"})) == ["慈溪星火科技有限公司"]
    assert len(names(admin_client.get(SEARCH, {"q": "星火"}))) == 2


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, spark):
    response = client.get(SEARCH, {"q": "星火"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_member_may_not_search_enterprises(member_client, spark):
    assert member_client.get(SEARCH, {"q": "星火"}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_the_endpoint_runs_one_query_however_many_match(admin_client, building, rows, django_assert_num_queries):
    EnterpriseFactory.create_batch(rows, building=building)
    # Session read and write, user, the transaction's savepoint and its release, the search.
    with django_assert_num_queries(6):
        response = admin_client.get(SEARCH, {"q": "测试"})
    assert len(response.json()["results"]) == min(rows, SEARCH_LIMIT)


# --- the field without JavaScript ---------------------------------------------------------------------------


class PickForm(forms.Form):
    enterprise = EnterpriseSearchField(required=False)

    def __init__(self, *args, building, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.filter(building=building)


class FilterForm(PickForm):
    enterprise = EnterpriseSearchField(required=False, free=True)


@pytest.mark.django_db
def test_the_field_takes_an_in_scope_pk_and_refuses_another_buildings(building, spark, elsewhere):
    assert PickForm({"enterprise": str(spark.pk)}, building=building).is_valid()
    form = PickForm({"enterprise": str(elsewhere.pk)}, building=building)
    assert not form.is_valid()
    assert "enterprise" in form.errors


@pytest.mark.django_db
def test_typed_text_naming_one_enterprise_chooses_it(building, spark, enterprise):
    for text in ("慈溪星火科技有限公司", "星火", "cxxhkj", spark.credit_code):
        form = PickForm({"enterprise": text}, building=building)
        assert form.is_valid(), text
        assert form.cleaned_data["enterprise"] == spark


@pytest.mark.django_db
def test_typed_text_naming_several_or_none_says_what_to_type(building, spark, enterprise):
    form = PickForm({"enterprise": "慈溪"}, building=building)
    assert not form.is_valid()
    assert form.errors["enterprise"] == ["与“慈溪”相符的不止一个：请输入企业全称或统一社会信用代码，并从列表中选择。"]
    form = PickForm({"enterprise": "没有这家"}, building=building)
    assert not form.is_valid()
    assert form.errors["enterprise"][0].startswith("没有与“没有这家”相符的记录")


@pytest.mark.django_db
def test_the_exact_name_wins_over_names_containing_it(building):
    short = EnterpriseFactory(building=building, name="星火")
    EnterpriseFactory(building=building, name="星火科技")
    form = PickForm({"enterprise": "星火"}, building=building)
    assert form.is_valid()
    assert form.cleaned_data["enterprise"] == short


@pytest.mark.django_db
def test_a_filter_field_keeps_text_naming_several_for_a_containing_search(building, spark, enterprise):
    form = FilterForm({"enterprise": "慈溪"}, building=building)
    assert form.is_valid()
    assert form.cleaned_data["enterprise"] == "慈溪"
    assert set(form.fields["enterprise"].matching("慈溪")) == {spark, enterprise}


@pytest.mark.django_db
def test_the_chosen_enterprise_is_shown_by_name_and_sent_back_unchanged_keeps_it(building, spark):
    html = str(PickForm(initial={"enterprise": spark.pk}, building=building)["enterprise"])
    assert 'type="text"' in html
    assert f'value="慈溪星火科技有限公司 · {spark.room}"' in html
    assert f'data-autocomplete-value="{spark.pk}"' in html
    assert f'data-autocomplete-url="{SEARCH}"' in html
    assert "<option" not in html
    # Without JavaScript the browser sends the label as shown, and the hidden input that remembers it.
    label = f"慈溪星火科技有限公司 · {spark.room}"
    form = PickForm({"enterprise": label, "enterprise_chosen": f"{spark.pk} {label}"}, building=building)
    assert form.is_valid()
    assert form.cleaned_data["enterprise"] == spark


# --- initials kept ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_services_keep_the_initials_of_the_name(building, admin_user, general_branch):
    enterprise = EnterpriseFactory.build(building=building, name="宁波海天", name_initials="")
    services.enterprise_create(enterprise=enterprise, created_by=admin_user)
    assert Enterprise.objects.get(pk=enterprise.pk).name_initials == "nbht"
    enterprise.name = "慈溪海天"
    services.enterprise_update(enterprise=enterprise, changed_by=admin_user)
    assert Enterprise.objects.get(pk=enterprise.pk).name_initials == "cxht"


BEFORE = [("enterprises", "0006_audit_fill_actor_names")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_enterprise_and_fills_its_initials():
    building = BuildingFactory()
    executor = migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("enterprises", "Enterprise")
        names_ = ["慈溪星火科技有限公司", "宁波海天", "ABC咨询", ""] + [f"测试{n}" for n in range(1200)]
        for n, name in enumerate(names_):
            old.objects.create(
                building_id=building.pk, name=name, credit_code=make_credit_code(880000 + n), floor=3, room="301"
            )
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    initials = dict(Enterprise.objects.values_list("name", "name_initials"))
    assert len(initials) == len(names_) and Enterprise.objects.count() == len(names_)
    assert initials["慈溪星火科技有限公司"] == "cxxhkjyxgs"
    assert initials["宁波海天"] == "nbht"
    assert initials["ABC咨询"] == "zx"  # letters and digits are typed as they are, by name
    assert initials[""] == ""
    assert initials["测试1199"] == "cs"
