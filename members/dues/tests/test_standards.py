"""Each member's dues standard per year: the member declares, the secretary confirms, corrects, sets or agrees
another amount, and the yearly round asks every member to declare. Services first, then the pages."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from buildingparty.models import Notification
from members.dues import services as ds
from members.dues.models import DuesStandard
from members.models import Member, MemberChange
from tests.factories import EnterpriseFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
STANDARDS = reverse("dues:standards")
DECLARE = reverse("dues:declare")
ROUND = reverse("dues:round")


def standard_url(member, year=YEAR):
    return reverse("dues:standard", args=[member.pk, year])


def make_standard(member, year=YEAR, *, status=DuesStandard.Status.CONFIRMED, **kwargs) -> DuesStandard:
    """A standard written straight to the table: an employee declaring 8000 yuan, 120.00 a month."""
    fields = {"kind": "employed", "declared_base": Decimal("8000"), "computed_amount": Decimal("120.00")} | kwargs
    return DuesStandard.objects.create(member=member, year=year, status=status, **fields)


def member_with_account(organization, username, **kwargs) -> Member:
    user = UserFactory(username=username, role="member", building=organization.building)
    return MemberFactory(organization=organization, user=user, **kwargs)


def messages_of(response) -> list[str]:
    # The request's messages, not ``response.context["messages"]``: a page's content kept by ``data_cache`` is
    # rendered first, with a ``messages`` that refuses to be read (it must not enter the kept HTML).
    return [str(m) for m in get_messages(response.wsgi_request)] if response.context else []


@pytest.fixture
def own_member(member_user) -> Member:
    return member_user.member


# --- declaring ----------------------------------------------------------------------------------------------


def test_a_member_declares_their_base_and_the_rule_computes_the_amount(own_member, member_user, secretary_a):
    standard = ds.declare_standard(
        member=own_member, year=YEAR, kind="employed", declared_base=Decimal("8000"), by=member_user
    )
    assert standard.status == DuesStandard.Status.DECLARED and not standard.is_confirmed
    assert standard.computed_amount == Decimal("120.00") and standard.amount == Decimal("120.00")
    assert standard.declared_by == member_user and standard.declared_at is not None
    # The branch secretary is told there is a declaration to confirm.
    note = Notification.objects.get(user=secretary_a, event="dues_declared")
    assert own_member.name in note.title and "申报" in note.title


def test_a_bracket_edge_belongs_to_the_lower_bracket(own_member, member_user):
    standard = ds.declare_standard(
        member=own_member, year=YEAR, kind="employed", declared_base=Decimal("3000"), by=member_user
    )
    assert standard.computed_amount == Decimal("15.00")


def test_students_and_the_unemployed_pay_the_fixed_amount_and_keep_no_base(own_member, member_user):
    standard = ds.declare_standard(
        member=own_member, year=YEAR, kind="student", declared_base=Decimal("2500"), by=member_user
    )
    assert standard.declared_base is None and standard.computed_amount == Decimal("0.20")


@pytest.mark.parametrize("kind", ["employed", "self_employed", "retired"])
def test_employed_self_employed_and_retired_members_must_declare_a_base(own_member, member_user, kind):
    with pytest.raises(ValidationError) as error:
        ds.declare_standard(member=own_member, year=YEAR, kind=kind, declared_base=None, by=member_user)
    assert "须填写月收入基数" in str(error.value.message_dict["declared_base"])


def test_a_base_of_nothing_is_refused_for_an_employee(own_member, member_user):
    with pytest.raises(ValidationError) as error:
        ds.declare_standard(member=own_member, year=YEAR, kind="employed", declared_base=Decimal("0"), by=member_user)
    assert "大于0" in error.value.message_dict["declared_base"][0]


def test_rule_no_unit_pays_a_members_dues_a_standard_names_the_member_or_a_person(own_member, member_user, building):
    with pytest.raises(ValidationError) as error:
        ds.declare_standard(
            member=own_member,
            year=YEAR,
            kind="employed",
            declared_base=Decimal("6000"),
            payer="enterprise",
            by=member_user,
        )
    assert "公款代交" in error.value.message_dict["payer"][0]
    with pytest.raises(ValidationError) as error:
        ds.declare_standard(
            member=own_member,
            year=YEAR,
            kind="employed",
            declared_base=Decimal("6000"),
            payer="other",
            payer_name=EnterpriseFactory(building=building, name="慈溪星火科技有限公司").name,
            by=member_user,
        )
    assert "公款代交" in error.value.message_dict["payer_name"][0]
    with pytest.raises(ValidationError) as error:
        ds.declare_standard(
            member=own_member,
            year=YEAR,
            kind="employed",
            declared_base=Decimal("6000"),
            payer="other",
            by=member_user,
        )
    assert "代交党费的亲属或党员" in error.value.message_dict["payer_name"][0]
    standard = ds.declare_standard(
        member=own_member,
        year=YEAR,
        kind="employed",
        declared_base=Decimal("6000"),
        payer="other",
        payer_name="张建华（配偶）",
        by=member_user,
    )
    assert standard.payer == "other" and standard.payer_name == "张建华（配偶）"
    assert not hasattr(standard, "payer_enterprise")


def test_rule_no_unit_pays_a_members_dues_the_standard_form_refuses_an_enterprise(
    secretary_a_client, branch_a, enterprise
):
    member = MemberFactory(organization=branch_a)
    for data in ({"payer": "enterprise"}, {"payer": "self", "payer_enterprise": str(enterprise.pk)}):
        response = secretary_a_client.post(standard_url(member), {"kind": "student", **data})
        assert response.status_code == 200
        assert "公款代交" in response.context["form"].errors["payer"][0]
    assert not DuesStandard.objects.exists()


def test_a_member_may_declare_again_until_it_is_confirmed(own_member, member_user):
    first = ds.declare_standard(
        member=own_member, year=YEAR, kind="employed", declared_base=Decimal("8000"), by=member_user
    )
    second = ds.declare_standard(
        member=own_member, year=YEAR, kind="employed", declared_base=Decimal("4000"), by=member_user
    )
    assert second.pk == first.pk and second.computed_amount == Decimal("40.00")
    assert DuesStandard.objects.filter(member=own_member).count() == 1


def test_a_confirmed_standard_cannot_be_changed_by_the_member(own_member, member_user):
    make_standard(own_member)
    with pytest.raises(ValidationError) as error:
        ds.declare_standard(
            member=own_member, year=YEAR, kind="employed", declared_base=Decimal("2000"), by=member_user
        )
    assert "已由支部确认" in error.value.messages[0]
    assert DuesStandard.objects.get(member=own_member).computed_amount == Decimal("120.00")


def test_next_years_declaration_waits_for_confirmation_while_this_years_stays_in_force(own_member, member_user):
    make_standard(own_member)
    declared = ds.declare_standard(
        member=own_member, year=YEAR + 1, kind="employed", declared_base=Decimal("12000"), by=member_user
    )
    assert declared.status == DuesStandard.Status.DECLARED
    assert DuesStandard.objects.get(member=own_member, year=YEAR).is_confirmed


def test_only_this_year_or_the_next_may_be_declared(own_member, member_user):
    for year in (YEAR - 1, YEAR + 2):
        with pytest.raises(ValidationError):
            ds.declare_standard(member=own_member, year=year, kind="student", declared_base=None, by=member_user)


def test_nobody_declares_for_someone_else(own_member, secretary_a):
    with pytest.raises(PermissionDenied):
        ds.declare_standard(member=own_member, year=YEAR, kind="student", declared_base=None, by=secretary_a)


def test_a_suspended_member_pays_no_dues(own_member, member_user):
    Member.objects.filter(pk=own_member.pk).update(status=Member.Status.SUSPENDED)
    with pytest.raises(ValidationError) as error:
        ds.declare_standard(member=own_member, year=YEAR, kind="student", declared_base=None, by=member_user)
    assert "不交纳党费" in error.value.messages[0]


def test_a_probationary_member_pays_from_the_month_they_were_admitted(branch_a):
    admitted = datetime.date(YEAR, 5, 20) if timezone.localdate() >= datetime.date(YEAR, 5, 20) else None
    joined = admitted or datetime.date(YEAR, 1, 10)
    member = MemberFactory(organization=branch_a, category="probationary", joined_on=joined, full_member_on=None)
    assert ds.applies_from(member, YEAR) == joined.replace(day=1)
    assert ds.applies_from(member, YEAR + 1) == datetime.date(YEAR + 1, 1, 1)
    assert ds.applies_from(member, YEAR - 1) is None


def test_no_standard_before_the_year_the_member_joined(branch_a, secretary_a):
    member = MemberFactory(
        organization=branch_a, category="probationary", joined_on=timezone.localdate(), full_member_on=None
    )
    with pytest.raises(ValidationError) as error:
        ds.set_standard(member=member, year=YEAR - 1, kind="student", declared_base=None, by=secretary_a)
    assert "year" in error.value.message_dict


# --- confirming and setting ---------------------------------------------------------------------------------


def test_the_secretary_confirms_a_declaration_and_the_member_is_told(own_member, member_user, secretary_a):
    declared = ds.declare_standard(
        member=own_member, year=YEAR, kind="employed", declared_base=Decimal("8000"), by=member_user
    )
    standard = ds.confirm_standard(standard=declared, by=secretary_a)
    assert standard.is_confirmed and standard.confirmed_by == secretary_a and standard.confirmed_at is not None
    assert Notification.objects.get(user=member_user, event="dues_declare_confirmed").title.endswith("已确认")
    entry = MemberChange.objects.get(member=own_member)
    assert entry.changed_by == secretary_a and "党费标准已确认" in entry.note and "120.00" in entry.note


def test_the_secretary_corrects_the_kind_and_base_when_confirming(own_member, member_user, secretary_a):
    declared = ds.declare_standard(
        member=own_member, year=YEAR, kind="employed", declared_base=Decimal("8000"), by=member_user
    )
    standard = ds.confirm_standard(
        standard=declared,
        by=secretary_a,
        kind="retired",
        declared_base=Decimal("6000"),
        payer="self",
        note="按养老金核定",
    )
    assert standard.kind == "retired" and standard.computed_amount == Decimal("60.00") and standard.is_confirmed
    assert standard.note == "按养老金核定"
    assert "修正后确认" in MemberChange.objects.get(member=own_member).note
    assert Notification.objects.get(user=member_user, event="dues_declare_confirmed").body.count("修正") == 1


def test_another_branchs_secretary_may_not_confirm(own_member, member_user, secretary_b):
    declared = ds.declare_standard(member=own_member, year=YEAR, kind="student", declared_base=None, by=member_user)
    with pytest.raises(PermissionDenied):
        ds.confirm_standard(standard=declared, by=secretary_b)


def test_a_confirmed_standard_is_not_confirmed_twice(own_member, secretary_a):
    with pytest.raises(ValidationError):
        ds.confirm_standard(standard=make_standard(own_member), by=secretary_a)


def test_the_secretary_sets_the_standard_of_a_member_without_an_account(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    standard = ds.set_standard(
        member=member, year=YEAR, kind="self_employed", declared_base=Decimal("12000"), by=secretary_a
    )
    assert standard.is_confirmed and standard.computed_amount == Decimal("240.00")
    assert standard.declared_by == secretary_a and standard.confirmed_by == secretary_a
    assert "党费标准已核定" in MemberChange.objects.get(member=member).note


def test_changing_a_confirmed_amount_within_the_year_needs_a_reason(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    make_standard(member)
    with pytest.raises(ValidationError) as error:
        ds.set_standard(member=member, year=YEAR, kind="employed", declared_base=Decimal("4000"), by=secretary_a)
    assert "一般一年内不作调整" in error.value.message_dict["note"][0]
    standard = ds.set_standard(
        member=member,
        year=YEAR,
        kind="employed",
        declared_base=Decimal("4000"),
        by=secretary_a,
        note="申报基数有误",
    )
    assert standard.computed_amount == Decimal("40.00")
    assert "党费标准已调整" in MemberChange.objects.get(member=member).note


def test_saving_a_confirmed_standard_unchanged_records_nothing(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)
    standard = make_standard(member)
    again = ds.set_standard(member=member, year=YEAR, kind="employed", declared_base=Decimal("8000"), by=secretary_a)
    assert again.pk == standard.pk and again.confirmed_by is None
    assert not MemberChange.objects.filter(member=member).exists()


def test_the_admin_sets_standards_anywhere_in_the_building_but_not_elsewhere(branch_b, admin_user, outsider):
    member = MemberFactory(organization=branch_b)
    assert ds.set_standard(member=member, year=YEAR, kind="student", declared_base=None, by=admin_user).is_confirmed
    with pytest.raises(PermissionDenied):
        ds.set_standard(member=outsider.member, year=YEAR, kind="student", declared_base=None, by=admin_user)


# --- agreed amounts -----------------------------------------------------------------------------------------


def test_a_hardship_exemption_needs_a_reason_and_who_approved_it(branch_a, secretary_a):
    standard = make_standard(MemberFactory(organization=branch_a))
    with pytest.raises(ValidationError) as error:
        ds.override_standard(standard=standard, amount=Decimal("0"), reason="", approved_by="", by=secretary_a)
    assert set(error.value.message_dict) == {"reason", "approved_by"}
    standard = ds.override_standard(
        standard=standard, amount=Decimal("0"), reason="长期患病", approved_by="联合党总支 2026-01-10", by=secretary_a
    )
    assert standard.amount == Decimal("0") and standard.computed_amount == Decimal("120.00")
    note = MemberChange.objects.get(member=standard.member).note
    assert "长期患病" in note and "联合党总支" in note


def test_a_reduction_is_less_than_the_rule(branch_a, secretary_a):
    standard = make_standard(MemberFactory(organization=branch_a))
    with pytest.raises(ValidationError) as error:
        ds.override_standard(standard=standard, amount=Decimal("150"), reason="x", approved_by="y", by=secretary_a)
    assert "须低于按规定应交的金额" in error.value.message_dict["amount"][0]
    assert ds.override_standard(
        standard=standard, amount=Decimal("60"), reason="失业", approved_by="支部大会", by=secretary_a
    ).amount == Decimal("60")


@pytest.mark.parametrize(
    ("amount", "allowed"),
    [("0.20", True), ("1.00", True), ("0.50", True), ("1.20", False), ("0.10", False), ("0", True)],
)
def test_a_rural_member_pays_between_twenty_fen_and_one_yuan(branch_a, secretary_a, amount, allowed):
    standard = make_standard(
        MemberFactory(organization=branch_a), kind="rural", declared_base=None, computed_amount=Decimal("0.20")
    )
    if allowed:
        assert ds.override_standard(
            standard=standard, amount=Decimal(amount), reason="农村党员", approved_by="支部大会", by=secretary_a
        ).amount == Decimal(amount)
    else:
        with pytest.raises(ValidationError) as error:
            ds.override_standard(
                standard=standard, amount=Decimal(amount), reason="农村党员", approved_by="支部大会", by=secretary_a
            )
        assert "0.20元至1.00元" in error.value.message_dict["amount"][0]


def test_withdrawing_an_agreed_amount_goes_back_to_the_rule(branch_a, secretary_a):
    standard = make_standard(
        MemberFactory(organization=branch_a),
        override_amount=Decimal("0"),
        override_reason="困难",
        override_approved_by="总支",
    )
    standard = ds.override_standard(standard=standard, amount=None, by=secretary_a)
    assert standard.override_amount is None and standard.amount == Decimal("120.00")
    assert "撤销核定金额" in MemberChange.objects.get(member=standard.member).note


# --- the yearly round ---------------------------------------------------------------------------------------


def test_the_round_asks_each_paying_member_with_an_account_once_a_year(branch_a, group_a, branch_b, secretary_a):
    asked = member_with_account(branch_a, "m1")
    in_group = member_with_account(group_a, "m2")
    declared = member_with_account(branch_a, "m3")
    make_standard(declared, status=DuesStandard.Status.DECLARED)
    MemberFactory(organization=branch_a)  # no account
    member_with_account(branch_a, "m4", status=Member.Status.SUSPENDED, status_note="停止党籍")
    member_with_account(branch_b, "m5")  # another branch
    scope = secretary_a.organization.subtree_ids()
    counts = ds.open_declaration_round(year=YEAR, by=secretary_a, organization_ids=scope)
    assert counts == {"paying": 4, "already": 1, "without_account": 1, "notified": 2}
    notified = set(Notification.objects.filter(event="dues_declare").values_list("user__member", flat=True))
    assert notified == {asked.pk, in_group.pk}
    note = Notification.objects.get(user=asked.user, event="dues_declare")
    assert str(YEAR) in note.title and "申报" in note.title and note.url == f"{DECLARE}?year={YEAR}"
    # Opening it again tells nobody twice.
    again = ds.open_declaration_round(year=YEAR, by=secretary_a, organization_ids=scope)
    assert again["notified"] == 0 and Notification.objects.filter(event="dues_declare").count() == 2


def test_the_admin_opens_the_round_for_the_building(branch_a, branch_b, admin_user):
    member_with_account(branch_a, "m1")
    member_with_account(branch_b, "m2")
    assert ds.open_declaration_round(year=YEAR, by=admin_user, building=admin_user.building)["notified"] == 2


def test_a_secretary_cannot_open_the_round_for_another_branch(branch_b, secretary_a):
    with pytest.raises(PermissionDenied):
        ds.open_declaration_round(year=YEAR, by=secretary_a, organization_ids=[branch_b.pk])


# --- the standards page -------------------------------------------------------------------------------------


def test_the_standards_page_lists_each_member_with_their_standard_and_highlights_those_without(
    secretary_a_client, branch_a, branch_b, building
):
    paid_by_relative = MemberFactory(organization=branch_a, name="甲")
    make_standard(paid_by_relative, payer="other", payer_name="张建华（配偶）")
    waiting = MemberFactory(organization=branch_a, name="乙")
    make_standard(waiting, status=DuesStandard.Status.DECLARED)
    carried = MemberFactory(organization=branch_a, name="丙")
    make_standard(carried, year=YEAR - 1)
    MemberFactory(organization=branch_a, name="丁")
    MemberFactory(organization=branch_b, name="别支部")
    response = secretary_a_client.get(STANDARDS)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{YEAR}年党费标准" in body
    assert "张建华（配偶）" in body and "待确认" in body and "别支部" not in body
    assert f"沿用{YEAR - 1}年标准" in body and 'class="table-warning" data-member="丁"' in body
    counts = response.context["counts"]
    assert (counts["total"], counts["confirmed"], counts["declared"], counts["missing"]) == (4, 1, 1, 2)
    assert 'data-testid="open-round"' in body and f'data-testid="confirm-{waiting.dues_standards.get().pk}"' in body


def test_the_standards_page_filters_by_status_and_kind(secretary_a_client, branch_a):
    make_standard(MemberFactory(organization=branch_a, name="在职"))
    make_standard(
        MemberFactory(organization=branch_a, name="学生"),
        kind="student",
        declared_base=None,
        computed_amount=Decimal("0.20"),
    )
    MemberFactory(organization=branch_a, name="未核定")

    def names(**params):
        response = secretary_a_client.get(STANDARDS, params)
        return [m.name for m in response.context["page"]]

    assert names(status="missing") == ["未核定"]
    assert names(kind="student") == ["学生"]
    assert sorted(names(status="confirmed")) == ["在职", "学生"]


def test_the_street_viewer_reads_the_standards_but_is_offered_no_changes(login_as, street_user, branch_a):
    member = MemberFactory(organization=branch_a)
    standard = make_standard(member, status=DuesStandard.Status.DECLARED)
    client = login_as(street_user)
    body = client.get(STANDARDS).content.decode()
    assert member.name in body and 'data-testid="open-round"' not in body and "confirm-" not in body
    detail = client.get(standard_url(member))
    assert detail.status_code == 200 and 'data-testid="standard-form"' not in detail.content.decode()
    assert client.post(standard_url(member), {"kind": "student", "payer": "self"}).status_code == 403
    assert client.post(reverse("dues:standard_confirm", args=[standard.pk])).status_code == 403
    assert client.post(ROUND, {"year": YEAR}).status_code == 403


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_members_liaisons_and_contacts_may_not_see_the_standards_page(request, login_as, persona, branch_a):
    member = MemberFactory(organization=branch_a)
    client = login_as(request.getfixturevalue(persona))
    assert client.get(STANDARDS).status_code == 403
    assert client.get(standard_url(member)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, branch_a):
    member = MemberFactory(organization=branch_a)
    for url in (STANDARDS, standard_url(member), DECLARE):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_branchs_member_and_standard_are_not_found(login_as, secretary_b, branch_a):
    member = MemberFactory(organization=branch_a)
    standard = make_standard(member, status=DuesStandard.Status.DECLARED)
    client = login_as(secretary_b)
    assert client.get(standard_url(member)).status_code == 404
    assert client.post(reverse("dues:standard_confirm", args=[standard.pk])).status_code == 404
    assert client.post(reverse("dues:standard_override", args=[standard.pk])).status_code == 404
    assert client.get(STANDARDS, {"branch": branch_a.pk}).status_code == 404


def test_the_actions_refuse_get(secretary_a_client, branch_a):
    standard = make_standard(MemberFactory(organization=branch_a))
    assert secretary_a_client.get(reverse("dues:standard_confirm", args=[standard.pk])).status_code == 405
    assert secretary_a_client.get(reverse("dues:standard_override", args=[standard.pk])).status_code == 405
    assert secretary_a_client.get(ROUND).status_code == 405


@pytest.mark.parametrize("scale", [1, 3])
def test_the_standards_page_runs_the_same_queries_at_1x_and_3x_members(
    secretary_a_client, branch_a, group_a, building, django_assert_num_queries, scale
):
    for n in range(4 * scale):
        member = MemberFactory(organization=group_a if n % 2 else branch_a)
        if n % 4 == 0:
            make_standard(member, payer="other", payer_name=f"亲属{n}")
        elif n % 4 == 1:
            make_standard(member, status=DuesStandard.Status.DECLARED)
        elif n % 4 == 2:
            make_standard(member, year=YEAR - 1)
    secretary_a_client.get(STANDARDS)  # warm the session
    with django_assert_num_queries(STANDARDS_PAGE_QUERIES):
        response = secretary_a_client.get(STANDARDS)
    assert response.context["page"].paginator.count == 4 * scale


def test_a_filtered_standards_page_counts_only_the_members_it_shows(secretary_a_client, branch_a, group_a):
    for n in range(6):
        member = MemberFactory(organization=group_a if n % 2 else branch_a)
        if n < 2:
            make_standard(member, status=DuesStandard.Status.DECLARED)

    everyone = secretary_a_client.get(STANDARDS).context
    declared = secretary_a_client.get(STANDARDS, {"status": DuesStandard.Status.DECLARED}).context

    assert everyone["page"].paginator.count == everyone["counts"]["total"] == 6
    assert declared["page"].paginator.count == len(declared["page"].object_list) == 2


# Session, user, the bell count, the secretary's branch and two levels below it, the counts (they give the page
# count when nothing is filtered), the page of members, their standards of the year, the standards in force, the
# branch choices, and the session save (savepoint, update, release).
STANDARDS_PAGE_QUERIES = 14


# --- one member's standard ----------------------------------------------------------------------------------


def test_the_secretary_confirms_a_declaration_with_one_click(secretary_a_client, own_member, member_user):
    declared = ds.declare_standard(member=own_member, year=YEAR, kind="student", declared_base=None, by=member_user)
    response = secretary_a_client.post(
        reverse("dues:standard_confirm", args=[declared.pk]), {"next": STANDARDS}, follow=True
    )
    assert response.redirect_chain[-1][0] == STANDARDS
    assert DuesStandard.objects.get(pk=declared.pk).is_confirmed
    assert any("已确认" in m for m in messages_of(response))


def test_confirm_does_not_redirect_to_another_site(secretary_a_client, own_member, member_user):
    declared = ds.declare_standard(member=own_member, year=YEAR, kind="student", declared_base=None, by=member_user)
    response = secretary_a_client.post(
        reverse("dues:standard_confirm", args=[declared.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == standard_url(own_member)


@pytest.mark.parametrize("bad_next", ["home", "dues:standard_list", "///evil.example/"])
def test_confirm_ignores_a_next_that_is_not_a_local_path(secretary_a_client, own_member, member_user, bad_next):
    declared = ds.declare_standard(member=own_member, year=YEAR, kind="student", declared_base=None, by=member_user)
    response = secretary_a_client.post(reverse("dues:standard_confirm", args=[declared.pk]), {"next": bad_next})
    assert response.status_code == 302 and response["Location"] == standard_url(own_member)
    assert DuesStandard.objects.get(pk=declared.pk).is_confirmed


def test_the_member_page_starts_from_the_declaration_and_confirms_it_with_corrections(
    secretary_a_client, own_member, member_user
):
    ds.declare_standard(member=own_member, year=YEAR, kind="employed", declared_base=Decimal("8000"), by=member_user)
    page = secretary_a_client.get(standard_url(own_member))
    assert page.context["form"].initial["declared_base"] == Decimal("8000")
    assert "确认申报" in page.content.decode()
    response = secretary_a_client.post(
        standard_url(own_member), {"kind": "employed", "declared_base": "5000", "payer": "self", "note": ""}
    )
    assert response.status_code == 302
    standard = DuesStandard.objects.get(member=own_member)
    assert standard.is_confirmed and standard.computed_amount == Decimal("50.00")


def test_the_member_page_shows_the_rules_mistakes_next_to_their_fields(secretary_a_client, branch_a):
    member = MemberFactory(organization=branch_a)
    response = secretary_a_client.post(standard_url(member), {"kind": "retired", "payer": "other"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "须填写月收入基数" in form.errors["declared_base"][0]
    assert "代交党费的亲属或党员" in form.errors["payer_name"][0]
    assert not DuesStandard.objects.exists()


def test_the_base_field_lists_what_is_excluded(secretary_a_client, branch_a):
    body = secretary_a_client.get(standard_url(MemberFactory(organization=branch_a))).content.decode()
    assert "住房公积金" in body or "housing fund" in body


def test_the_secretary_records_and_withdraws_an_agreed_amount(secretary_a_client, branch_a):
    member = MemberFactory(organization=branch_a)
    standard = make_standard(member)
    url = reverse("dues:standard_override", args=[standard.pk])
    response = secretary_a_client.post(url, {"amount": "0", "reason": "", "approved_by": ""})
    assert response.status_code == 200 and "reason" in response.context["override_form"].errors
    response = secretary_a_client.post(url, {"amount": "0", "reason": "重病住院", "approved_by": "联合党总支"})
    assert response.status_code == 302 and DuesStandard.objects.get(pk=standard.pk).amount == Decimal("0")
    assert "重病住院" in secretary_a_client.get(standard_url(member)).content.decode()
    secretary_a_client.post(url, {"withdraw": "1"})
    assert DuesStandard.objects.get(pk=standard.pk).override_amount is None


def test_the_round_button_tells_how_many_were_asked(secretary_a_client, branch_a):
    member_with_account(branch_a, "m1")
    response = secretary_a_client.post(ROUND, {"year": YEAR}, follow=True)
    assert Notification.objects.filter(event="dues_declare").count() == 1
    assert any("已通知1名党员申报" in m for m in messages_of(response))


def test_the_admins_round_button_asks_the_whole_building(admin_client, branch_a, branch_b):
    member_with_account(branch_a, "m1")
    member_with_account(branch_b, "m2")
    admin_client.post(ROUND, {"year": YEAR})
    assert Notification.objects.filter(event="dues_declare").count() == 2


@pytest.mark.parametrize("scale", [1, 3])
def test_the_member_standard_page_runs_a_fixed_number_of_queries(
    secretary_a_client, branch_a, building, django_assert_num_queries, scale
):
    EnterpriseFactory.create_batch(scale, building=building)
    member = MemberFactory(organization=branch_a)
    make_standard(member)
    for year in range(YEAR - scale, YEAR):
        make_standard(member, year=year)
    secretary_a_client.get(standard_url(member))
    with django_assert_num_queries(MEMBER_PAGE_QUERIES):
        secretary_a_client.get(standard_url(member))


# Session, user, the secretary's branch and the level below it, the member, the year's and the in-force
# standards, the bell, and the session save (savepoint, update, release). No enterprise choices: no unit pays.
MEMBER_PAGE_QUERIES = 11


# --- the member's own declaration ---------------------------------------------------------------------------


def test_a_member_declares_on_their_own_page(member_client, own_member):
    page = member_client.get(DECLARE)
    assert page.status_code == 200 and "申报党费基数" in page.content.decode()
    response = member_client.post(
        DECLARE, {"year": YEAR, "kind": "employed", "declared_base": "6000", "payer": "self"}, follow=True
    )
    assert any("待支部书记确认" in m for m in messages_of(response))
    standard = DuesStandard.objects.get(member=own_member)
    assert standard.computed_amount == Decimal("90.00") and standard.status == DuesStandard.Status.DECLARED
    assert 'data-testid="pending"' in response.content.decode()


def test_the_declaration_form_shows_mistakes_in_chinese_next_to_the_field(member_client):
    response = member_client.post(DECLARE, {"year": YEAR, "kind": "employed", "declared_base": "", "payer": "self"})
    assert "在职、个体经营者和离退休党员须填写月收入基数" in response.context["form"].errors["declared_base"][0]


def test_a_member_sees_only_their_own_standards(member_client, own_member, branch_a):
    make_standard(own_member, year=YEAR - 1, declared_base=Decimal("7777"))
    make_standard(MemberFactory(organization=branch_a), declared_base=Decimal("9999"))
    body = member_client.get(DECLARE).content.decode()
    assert "7777" in body and "9999" not in body


def test_a_confirmed_standard_is_shown_but_not_editable(member_client, own_member):
    make_standard(own_member)
    body = member_client.get(DECLARE).content.decode()
    assert 'data-testid="locked"' in body and 'data-testid="declare-form"' not in body
    response = member_client.post(DECLARE, {"year": YEAR, "kind": "student", "payer": "self"})
    assert response.status_code == 200 and DuesStandard.objects.get(member=own_member).kind == "employed"
    assert any("已由支部确认" in m for m in messages_of(response))


@pytest.mark.parametrize("persona", ["liaison_user", "street_user"])
def test_users_without_a_member_record_have_no_declaration_page(request, login_as, persona):
    assert login_as(request.getfixturevalue(persona)).get(DECLARE).status_code == 403


@pytest.mark.parametrize("scale", [1, 3])
def test_the_declaration_page_runs_a_fixed_number_of_queries(
    member_client, own_member, django_assert_num_queries, scale
):
    for year in range(YEAR - scale, YEAR):
        make_standard(own_member, year=year)
    member_client.get(DECLARE)
    with django_assert_num_queries(DECLARE_PAGE_QUERIES):
        member_client.get(DECLARE)


# Session, user, the member, their standards, the bell, and the session save (no enterprise choices).
DECLARE_PAGE_QUERIES = 8


def test_the_standards_pages_run_on_across_branches_in_their_order(
    admin_client, branch_a, group_a, branch_b, monkeypatch
):
    """Each page starts where the last one stopped, also when a page holds the end of one branch and the start of
    the next (the page is chosen from the members counted by branch)."""
    for n in range(4):
        MemberFactory(organization=(branch_a, group_a, branch_b)[n % 3], name=f"党员{n}")
        MemberFactory(organization=branch_b, name=f"成员{n}")
    everyone = [m.name for m in admin_client.get(STANDARDS).context["page"]]
    assert len(everyone) == Member.objects.count() >= 8
    monkeypatch.setattr("members.dues.views.reports.PAGE_SIZE", 3)
    pages = range(1, (len(everyone) + 2) // 3 + 1)
    names = [m.name for p in pages for m in admin_client.get(STANDARDS, {"page": p}).context["page"]]
    assert names == everyone
