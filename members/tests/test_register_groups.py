"""The register's 所在党支部 is the branch, also for a member of a party group (党小组); the group has its own
column after the national items, in the export, the printed form and the import."""

import openpyxl
import pytest
from django.urls import reverse

from buildingparty import registers
from members.models import Member
from members.register import NEW, UNCHANGED, UPDATE, apply_import, plan_import
from tests.factories import MemberFactory, OrganizationFactory, make_id_number

pytestmark = pytest.mark.django_db


def _cells(member) -> dict:
    register = registers.get("members")
    return dict(zip(register.headers, register.row(member)))


def _xlsx(path, rows: list[dict]):
    headers = registers.get("members").headers
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append([row.get(h, "") for h in headers])
    workbook.save(path)
    return path


def _row(**values) -> dict:
    row = {
        "姓名": "张三",
        "民族": "汉族",
        "身份证号": make_id_number(501),
        "学历": "大学本科",
        "人员类别": "正式党员",
        "所在党支部": "第一党支部",
        "入党日期": "2015-07-01",
        "转正日期": "2016-07-01",
        "党籍状态": "正常",
        "是否失联": "否",
        "是否流动党员": "否",
    }
    row.update(values)
    return row


def test_rule_the_registers_branch_column_is_the_branch_also_for_a_member_of_a_group(branch_a, group_a):
    in_group = MemberFactory(organization=group_a)
    in_branch = MemberFactory(organization=branch_a)

    assert registers.get("members").headers.index("党小组") == 16  # right after the sixteen national items
    assert (_cells(in_group)["所在党支部"], _cells(in_group)["党小组"]) == ("第一党支部", "第一党小组")
    assert (_cells(in_branch)["所在党支部"], _cells(in_branch)["党小组"]) == ("第一党支部", "")


def test_rule_the_printed_form_shows_the_branch_and_the_group_apart(admin_client, group_a):
    member = MemberFactory(organization=group_a)

    body = admin_client.get(reverse("members:print_form", args=[member.pk])).content.decode()

    assert 'data-testid="print-branch">第一党支部<' in body
    assert 'data-testid="print-group">第一党小组<' in body


def test_rule_an_import_places_a_member_in_the_group_of_the_branch(tmp_path, admin_user, branch_a, group_a):
    plan = plan_import(source=_xlsx(tmp_path / "in.xlsx", [_row(党小组="第一党小组")]), user=admin_user)
    assert plan.is_valid, plan.errors
    apply_import(plan=plan, user=admin_user, source_name="in.xlsx")

    assert Member.objects.get(name="张三").organization == group_a


def test_a_register_exported_with_groups_imports_back_unchanged(tmp_path, admin_user, branch_a, group_a):
    member = MemberFactory(organization=group_a, name="王五", id_number=make_id_number(502))
    row = _row(姓名="王五", 身份证号=member.id_number, 党小组="第一党小组")
    row.update({k: v for k, v in _cells(member).items() if k in ("性别", "出生日期", "联系电话")})

    plan = plan_import(source=_xlsx(tmp_path / "same.xlsx", [row]), user=admin_user)

    assert plan.is_valid, plan.errors
    assert plan.counts[UNCHANGED] + plan.counts[UPDATE] == 1 and plan.counts[NEW] == 0
    assert "所在党支部" not in plan.rows[0].changed


def test_a_group_of_another_branch_is_an_error_next_to_the_group_column(
    tmp_path, admin_user, branch_a, branch_b, group_a
):
    OrganizationFactory(building=branch_b.building, name="第二党小组", kind="group", parent=branch_b)

    plan = plan_import(source=_xlsx(tmp_path / "bad.xlsx", [_row(党小组="第二党小组")]), user=admin_user)

    assert not plan.is_valid
    assert [e.column for e in plan.errors] == ["党小组"]
    assert "不是" in str(plan.errors[0]) or "not" in str(plan.errors[0])


def test_an_old_file_naming_the_group_as_the_branch_still_imports(tmp_path, admin_user, branch_a, group_a):
    row = _row(所在党支部="第一党小组")
    plan = plan_import(source=_xlsx(tmp_path / "old.xlsx", [row]), user=admin_user)
    assert plan.is_valid, plan.errors
    apply_import(plan=plan, user=admin_user, source_name="old.xlsx")

    assert Member.objects.get(name="张三").organization == group_a
