"""The xlsx writer near openpyxl's floor (issue 15): plain values, one styled cell per column, and every cell
the same as the writer before it (a styled cell object per cell) wrote, for every register's columns."""

import datetime
import itertools
from decimal import Decimal

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from buildingparty import registers
from buildingparty.bench import exports
from buildingparty.registers import Column

SAMPLES = [
    "张三",
    datetime.date(2015, 7, 1),
    7,
    Decimal("1234.5"),
    None,
    "",
    True,
    datetime.datetime(2026, 3, 1, 9, 30),
    '=HYPERLINK("http://x")',
    "#N/A",
    "13912345678",
    "330282199001011231",
    "a\x01b\nc",
    1.5,
    False,
]


def _before_append_rows(sheet, *, columns, rows):
    """The writer as it was before issue 15 (a WriteOnlyCell with its styles for every cell): the reference."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.alignment = bold, centre
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for column, value in zip(columns, row):
            if isinstance(value, datetime.datetime):
                value = registers._text(value)
            if isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, int) and not isinstance(value, bool) and not column.text:
                cell = WriteOnlyCell(sheet, value=value)
            elif isinstance(value, Decimal) and not column.text:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00"
            else:
                text = registers._ILLEGAL_XLSX.sub("", registers._text(value))
                cell = WriteOnlyCell(sheet, value=text or None)
                if text:
                    cell.data_type = "s"
                if column.text:
                    cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    return len(rows)


def _cells(path):
    sheet = openpyxl.load_workbook(path).active
    return sheet, {
        (cell.row, cell.column): (cell.value, cell.data_type, cell.number_format, bool(cell.font.b))
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def _write(path, columns, rows):
    with open(path, "wb") as out:
        registers.write_xlsx(out, title="名册", columns=columns, rows=rows)


def _rows(columns):
    """Every column gets every kind of value, each row shifted by one."""
    return [[SAMPLES[(r + c) % len(SAMPLES)] for c in range(len(columns))] for r in range(len(SAMPLES))]


@pytest.mark.django_db
@pytest.mark.parametrize("name", registers.names())
def test_every_register_writes_the_same_cells_as_before(name, tmp_path, monkeypatch):
    columns = registers.get(name).columns
    rows = _rows(columns)
    _write(tmp_path / "now.xlsx", columns, rows)
    monkeypatch.setattr(registers, "_append_rows", _before_append_rows)
    _write(tmp_path / "before.xlsx", columns, rows)

    sheet, now = _cells(tmp_path / "now.xlsx")
    before_sheet, before = _cells(tmp_path / "before.xlsx")
    assert now == before
    assert sheet.freeze_panes == before_sheet.freeze_panes == "A2"
    for index, column in enumerate(columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        assert sheet.column_dimensions[letter].width == column.width
        # An empty cell of a numbers-as-text column is text too, from the column's own format.
        assert sheet.column_dimensions[letter].number_format == ("@" if column.text else "General")


def test_formats_are_per_column_not_per_cell(tmp_path):
    columns = [
        Column("身份证号", lambda o: o, text=True, width=22),
        Column("金额", lambda o: o),
        Column("日期", lambda o: o),
        Column("说明", lambda o: o),
    ]
    rows = [["3302821990010112" + f"{n:02d}", Decimal(n), datetime.date(2026, 1, 1 + n), f"第{n}行"] for n in range(9)]
    _write(tmp_path / "x.xlsx", columns, rows)
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert [c.value for c in sheet[1]] == ["身份证号", "金额", "日期", "说明"] and sheet["A1"].font.b
    for row in sheet.iter_rows(min_row=2):
        ids, money, day, note = row
        assert ids.data_type == "s" and ids.number_format == "@" and len(ids.value) == 18
        assert money.number_format == "#,##0.00" and isinstance(money.value, int | float)
        assert day.number_format == "yyyy-mm-dd" and isinstance(day.value, datetime.datetime)
        assert note.number_format == "General" and note.data_type == "s"
    # One shared style for each format: the workbook holds a handful, not one per cell.
    assert len(sheet.parent._cell_styles) < 10


def test_a_string_is_never_written_as_a_formula_or_an_error(tmp_path):
    columns = [Column("姓名", lambda o: o)]
    _write(tmp_path / "x.xlsx", columns, [["=1+1"], ["#DIV/0!"], ["-5"]])
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert [(c.value, c.data_type) for (c,) in sheet.iter_rows(min_row=2)] == [
        ("=1+1", "s"),
        ("#DIV/0!", "s"),
        ("-5", "s"),
    ]


# --- the member export through the view --------------------------------------------------------------------


@pytest.mark.django_db
def test_member_csv_export_streams_with_a_bom(admin_client, branch_a):
    from tests.factories import MemberFactory

    MemberFactory.create_batch(3, organization=branch_a)
    response = admin_client.get(reverse("members:export"), {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response.streaming_content)
    assert chunks[0].startswith("\ufeff姓名,".encode())
    assert b"".join(chunks).count(b"\r\n") == 4


@pytest.mark.django_db
def test_member_xlsx_export_has_text_ids_dates_and_the_frozen_header(admin_client, branch_a, tmp_path):
    from tests.factories import MemberFactory

    member = MemberFactory(organization=branch_a, phone="13912345678")
    response = admin_client.get(reverse("members:export"), {"format": "xlsx"})
    path = tmp_path / "m.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    sheet = openpyxl.load_workbook(path).active
    headers = [c.value for c in sheet[1]]
    row = dict(zip(headers, sheet[2]))
    assert sheet.freeze_panes == "A2"
    assert row["身份证号"].value == member.masked_id_number and row["身份证号"].number_format == "@"
    assert row["联系电话"].value == "13912345678" and row["联系电话"].data_type == "s"
    assert row["入党日期"].value == datetime.datetime(2015, 7, 1) and row["入党日期"].number_format == "yyyy-mm-dd"


# --- the bench ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bench_compares_the_member_export_with_the_floor():
    result = exports.export_vs_floor(40, repeat=1)
    assert result["rows"] == 40
    assert {"floor_s", "writer_s", "export_s", "writer_ratio", "export_ratio", "export_peak_mb"} <= set(result)
    assert result["floor_s"] > 0 and result["writer_ratio"] > 0


@pytest.mark.django_db
def test_bench_members_are_valid_and_unique():
    from members.models import Member
    from members.validators import validate_id_number

    exports.ensure_members(30, batch=7)
    exports.ensure_members(30)  # topping up to what is there adds nothing
    members = Member.objects.filter(organization__building__name=exports.BUILDING)
    numbers = [m.id_number for m in members]
    assert len(numbers) == 30 == len(set(numbers))
    assert all(validate_id_number(n) == n for n in itertools.islice(numbers, 5))
