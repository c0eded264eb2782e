"""The member register in: checking every row first, writing all or nothing, the command and the upload pages."""

import csv
import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from buildingparty import registers
from buildingparty.models import AuditRecord
from members.models import Member, MemberChange, MobilePeriod
from members.register import NEW, UNCHANGED, UPDATE, apply_import, plan_import
from tests.factories import MemberFactory, make_id_number

pytestmark = pytest.mark.django_db

HEADERS = registers.get("members").headers
IMPORT = reverse("members:import")


def _row(**values) -> dict:
    row = {
        "姓名": "张三",
        "性别": "",
        "民族": "汉族",
        "身份证号": make_id_number(401),
        "出生日期": "",
        "学历": "大学本科",
        "人员类别": "正式党员",
        "所在党支部": "第一党支部",
        "入党日期": "2015-07-01",
        "转正日期": "2016-07-01",
        "工作岗位": "会计",
        "联系电话": "13912345678",
        "家庭住址": "慈溪市古塘街道",
        "党籍状态": "正常",
        "是否失联": "否",
        "是否流动党员": "否",
        "所在企业": "",
        "房间号": "",
    }
    row.update(values)
    return row


def _xlsx(path: Path, rows: list[dict], headers=HEADERS) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    workbook.save(path)
    return path


def _csv_bytes(rows: list[dict], encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADERS])
    return out.getvalue().encode(encoding)


def _where(plan) -> list[tuple]:
    return [(e.row, e.column) for e in plan.errors]


# --- checking and writing -----------------------------------------------------------------------------------


def test_a_good_file_creates_members_with_their_history(tmp_path, admin_user, branch_a, enterprise):
    path = _xlsx(
        tmp_path / "in.xlsx",
        [
            _row(所在企业=enterprise.name),
            _row(
                姓名="李四",
                身份证号=make_id_number(402, male=False),
                人员类别="预备党员",
                转正日期="",
                入党日期="2026/3/1",
                是否失联="是（2026-05-01起）",
                是否流动党员="是（浙江省杭州市西湖区）",
            ),
        ],
    )
    plan = plan_import(source=path, user=admin_user)
    assert plan.is_valid and plan.counts == {NEW: 2, UPDATE: 0, UNCHANGED: 0}
    assert apply_import(plan=plan, user=admin_user, source_name="in.xlsx")[NEW] == 2

    zhang = Member.objects.get(name="张三")
    assert zhang.enterprise == enterprise and zhang.organization == branch_a
    assert zhang.gender == "M" and zhang.birth_date == datetime.date(1990, 1, 1)  # from the ID number
    assert zhang.name_initials == "zs"
    li = Member.objects.get(name="李四")
    assert li.gender == "F" and li.category == "probationary" and li.joined_on == datetime.date(2026, 3, 1)
    assert li.expected_full_on == datetime.date(2027, 3, 1)
    assert li.lost_contact_since == datetime.date(2026, 5, 1)
    period = MobilePeriod.objects.get(member=li, until__isnull=True)
    assert period.province == "浙江省杭州市西湖区" and li.is_mobile
    assert MemberChange.objects.filter(member=zhang, action=MemberChange.Action.IMPORTED).count() == 1
    assert set(li.changes.values_list("action", flat=True)) == {"imported", "lost_contact", "mobile"}
    record = AuditRecord.objects.get()
    assert record.action == AuditRecord.Action.IMPORT and record.actor == admin_user and record.row_count == 2


def test_one_bad_row_writes_nothing_and_names_its_row_and_column(tmp_path, admin_user, branch_a):
    bad_id = make_id_number(403)[:17] + ("0" if make_id_number(403)[17] != "0" else "1")
    path = _xlsx(
        tmp_path / "in.xlsx",
        [_row(), _row(身份证号=make_id_number(404)), _row(身份证号=bad_id), _row(身份证号=make_id_number(405))],
    )
    with translation.override("zh-hans"):
        plan = plan_import(source=path, user=admin_user)
        assert _where(plan) == [(4, "身份证号")]  # the header is row 1
        assert "校验位" in str(plan.errors[0]) and "身份证号" in str(plan.errors[0])
    with pytest.raises(ValueError):
        apply_import(plan=plan, user=admin_user)
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--user", "admin", stdout=io.StringIO(), stderr=io.StringIO())
    assert not Member.objects.exists() and not AuditRecord.objects.exists()


def test_every_bad_cell_of_a_row_is_listed(tmp_path, admin_user, branch_a):
    path = _xlsx(tmp_path / "in.xlsx", [_row(性别="男性", 入党日期="去年", 联系电话="12345", 人员类别="")])
    assert _where(plan_import(source=path, user=admin_user)) == [
        (2, "性别"),
        (2, "人员类别"),
        (2, "入党日期"),
        (2, "联系电话"),
    ]


def test_rules_across_columns_are_checked_like_the_form(tmp_path, admin_user, branch_a):
    path = _xlsx(
        tmp_path / "in.xlsx",
        [
            _row(性别="女"),  # the ID number says male
            _row(身份证号=make_id_number(406), 转正日期=""),  # a full member needs the date
            _row(身份证号=make_id_number(407), 入党日期="2000-01-01"),  # younger than 18
        ],
    )
    assert _where(plan_import(source=path, user=admin_user)) == [(2, "性别"), (3, "转正日期"), (4, "入党日期")]


def test_dry_run_writes_nothing(tmp_path, admin_user, branch_a):
    path = _xlsx(tmp_path / "in.xlsx", [_row()])
    out = io.StringIO()
    call_command("import_members", str(path), "--dry-run", "--user", "admin", stdout=out)
    assert "新增 1" in out.getvalue()
    assert not Member.objects.exists() and not AuditRecord.objects.exists()


def test_command_imports_and_records_the_command_line(tmp_path, branch_a):
    path = _xlsx(tmp_path / "in.xlsx", [_row()])
    call_command("import_members", str(path), stdout=io.StringIO())
    assert Member.objects.get().changes.get().changed_by is None
    record = AuditRecord.objects.get()
    assert record.actor is None and "命令行" in record.detail


def test_command_refuses_users_who_may_not_import(tmp_path, member_user, branch_a):
    path = _xlsx(tmp_path / "in.xlsx", [_row()])
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--user", "member_a")


def test_a_register_exported_with_full_ids_imports_back_unchanged_then_updates(
    tmp_path, admin_client, admin_user, branch_a, enterprise
):
    lost = MemberFactory(organization=branch_a, enterprise=enterprise, lost_contact_since=datetime.date(2026, 1, 5))
    old_phone = lost.phone
    MemberFactory(
        organization=branch_a,
        category="probationary",
        full_member_on=None,
        expected_full_on=datetime.date(2016, 7, 1),
        education="31",
        job_note="出纳",
    )
    mobile = MemberFactory(organization=branch_a, is_mobile=True, mobile_destination="上海市")
    MobilePeriod.objects.create(member=mobile, province="上海市", since=datetime.date(2026, 2, 1))
    response = admin_client.get(reverse("members:export"), {"format": "xlsx", "full_ids": "1"})
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))

    plan = plan_import(source=path, user=admin_user)
    assert plan.is_valid, [str(e) for e in plan.errors]
    assert plan.counts == {NEW: 0, UPDATE: 0, UNCHANGED: 3}

    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    phone_column = HEADERS.index("联系电话") + 1
    row = next(r for r in range(2, 5) if sheet.cell(r, 4).value == lost.id_number)
    sheet.cell(row, phone_column).value = "13700000000"
    workbook.save(path)
    plan = plan_import(source=path, user=admin_user)
    assert plan.counts == {NEW: 0, UPDATE: 1, UNCHANGED: 2}
    assert next(r for r in plan.rows if r.kind == UPDATE).changed == ["联系电话"]
    apply_import(plan=plan, user=admin_user)
    assert Member.objects.count() == 3
    lost.refresh_from_db()
    assert lost.phone == "13700000000" and lost.room == ""  # the enterprise's room stays the enterprise's
    change = lost.changes.get(action=MemberChange.Action.IMPORTED)
    assert change.changes == {"phone": [old_phone, "13700000000"]}


def test_a_masked_register_cannot_be_imported_and_says_why(tmp_path, admin_client, admin_user, branch_a):
    MemberFactory.create_batch(2, organization=branch_a)
    path = tmp_path / "masked.csv"
    path.write_bytes(b"".join(admin_client.get(reverse("members:export"), {"format": "csv"}).streaming_content))
    with translation.override("en"):
        plan = plan_import(source=path, user=admin_user)
        assert _where(plan) == [(2, "身份证号"), (3, "身份证号")]
        assert plan.errors[0].message == (
            "The ID numbers in this file are masked and cannot be imported; export the register with full ID numbers."
        )


def test_a_secretary_cannot_import_into_another_branch(tmp_path, secretary_a, branch_a, branch_b):
    path = _xlsx(tmp_path / "in.xlsx", [_row(), _row(身份证号=make_id_number(408), 所在党支部="第二党支部")])
    plan = plan_import(source=path, user=secretary_a)
    assert _where(plan) == [(3, "所在党支部")]


def test_a_secretary_cannot_overwrite_a_member_of_another_branch(tmp_path, secretary_a, branch_a, branch_b):
    other = MemberFactory(organization=branch_b)
    path = _xlsx(tmp_path / "in.xlsx", [_row(身份证号=other.id_number)])
    assert _where(plan_import(source=path, user=secretary_a)) == [(2, "身份证号")]


def test_an_id_number_twice_in_a_file_is_an_error_on_the_second_row(tmp_path, admin_user, branch_a):
    path = _xlsx(
        tmp_path / "in.xlsx",
        [
            _row(),
            _row(姓名="李四", 身份证号=make_id_number(409)),
            _row(姓名="张三三", 身份证号=make_id_number(401).lower()),
        ],
    )
    assert _where(plan_import(source=path, user=admin_user)) == [(4, "身份证号")]


def test_party_standing_is_not_changed_by_import(tmp_path, admin_user, branch_a):
    member = MemberFactory(organization=branch_a)
    path = _xlsx(tmp_path / "in.xlsx", [_row(身份证号=member.id_number, 党籍状态="停止党籍")])
    assert _where(plan_import(source=path, user=admin_user)) == [(2, "党籍状态")]


def test_no_in_the_lost_and_mobile_columns_ends_them_through_their_services(tmp_path, admin_user, branch_a):
    member = MemberFactory(
        organization=branch_a,
        name="张三",
        lost_contact_since=datetime.date(2026, 1, 1),
        is_mobile=True,
        mobile_destination="上海市",
    )
    MobilePeriod.objects.create(member=member, province="上海市", since=datetime.date(2026, 2, 1))
    path = _xlsx(
        tmp_path / "in.xlsx",
        [_row(身份证号=member.id_number, 学历="", 工作岗位="", 联系电话=member.phone, 家庭住址="")],
    )
    plan = plan_import(source=path, user=admin_user)
    assert plan.rows[0].changed == ["是否失联", "是否流动党员"]
    apply_import(plan=plan, user=admin_user)
    member.refresh_from_db()
    assert member.lost_contact_since is None and not member.is_mobile
    assert MobilePeriod.objects.get(member=member).until is not None


def test_a_csv_saved_by_chinese_excel_imports(tmp_path, admin_user, branch_a):
    path = tmp_path / "wps.csv"
    path.write_bytes(_csv_bytes([_row(入党日期="2015年7月1日", 转正日期="2016.7.1")], encoding="gb18030"))
    plan = plan_import(source=path, user=admin_user)
    assert plan.is_valid
    apply_import(plan=plan, user=admin_user)
    assert Member.objects.get().full_member_on == datetime.date(2016, 7, 1)


def test_a_file_without_the_required_columns_is_refused_as_a_whole(tmp_path, admin_user, branch_a):
    path = _xlsx(tmp_path / "in.xlsx", [{"姓名": "张三"}], headers=["姓名", "联系电话"])
    plan = plan_import(source=path, user=admin_user)
    assert not plan.is_valid and plan.file_errors and "身份证号" in plan.file_errors[0].message


# --- the pages ----------------------------------------------------------------------------------------------


def _upload(client, rows, name="register.xlsx", tmp_path=None):
    path = _xlsx(tmp_path / name, rows)
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, path.read_bytes())})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_upload_preview_confirm_imports_and_removes_the_file(admin_client, branch_a, media, tmp_path):
    response = _upload(admin_client, [_row()], tmp_path=tmp_path)
    assert response.status_code == 302
    preview = admin_client.get(response["Location"])
    body = preview.content.decode()
    assert 'data-kind="new"' in body and 'name="confirm"' in body and "张三" in body
    assert not Member.objects.exists()
    stored = list((media / "imports").iterdir())
    assert len(stored) == 1 and stored[0].suffix == ".xlsx"

    token = preview.context["pending"]["token"]
    response = admin_client.post(IMPORT, {"token": token, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("members:list")
    assert Member.objects.get().name == "张三"
    assert AuditRecord.objects.get().action == AuditRecord.Action.IMPORT
    assert not list((media / "imports").iterdir())
    assert admin_client.post(IMPORT, {"token": token, "confirm": "1"}).status_code == 302  # no second import
    assert Member.objects.count() == 1


def test_a_preview_with_errors_has_no_confirm_and_confirming_anyway_writes_nothing(
    admin_client, branch_a, media, tmp_path
):
    response = _upload(admin_client, [_row(), _row(身份证号="330282********1231")], tmp_path=tmp_path)
    preview = admin_client.get(response["Location"])
    body = preview.content.decode()
    assert 'name="confirm"' not in body and 'data-testid="import-errors"' in body
    assert 'data-row="3" data-kind="error"' in body
    admin_client.post(IMPORT, {"token": preview.context["pending"]["token"], "confirm": "1"})
    assert not Member.objects.exists() and not AuditRecord.objects.exists()


def test_only_the_uploader_can_confirm(client, admin_user, branch_a, media, tmp_path):
    from tests.factories import UserFactory

    client.force_login(admin_user)
    location = _upload(client, [_row()], tmp_path=tmp_path)["Location"]
    token = location.split("token=")[1]
    client.force_login(UserFactory(username="admin2", role="admin", building=admin_user.building))
    assert client.get(location).status_code == 302
    client.post(IMPORT, {"token": token, "confirm": "1"})
    assert not Member.objects.exists()


def test_cancel_removes_the_upload(admin_client, branch_a, media, tmp_path):
    location = _upload(admin_client, [_row()], tmp_path=tmp_path)["Location"]
    admin_client.post(IMPORT, {"token": location.split("token=")[1], "cancel": "1"})
    assert not list((media / "imports").iterdir()) and not Member.objects.exists()


def test_upload_refuses_other_file_types_and_files_over_5_mb(admin_client, media, branch_a):
    response = admin_client.post(IMPORT, {"file": SimpleUploadedFile("register.pdf", b"%PDF")})
    assert response.status_code == 200 and response.context["form"].errors
    big = SimpleUploadedFile("register.csv", b"x" * (registers.MAX_UPLOAD_BYTES + 1))
    response = admin_client.post(IMPORT, {"file": big})
    assert response.status_code == 200 and response.context["form"].errors
    assert not (media / "imports").exists() or not list((media / "imports").iterdir())


def test_secretary_sees_the_import_page_and_members_and_street_viewers_do_not(
    secretary_a_client, login_as, member_user, street_user
):
    assert secretary_a_client.get(IMPORT).status_code == 200
    assert login_as(member_user).get(IMPORT).status_code == 403
    assert login_as(street_user).get(IMPORT).status_code == 403
    assert login_as(street_user).get(reverse("members:import_template")).status_code == 403


def test_anonymous_visitor_is_sent_to_login_from_the_import_pages(client):
    for url in (IMPORT, reverse("members:import_template")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_rule_the_template_carries_the_header_alone_and_the_example_on_a_second_sheet(
    admin_client, admin_user, branch_a, tmp_path
):
    response = admin_client.get(reverse("members:import_template"))
    assert response.status_code == 200 and "members-import-template.xlsx" in response["Content-Disposition"]
    path = tmp_path / "template.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    workbook = openpyxl.load_workbook(path)
    first, notes = workbook.worksheets
    assert [list(row) for row in first.iter_rows(values_only=True)] == [HEADERS]
    assert notes.title == "说明"
    lines = [row for row in notes.iter_rows(values_only=True)]
    assert any("必填" in (row[0] or "") for row in lines)  # the instructions
    header_at = next(i for i, row in enumerate(lines) if list(row[: len(HEADERS)]) == HEADERS)
    example = dict(zip(HEADERS, lines[header_at + 1]))
    assert example["身份证号"] == "320106198808081232" and example["所在党支部"] == branch_a.name
    assert not AuditRecord.objects.exists()  # the template holds no personal data


def test_rule_the_template_sent_back_as_it_came_imports_nothing_and_is_no_error(
    admin_client, admin_user, branch_a, media, tmp_path
):
    content = b"".join(admin_client.get(reverse("members:import_template")).streaming_content)
    path = tmp_path / "template.xlsx"
    path.write_bytes(content)
    plan = plan_import(source=path, user=admin_user)
    assert plan.rows == [] and plan.errors == [] and not plan.is_valid  # nothing to confirm
    upload = SimpleUploadedFile("template.xlsx", content)
    preview = admin_client.get(admin_client.post(IMPORT, {"file": upload})["Location"]).content.decode()
    assert 'data-testid="import-errors"' not in preview and 'data-testid="import-nothing"' in preview
    assert not Member.objects.exists()


def test_a_secretary_imports_into_their_branch_through_the_pages(
    secretary_a_client, secretary_a, branch_a, media, tmp_path
):
    location = _upload(secretary_a_client, [_row()], tmp_path=tmp_path)["Location"]
    token = location.split("token=")[1]
    assert 'data-kind="new"' in secretary_a_client.get(location).content.decode()
    secretary_a_client.post(IMPORT, {"token": token, "confirm": "1"})
    member = Member.objects.get()
    assert member.organization == branch_a
    assert member.changes.get().changed_by == secretary_a
    assert AuditRecord.objects.get().building == branch_a.building
