"""The register machinery: writers, readers, date parsing, the registry, and the export_register command."""

import csv
import datetime
import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from buildingparty import registers
from buildingparty.models import AuditRecord
from buildingparty.registers import Column, Register, RowError
from tests.factories import MemberFactory

TOY = Register(
    name="toy",
    title="测试名册",
    columns=[
        Column("姓名", lambda o: o.name, key="name", required=True),
        Column(
            "身份证号",
            lambda o: o.id_number,
            masked=lambda o: o.id_number[:6] + "********" + o.id_number[-4:],
            key="id_number",
            text=True,
            width=22,
        ),
        Column("联系电话", lambda o: o.phone, key="phone", text=True),
        Column("入党日期", lambda o: o.joined_on, key="joined_on", parse=registers.parse_date, empty=None),
    ],
    queryset=lambda user: [],
)
PEOPLE = [
    SimpleNamespace(
        name="张三", id_number="330282199001011231", phone="13912345678", joined_on=datetime.date(2015, 7, 1)
    ),
    SimpleNamespace(name='=HYPERLINK("http://x")', id_number="32010619880808123X", phone="", joined_on=None),
]


def _csv(register=TOY, objects=PEOPLE, **kwargs) -> str:
    return "".join(registers.csv_lines(register.columns, register.rows(objects, **kwargs)))


def _xlsx(tmp_path, objects=PEOPLE, **kwargs):
    path = tmp_path / "toy.xlsx"
    with open(path, "wb") as out:
        registers.write_xlsx(out, title=TOY.title, columns=TOY.columns, rows=TOY.rows(objects, **kwargs))
    return path


# --- writers ------------------------------------------------------------------------------------------------


def test_csv_starts_with_a_bom_and_ends_every_line_with_crlf():
    text = _csv()
    assert text.startswith("\ufeff姓名,身份证号,联系电话,入党日期\r\n")
    assert text.count("\r\n") == 3 and "\n" not in text.replace("\r\n", "")


def test_csv_masks_sensitive_columns_unless_full_values_are_asked_for():
    assert "330282********1231" in _csv() and "330282199001011231" not in _csv()
    assert "330282199001011231" in _csv(full=True)


def test_csv_writes_dates_as_iso_and_guards_cells_that_look_like_formulas():
    rows = list(csv.reader(io.StringIO(_csv().lstrip("\ufeff"))))
    assert rows[1][3] == "2015-07-01"
    assert rows[2][0].startswith("'=")


def test_csv_streams_in_chunks_for_long_registers():
    many = [PEOPLE[0]] * 1000
    chunks = list(registers.csv_lines(TOY.columns, TOY.rows(many), batch=200))
    assert len(chunks) == 1 + 5


def test_xlsx_opens_with_openpyxl_with_a_bold_frozen_header_and_text_id_numbers(tmp_path):
    workbook = openpyxl.load_workbook(_xlsx(tmp_path, full=True))
    sheet = workbook.active
    assert sheet.title == "测试名册"
    assert [c.value for c in sheet[1]] == ["姓名", "身份证号", "联系电话", "入党日期"]
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 22
    id_cell, phone_cell = sheet["B2"], sheet["C2"]
    assert id_cell.value == "330282199001011231" and id_cell.data_type == "s" and id_cell.number_format == "@"
    assert phone_cell.value == "13912345678" and phone_cell.data_type == "s"
    assert sheet["D2"].value == datetime.datetime(2015, 7, 1) and sheet["D2"].number_format == "yyyy-mm-dd"


def test_xlsx_never_turns_a_cell_into_a_formula(tmp_path):
    sheet = openpyxl.load_workbook(_xlsx(tmp_path)).active
    assert sheet["A3"].data_type == "s" and sheet["A3"].value.startswith("=HYPERLINK")


def test_attachment_header_carries_the_chinese_name_and_an_ascii_fallback():
    header = registers.content_disposition("党员花名册-2026-11-27.xlsx", "members-2026-11-27.xlsx")
    assert header.startswith('attachment; filename="members-2026-11-27.xlsx"; ')
    assert "filename*=UTF-8''%E5%85%9A%E5%91%98%E8%8A%B1%E5%90%8D%E5%86%8C-2026-11-27.xlsx" in header


# --- readers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01",
        "2026/3/1",
        "2026年3月1日",
        "2026.3.1",
        "20260301",
        " 2026-03-01 ",
        "2026-03-01 00:00:00",
        "2026 年 3 月 1 日",
    ],
)
def test_dates_are_read_in_the_ways_people_write_them(text):
    assert registers.parse_date(text) == datetime.date(2026, 3, 1)


@pytest.mark.parametrize("text", ["2026-02-30", "3/1/2026", "去年", "2026-13-01"])
def test_impossible_or_unreadable_dates_are_refused(text):
    with pytest.raises(ValidationError):
        registers.parse_date(text)


def test_csv_is_read_with_or_without_bom_and_empty_rows_are_skipped():
    for data in (
        "\ufeff姓名,联系电话\r\n张三,13912345678\r\n,\r\n李四,\r\n".encode(),
        "姓名,联系电话\n张三,13912345678\n,\n李四,\n".encode(),
    ):
        headers, rows = registers.read_rows(SimpleUploadedFile("名册.csv", data))
        assert headers == ["姓名", "联系电话"]
        assert rows == [(2, {"姓名": "张三", "联系电话": "13912345678"}), (4, {"姓名": "李四", "联系电话": ""})]


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read():
    data = "姓名,家庭住址\r\n张三,浙江省慈溪市古塘街道\r\n".encode("gb18030")
    headers, rows = registers.read_rows(SimpleUploadedFile("名册.csv", data))
    assert headers == ["姓名", "家庭住址"]
    assert rows[0][1]["家庭住址"] == "浙江省慈溪市古塘街道"


def test_xlsx_numbers_and_dates_become_clean_text(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "联系电话", "身份证号", "入党日期", "备注"])
    sheet.append(["张三", 13912345678.0, "330282199001011231", datetime.datetime(2026, 3, 1), 1.5])
    sheet.append([None, None, None, None, None])
    sheet.append(["  李四\u3000", 13912345679, "33028219900101123X", "2026/3/1", None])
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    headers, rows = registers.read_rows(path)
    assert headers == ["姓名", "联系电话", "身份证号", "入党日期", "备注"]
    assert rows[0] == (
        2,
        {
            "姓名": "张三",
            "联系电话": "13912345678",
            "身份证号": "330282199001011231",
            "入党日期": "2026-03-01",
            "备注": "1.5",
        },
    )
    assert rows[1][0] == 4 and rows[1][1]["姓名"] == "李四" and rows[1][1]["联系电话"] == "13912345679"


def test_an_exported_csv_reads_back_cell_for_cell():
    headers, rows = registers.read_rows(SimpleUploadedFile("x.csv", _csv(full=True).encode()))
    assert headers == TOY.headers
    assert rows[0][1]["身份证号"] == "330282199001011231"
    assert rows[1][1]["姓名"] == '=HYPERLINK("http://x")'


def test_an_exported_xlsx_reads_back_cell_for_cell(tmp_path):
    headers, rows = registers.read_rows(_xlsx(tmp_path, full=True))
    assert rows[0] == (
        2,
        {"姓名": "张三", "身份证号": "330282199001011231", "联系电话": "13912345678", "入党日期": "2015-07-01"},
    )


@pytest.mark.parametrize("name, data", [("名册.txt", b"a,b"), ("名册.xlsx", b"not a zip file"), ("名册.csv", b"")])
def test_unreadable_files_are_refused_with_a_message(name, data):
    with pytest.raises(ValidationError):
        registers.read_rows(SimpleUploadedFile(name, data))


def test_parse_row_reports_each_bad_cell_by_row_and_column():
    values, errors = TOY.parse_row(5, {"姓名": "", "入党日期": "去年", "联系电话": "139"})
    assert values == {"phone": "139"}
    assert [(e.row, e.column) for e in errors] == [(5, "姓名"), (5, "入党日期")]
    assert TOY.missing_headers(["联系电话"]) == ["姓名"]


def test_a_row_error_names_row_and_column():
    text = str(RowError(5, "身份证号", "校验位不正确"))
    assert "5" in text and "身份证号" in text and text.endswith("校验位不正确")
    assert str(RowError(None, "", "文件为空")) == "文件为空"


def test_registers_are_found_by_name():
    assert "members" in registers.names()
    assert registers.get("members").title == "党员花名册"
    with pytest.raises(LookupError):
        registers.get("nonexistent")


# --- the command --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_exports_everything_to_xlsx_and_records_it_without_an_actor(tmp_path, branch_a, outsider):
    MemberFactory.create_batch(2, organization=branch_a)
    out = tmp_path / "register.xlsx"
    call_command("export_register", "members", "--format", "xlsx", "--output", str(out), stdout=io.StringIO())
    sheet = openpyxl.load_workbook(out).active
    assert sheet.max_row == 1 + 3  # both buildings: the command line without --user exports everything
    assert "*" in sheet["D2"].value  # masked without --full-ids
    record = AuditRecord.objects.get()
    assert record.action == AuditRecord.Action.EXPORT and record.actor is None and record.building is None
    assert record.row_count == 3 and record.object_id == "members"
    assert "命令行" in record.detail and "xlsx" in record.detail  # kept in the site's language


@pytest.mark.django_db
def test_command_exports_csv_with_the_scope_of_a_user(tmp_path, secretary_a, branch_a, branch_b):
    MemberFactory(organization=branch_a, name="甲支部党员")
    MemberFactory(organization=branch_b, name="乙支部党员")
    out = tmp_path / "register.csv"
    call_command(
        "export_register", "members", "--format", "csv", "--output", str(out), "--user", "sec_a", stdout=io.StringIO()
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff姓名,") and "甲支部党员" in text and "乙支部党员" not in text
    record = AuditRecord.objects.get()
    assert record.actor == secretary_a and record.row_count == 1 and "csv" in record.detail


@pytest.mark.django_db
def test_command_full_ids_need_a_user_who_may_export_them(tmp_path, admin_user, secretary_a, branch_a):
    member = MemberFactory(organization=branch_a)
    out = tmp_path / "register.csv"
    with pytest.raises(CommandError):
        call_command(
            "export_register", "members", "--format", "csv", "--output", str(out), "--user", "sec_a", "--full-ids"
        )
    call_command(
        "export_register",
        "members",
        "--format",
        "csv",
        "--output",
        str(out),
        "--user",
        "admin",
        "--full-ids",
        stdout=io.StringIO(),
    )
    assert member.id_number in out.read_text(encoding="utf-8")
    assert "含完整身份证号" in AuditRecord.objects.get().detail


@pytest.mark.django_db
def test_command_refuses_unknown_registers_and_users_who_may_not_export(tmp_path, member_user):
    with pytest.raises(CommandError):
        call_command("export_register", "nonexistent", "--output", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError):
        call_command("export_register", "members", "--output", str(tmp_path / "x.xlsx"), "--user", "member_a")
    with pytest.raises(CommandError):
        call_command("export_register", "members", "--output", str(tmp_path / "x.xlsx"), "--user", "nobody")
    assert not AuditRecord.objects.exists()
