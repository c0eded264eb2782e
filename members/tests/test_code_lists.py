"""The register's code lists (DOMAIN.md §4): 民族 (GB 3304), 学历 (GB/T 4658), 工作岗位 (党内统计 categories, data
an admin edits) and a phone that may be a landline; in the form, the import, and the data migration that moved
the old free text onto the lists (members 0009), which keeps every row and lists what it could not map."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from members import codes
from members.models import JobCategory, Member
from members.register import plan_import
from members.validators import validate_phone
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory, make_id_number

from .test_record_views import form_data
from .test_register_import import _row, _where, _xlsx

pytestmark = pytest.mark.django_db

BEFORE = [("members", "0008_standing_decisions")]
AFTER = [("members", "0009_code_lists")]


# --- the lists ----------------------------------------------------------------------------------------------


def test_rule_ethnicity_is_one_of_the_56_groups_of_gb_3304():
    groups = [code for code, _name in codes.ETHNICITIES if int(code) <= 56]
    assert groups == [f"{n:02d}" for n in range(1, 57)]
    assert codes.ETHNICITY_NAMES["01"] == "汉族" and codes.ETHNICITY_NAMES["56"] == "基诺族"
    assert len(set(codes.ETHNICITY_NAMES.values())) == len(codes.ETHNICITIES)


@pytest.mark.parametrize(
    "text, code", [("汉族", "01"), ("汉", "01"), (" 回 族 ", "03"), ("1", "01"), ("22", "22"), ("畲", "22")]
)
def test_rule_ethnicity_names_short_forms_and_codes_map_to_the_code(text, code):
    assert codes.ethnicity_code(text) == code


@pytest.mark.parametrize("text", ["穿青人", "汉人", "", "99"])
def test_rule_a_name_not_on_the_ethnicity_list_maps_to_nothing(text):
    assert codes.ethnicity_code(text) is None


@pytest.mark.parametrize(
    "text, code", [("大学本科", "21"), ("本科", "21"), ("大专", "31"), ("博士", "11"), ("硕士研究生", "14")]
)
def test_rule_education_follows_gb_t_4658(text, code):
    assert codes.education_code(text) == code


def test_rule_postgraduate_alone_is_ambiguous_and_never_guessed():
    assert codes.education_code("研究生") is None and codes.is_ambiguous_education("研究生")


def test_rule_education_groups_for_statistics_cover_every_code_once():
    grouped = [code for _group, _label, group_codes in codes.EDUCATION_GROUPS for code in group_codes]
    assert sorted(grouped) == sorted(codes.EDUCATION_NAMES)
    assert set(codes.COLLEGE_AND_ABOVE) == {"11", "14", "21", "31"}


@pytest.mark.parametrize(
    "title, code",
    [("软件工程师", "02"), ("销售经理", "01"), ("保安", "03"), ("退休", "06"), ("待业", "08"), ("外贸业务员", None)],
)
def test_rule_a_job_title_says_its_category_only_by_unmistakable_words(title, code):
    assert codes.job_category_from_title(title) == code


def test_rule_the_migration_seeds_the_party_statistics_job_categories():
    assert list(JobCategory.objects.values_list("code", "name")) == codes.JOB_CATEGORIES


# --- the phone ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0574-63012345", "0574-63012345"),
        ("057463012345", "0574-63012345"),
        ("(0574)63012345", "0574-63012345"),
        ("（0574）6301 2345", "0574-63012345"),
        ("010-62345678", "010-62345678"),
        ("02165432100", "021-65432100"),
    ],
)
def test_rule_a_phone_is_a_mobile_or_a_landline_with_area_code_stored_normalised(typed, stored):
    assert validate_phone(typed) == stored


@pytest.mark.parametrize("typed", ["63012345", "0574-0301234", "1381234567", "abc", "0574-630123456"])
def test_rule_a_phone_without_area_code_or_with_wrong_digits_is_refused(typed):
    with pytest.raises(ValidationError):
        validate_phone(typed)


# --- the form -----------------------------------------------------------------------------------------------


def test_rule_the_member_form_offers_the_code_lists_as_selects(secretary_a_client):
    body = secretary_a_client.get(reverse("members:create")).content.decode()
    assert '<select name="ethnicity"' in body and '<option value="56">基诺族</option>' in body
    assert '<select name="education"' in body and '<option value="14">硕士研究生</option>' in body
    assert '<select name="job_category"' in body and "专业技术人员" in body
    assert 'name="job_note"' in body and 'name="code_leftovers"' not in body


def test_rule_the_form_stores_codes_and_a_normalised_landline(secretary_a_client, branch_a):
    category = JobCategory.objects.get(code="02")
    data = form_data(
        branch_a, ethnicity="22", education="14", job_category=category.pk, job_note="会计", phone="(0574)63012345"
    )
    assert secretary_a_client.post(reverse("members:create"), data).status_code == 302
    member = Member.objects.get(name="王五")
    assert (member.ethnicity, member.get_ethnicity_display(), member.education) == ("22", "畲族", "14")
    assert (member.job_category, member.job_note, member.phone) == (category, "会计", "0574-63012345")


def test_rule_free_text_ethnicity_is_refused_by_the_form(secretary_a_client, branch_a):
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_a, ethnicity="汉"))
    assert response.status_code == 200 and "ethnicity" in response.context["form"].errors
    assert not Member.objects.exists()


def test_a_switched_off_job_category_is_not_offered_but_kept_on_its_members(secretary_a_client, branch_a):
    retired = JobCategory.objects.get(code="04")
    member = MemberFactory(organization=branch_a, job_category=retired)
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    assert "农牧渔民" not in secretary_a_client.get(reverse("members:create")).content.decode()
    assert "农牧渔民" in secretary_a_client.get(reverse("members:edit", args=[member.pk])).content.decode()


def test_rule_the_list_filters_college_or_above_as_the_statistics_group_it(admin_client, branch_a):
    MemberFactory(organization=branch_a, name="硕士甲", education="14")
    MemberFactory(organization=branch_a, name="大专乙", education="31")
    MemberFactory(organization=branch_a, name="高中丙", education="61")
    response = admin_client.get(reverse("members:list"), {"education": "college_plus"})
    assert {m.name for m in response.context["page"]} == {"硕士甲", "大专乙"}


# --- the import ---------------------------------------------------------------------------------------------


def test_rule_the_import_maps_names_and_short_forms_to_the_codes(tmp_path, admin_user, branch_a):
    path = _xlsx(tmp_path / "in.xlsx", [_row(民族="汉", 学历="本科", 工作岗位="会计", 联系电话="057463012345")])
    plan = plan_import(source=path, user=admin_user)
    assert plan.is_valid, [str(e) for e in plan.errors]
    member = plan.rows[0].member
    assert (member.ethnicity, member.education, member.phone) == ("01", "21", "0574-63012345")
    assert member.job_category.name == "专业技术人员" and member.job_note == "会计"


def test_rule_the_import_takes_a_job_category_by_name_with_the_post_in_its_own_column(tmp_path, admin_user, branch_a):
    path = _xlsx(tmp_path / "in.xlsx", [_row(工作岗位="工勤技能人员", 岗位说明="电梯维保")])
    member = plan_import(source=path, user=admin_user).rows[0].member
    assert member.job_category.code == "03" and member.job_note == "电梯维保"


@pytest.mark.parametrize(
    "column, value", [("学历", "研究生"), ("民族", "穿青人"), ("工作岗位", "外贸业务员"), ("联系电话", "63012345")]
)
def test_rule_a_value_the_lists_cannot_take_is_an_error_row(tmp_path, admin_user, branch_a, column, value):
    path = _xlsx(tmp_path / "in.xlsx", [_row(**{column: value})])
    plan = plan_import(source=path, user=admin_user)
    assert not plan.is_valid and _where(plan) == [(2, column)]


def test_the_export_writes_the_names_of_the_codes(admin_client, branch_a):
    MemberFactory(
        organization=branch_a, ethnicity="03", education="11", job_category=JobCategory.objects.get(code="06")
    )
    body = admin_client.get(reverse("members:export"), {"format": "csv"})
    text = b"".join(body.streaming_content).decode("utf-8-sig")
    assert "回族" in text and "博士研究生" in text and "离退休人员" in text


# --- the leftovers, listed for the admin --------------------------------------------------------------------


def test_rule_the_admin_home_lists_members_with_values_not_on_the_lists(admin_client, branch_a):
    MemberFactory(organization=branch_a, name="待整理", code_leftovers="学历：研究生")
    body = admin_client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-code-leftovers"' in body and "待整理" in body and "学历：研究生" in body


def test_the_leftovers_panel_is_hidden_when_there_are_none_and_from_secretaries(
    admin_client, secretary_a_client, branch_a
):
    assert 'data-testid="panel-code-leftovers"' not in admin_client.get(reverse("home")).content.decode()
    MemberFactory(organization=branch_a, code_leftovers="民族：穿青人")
    assert 'data-testid="panel-code-leftovers"' not in secretary_a_client.get(reverse("home")).content.decode()


def test_rule_the_command_lists_every_member_with_leftovers(branch_a):
    MemberFactory(organization=branch_a, name="甲", code_leftovers="学历：研究生")
    MemberFactory(organization=branch_a, name="乙")
    out = io.StringIO()
    call_command("code_list_leftovers", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "甲" in lines[0] and "学历：研究生" in lines[0] and "1 名" in lines[1]


# --- the data migration -------------------------------------------------------------------------------------


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


OLD_ROWS = [
    # ethnicity, education, job, phone → ethnicity, education, job category, leftovers
    ("汉族", "bachelor", "软件工程师", "13812345678", "01", "21", "02", ""),
    ("回", "college", "销售经理", "", "03", "31", "01", ""),
    ("穿青人", "postgraduate", "外贸业务员", "", "", "", None, "民族：穿青人；学历：研究生；工作岗位：外贸业务员"),
    ("", "junior", "", "", "", "", None, "学历：初中及以下"),
    ("满族", "vocational", "退休", "", "11", "41", "06", ""),
    ("壮族", "high_school", "保安", "", "08", "61", "03", ""),
    ("汉族", "", "待业", "", "01", "", "08", ""),
]


@pytest.mark.django_db(transaction=True)
def test_rule_the_migration_keeps_every_row_maps_the_values_and_lists_what_it_cannot():
    old = _migrate(BEFORE)
    branch = OrganizationFactory(building=BuildingFactory(name="迁移测试楼"))  # the ground floor's tables are current
    OldMember = old.get_model("members", "Member")
    made = {}
    for index, (ethnicity, education, job, phone, *_expected) in enumerate(OLD_ROWS):
        id_number = make_id_number(9100 + index)
        member = OldMember.objects.create(
            name=f"党员{index}",
            id_number=id_number,
            gender="M",
            birth_date=datetime.date(1990, 1, 1),
            organization_id=branch.pk,
            joined_on=datetime.date(2015, 7, 1),
            full_member_on=datetime.date(2016, 7, 1),
            ethnicity=ethnicity,
            education=education,
            job=job,
            phone=phone,
        )
        made[member.pk] = index
    proposal = old.get_model("members", "ChangeProposal").objects.create(
        member_id=next(iter(made)), changes={"job": "会计", "skills": "摄影"}
    )

    new = _migrate(AFTER)
    NewMember = new.get_model("members", "Member")
    categories = dict(new.get_model("members", "JobCategory").objects.values_list("pk", "code"))
    rows = {m.pk: m for m in NewMember.objects.all()}
    assert set(rows) == set(made)
    for pk, index in made.items():
        _e, _d, job, phone, ethnicity, education, category, leftovers = OLD_ROWS[index]
        member = rows[pk]
        assert (member.ethnicity, member.education, member.code_leftovers) == (ethnicity, education, leftovers)
        assert categories.get(member.job_category_id) == category
        assert member.job_note == job and member.phone == phone  # the old text is kept as the note
    changes = new.get_model("members", "ChangeProposal").objects.get(pk=proposal.pk).changes
    assert changes == {"job_note": "会计", "skills": "摄影"}

    # and back: the names and the old education values return
    back = _migrate(BEFORE)
    rows = {m.pk: m for m in back.get_model("members", "Member").objects.all()}
    assert [rows[pk].ethnicity for pk in made] == ["汉族", "回族", "穿青人", "", "满族", "壮族", "汉族"]
    assert [rows[pk].education for pk in made] == [row[1] for row in OLD_ROWS]
    assert [rows[pk].job for pk in made] == [row[2] for row in OLD_ROWS]
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_normalises_old_phones_and_leaves_the_members_valid():
    old = _migrate(BEFORE)
    root = OrganizationFactory(building=BuildingFactory(name="迁移测试楼二"))
    old.get_model("members", "Member").objects.create(
        name="甲",
        id_number=make_id_number(9200),
        gender="M",
        birth_date=datetime.date(1990, 1, 19),
        organization_id=root.pk,
        joined_on=datetime.date(2015, 7, 1),
        full_member_on=datetime.date(2016, 7, 1),
        ethnicity="汉族",
        phone="13812345678",
    )
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    member = Member.objects.get(name="甲")
    member.full_clean(exclude=["organization"])
    assert (member.get_ethnicity_display(), member.phone) == ("汉族", "13812345678")
