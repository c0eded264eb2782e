"""Registers (花名册): one column list that serves export and import, the CSV and xlsx writers, the readers.

The ground floor knows nothing of members, enterprises or dues. Each higher app describes its register with
``Column`` and ``Register`` and calls ``register(name, factory)`` when it loads; the export views, the
``export_register`` command and the importers then look registers up by name with ``get(name)``.

Exports stream: querysets are read with ``.iterator(chunk_size=CHUNK_SIZE)``, CSV goes out line by line and
xlsx is written by openpyxl's write-only workbook to a temporary file, so memory stays flat however long the
register is.
"""

import csv
import datetime
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CHUNK_SIZE = 2000
FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
READABLE_SUFFIXES = (".xlsx", ".csv")

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XLSX = re.compile(r"[\000-\010\013\014\016-\037]")


# --- describing a register ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a register, for export and import alike.

    ``value(obj)`` gives the cell for export; ``masked(obj)``, when given, is what is written instead unless
    the export may carry full sensitive values (ID numbers). On import the raw text of the cell goes through
    ``parse`` (which raises ``ValidationError`` with a message for the person who filled the file in) and
    lands under ``key``; columns without a key are export-only. An empty cell gives ``empty``.
    """

    header: str
    value: Callable[[Any], Any]
    key: str = ""
    parse: Callable[[str], Any] | None = None
    required: bool = False
    empty: Any = ""
    masked: Callable[[Any], Any] | None = None
    text: bool = False  # numbers-as-text: ID numbers, phones (so Excel keeps every digit)
    width: int = 12

    @property
    def importable(self) -> bool:
        return bool(self.key)

    def cell(self, obj, *, full: bool = False):
        if self.masked is not None and not full:
            return self.masked(obj)
        return self.value(obj)


@dataclass(frozen=True)
class RowError:
    """A problem with one row (``row`` as a spreadsheet shows it: the header is row 1) and column."""

    row: int | None
    column: str
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)d, “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class Register:
    """A register: its columns, whose rows a user may take out, and how an object becomes a row.

    ``queryset(user)`` returns the ordered rows in the user's scope, or everything when ``user`` is None (the
    command line without ``--user``). ``may_export`` and ``may_export_full`` answer for a user.
    """

    name: str
    title: str
    columns: list[Column]
    queryset: Callable[[Any], Any]
    may_export: Callable[[Any], bool] = lambda user: True
    may_export_full: Callable[[Any], bool] = lambda user: False
    options: dict = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def import_headers(self) -> list[str]:
        """The headers an import reads (export-only columns, such as counts, are left out)."""
        return [c.header for c in self.columns if c.importable]

    def objects(self, user=None):
        return self.queryset(user)

    def row(self, obj, *, full: bool = False) -> list:
        return [c.cell(obj, full=full) for c in self.columns]

    def rows(self, objects: Iterable, *, full: bool = False) -> Iterator[list]:
        iterator = objects.iterator(chunk_size=CHUNK_SIZE) if hasattr(objects, "iterator") else objects
        # Each column's getter chosen once (masked or full), not once per cell.
        getters = [c.value if full or c.masked is None else c.masked for c in self.columns]
        for obj in iterator:
            yield [get(obj) for get in getters]

    def filename(self, fmt: str, day: datetime.date | None = None) -> str:
        return f"{self.title}-{(day or timezone.localdate()).isoformat()}.{fmt}"

    def ascii_filename(self, fmt: str, day: datetime.date | None = None) -> str:
        return f"{self.name}-{(day or timezone.localdate()).isoformat()}.{fmt}"

    # import

    def missing_headers(self, headers: Iterable[str]) -> list[str]:
        present = set(headers)
        return [c.header for c in self.columns if c.importable and c.required and c.header not in present]

    def parse_row(self, number: int, raw: dict[str, str]) -> tuple[dict, list[RowError]]:
        """Parse one row of a file: the values by column key (only for columns the file has) and the errors.

        A column whose cell failed to parse is left out of the values.
        """
        values, errors = {}, []
        for column in self.columns:
            if not column.importable or column.header not in raw:
                continue
            text = raw[column.header]
            if text == "":
                if column.required:
                    errors.append(RowError(number, column.header, _("This column must be filled in.")))
                else:
                    values[column.key] = column.empty
                continue
            try:
                values[column.key] = column.parse(text) if column.parse else text
            except ValidationError as error:
                errors.append(RowError(number, column.header, " ".join(error.messages)))
        return values, errors


_REGISTRY: dict[str, Callable[..., Register]] = {}


def register(name: str, factory: Callable[..., Register]) -> None:
    """Make a register available by name. ``factory(user=None)`` builds it (import lookups need the user)."""
    _REGISTRY[name] = factory


def get(name: str, *, user=None) -> Register:
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no register named {name!r}; known: {', '.join(names()) or 'none'}") from None
    return factory(user=user)


def names() -> list[str]:
    return sorted(_REGISTRY)


# --- cells --------------------------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as text, the way both writers and the audit trail show it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else (value.strftime("%Y-%m-%d %H:%M"))
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _csv_cell(value) -> str:
    text = _text(value)
    # Spreadsheets run a cell that starts like a formula; the apostrophe makes it plain text.
    return "'" + text if text.startswith(_FORMULA_START) else text


# --- writers ------------------------------------------------------------------------------------------------


class _Echo:
    """A file-like object that hands back what is written, for csv.writer in a generator."""

    def write(self, value):
        return value


def csv_lines(columns: list[Column], rows: Iterable[list], *, batch: int = 200) -> Iterator[str]:
    """The register as CSV text, in chunks: UTF-8 BOM first (Excel needs it for Chinese), CRLF line ends."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([c.header for c in columns])
    lines = []
    for row in rows:
        lines.append(writer.writerow([_csv_cell(v) for v in row]))
        if len(lines) >= batch:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def write_xlsx(fileobj, *, title: str, columns: list[Column], rows: Iterable[list]) -> int:
    """Write the register to ``fileobj`` as xlsx with openpyxl's write-only workbook; returns the row count.

    The header row is bold and frozen; ID numbers and phones are text cells (Excel would show 3.3E+17 and lose
    the last digits); dates are real dates shown as YYYY-MM-DD; whole numbers (counts, floors) are numbers.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    count = _append_sheet(workbook, title=title, columns=columns, rows=rows)
    workbook.save(fileobj)
    return count


def write_template_xlsx(fileobj, *, title: str, columns: list[Column], instructions: list[str], examples) -> None:
    """An import template: the header row alone on the first sheet, so a template sent back as it came
    imports nothing; the instructions and the made-up example rows (under the same headers) on a second
    sheet, 说明, which an import never reads (it reads the first sheet)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    _append_sheet(workbook, title=title, columns=columns, rows=[])
    notes = workbook.create_sheet(title=str(_("Instructions")))
    notes.column_dimensions["A"].width = 24
    heading = WriteOnlyCell(notes, value=str(_("How to fill in this template")))
    heading.font = Font(bold=True)
    notes.append([heading])
    for line in instructions:
        notes.append([str(line)])
    notes.append([])
    example = WriteOnlyCell(notes, value=str(_("Example (not imported):")))
    example.font = Font(bold=True)
    notes.append([example])
    _append_rows(notes, columns=columns, rows=examples)
    workbook.save(fileobj)


def template_instructions(register: Register) -> list[str]:
    """The lines every import template's 说明 sheet starts with; an app adds its own after them."""
    required = [c.header for c in register.columns if c.importable and c.required]
    return [
        _("Fill in one row per record on the first sheet, under the header row; keep the headers as they are."),
        _("Columns that must be filled in: %(columns)s.") % {"columns": "、".join(required)},
        _("Dates as YYYY-MM-DD (e.g. 2024-03-01); numbers such as ID numbers and phones as text, every digit."),
        _("The example below is made up and is never imported: an import reads the first sheet only."),
    ]


def template_response(register: Register, *, examples, instructions: list[str], fallback: str, full: bool = False):
    """The download of ``register``'s import template (see ``write_template_xlsx``)."""
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")  # removed when the response closes it
    write_template_xlsx(
        tmp,
        title=register.title,
        columns=register.columns,
        instructions=instructions,
        examples=register.rows(examples, full=full),
    )
    tmp.flush()
    tmp.seek(0)
    response = FileResponse(tmp, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition(f"{register.title}-导入模板.xlsx", fallback)
    response["Cache-Control"] = "no-store"
    return response


def _append_sheet(workbook, *, title: str, columns: list[Column], rows: Iterable[list]) -> int:
    """A sheet of ``workbook`` with the bold, frozen header row and ``rows``; returns the row count.

    Widths and the text format of numbers-as-text columns are set once per column (``<cols>``), so a cell
    left empty, or typed into later, is text in Excel and WPS too."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet1")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.text:
            dimension.number_format = "@"
    return _append_rows(sheet, columns=columns, rows=rows)


# Strings openpyxl would write as an error value rather than as text.
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


class _ColumnCells:
    """The cells that need a format or a type of their own, one per column and kind, made once and refilled
    for every row: a write-only sheet writes a row out as soon as it is appended, so the cell is free again
    for the next row. Everything else goes in as a plain value."""

    def __init__(self, sheet):
        self.sheet, self.cells = sheet, {}

    def _cell(self, index: int, number_format: str | None):
        from openpyxl.cell import WriteOnlyCell

        if number_format is None:
            # Unstyled, openpyxl would go on filling this very cell with the row's next values: a new one each
            # time (only strings that look like a formula or an error come here).
            return WriteOnlyCell(self.sheet)
        cell = self.cells.get((index, number_format))
        if cell is None:
            cell = self.cells[(index, number_format)] = WriteOnlyCell(self.sheet)
            cell.number_format = number_format
        return cell

    def text(self, index: int, value: str, number_format: str | None = None):
        """A string that stays a string: openpyxl would make "=…" a formula and "#N/A" an error."""
        cell = self._cell(index, number_format)
        cell.value = value
        cell.data_type = "s"
        return cell

    def money(self, index: int, value):
        cell = self._cell(index, "#,##0.00")
        cell.value = value
        return cell


def _append_rows(sheet, *, columns: list[Column], rows: Iterable[list]) -> int:
    """The header row and ``rows`` appended to a write-only ``sheet``; returns the row count.

    Cells go in as plain values wherever openpyxl writes them right by itself: strings, whole numbers (a count
    or a floor: a number Excel can sum), dates (openpyxl gives them the yyyy-mm-dd format). Only text in a
    numbers-as-text column (ID numbers, phones: Excel would show 3.3E+17 and lose the last digits), money
    (two decimals) and strings that look like a formula or an error go through ``_ColumnCells``. No cell
    object and no style lookup per cell: the register writes at nearly openpyxl's own speed.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.alignment = bold, centre
        header.append(cell)
    sheet.append(header)

    styled = _ColumnCells(sheet)
    text_columns = [column.text for column in columns]
    count = 0
    for row in rows:
        values = []
        for index, (as_text, value) in enumerate(zip(text_columns, row)):
            kind = type(value)
            if kind is not str:
                if value is None:
                    values.append(None)
                    continue
                if kind is not datetime.date and kind is not int and kind is not Decimal:
                    value, kind = _plain(value)
                if kind is datetime.date or (kind is not str and not as_text):
                    values.append(styled.money(index, value) if kind is Decimal else value)
                    continue
                if kind is not str:
                    value = _text(value)
            if not value.isprintable():
                value = _ILLEGAL_XLSX.sub("", value)
            if not value:
                values.append(None)
            elif as_text:
                values.append(styled.text(index, value, "@"))
            elif value[0] == "=" or value in _ERROR_CODES:
                values.append(styled.text(index, value))
            else:
                values.append(value)
        sheet.append(values)
        count += 1
    return count


def _plain(value) -> tuple[Any, type]:
    """A value of another type as one the writer knows: a date, a whole number, money, or text."""
    if isinstance(value, bool) or isinstance(value, datetime.datetime):
        return _text(value), str
    if isinstance(value, datetime.date):
        return datetime.date(value.year, value.month, value.day), datetime.date
    if isinstance(value, int):
        return int(value), int
    if isinstance(value, Decimal):
        return Decimal(value), Decimal
    return _text(value), str


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header with the Chinese name (RFC 5987) and an ASCII name for old clients."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def export_response(register: Register, objects, fmt: str, *, full: bool = False, day: datetime.date | None = None):
    """A download of ``objects`` (already scoped and filtered) in ``fmt``: CSV streamed, xlsx from a temp file."""
    rows = register.rows(objects, full=full)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(register.columns, rows), content_type=CONTENT_TYPES["csv"])
    elif fmt == "xlsx":
        tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")  # removed when the response closes it
        write_xlsx(tmp, title=register.title, columns=register.columns, rows=rows)
        tmp.flush()
        tmp.seek(0)
        response = FileResponse(tmp, content_type=CONTENT_TYPES["xlsx"])
    else:
        raise ValueError(f"unknown format {fmt!r}")
    response["Content-Disposition"] = content_disposition(
        register.filename(fmt, day), register.ascii_filename(fmt, day)
    )
    response["Cache-Control"] = "no-store"  # personal data: no copies in caches
    return response


def write_file(register: Register, objects, fmt: str, path, *, full: bool = False) -> int:
    """Write the register to a file on disk (the command line); returns the row count."""
    rows = register.rows(objects, full=full)
    if fmt == "xlsx":
        with open(path, "wb") as out:
            return write_xlsx(out, title=register.title, columns=register.columns, rows=rows)
    count = 0

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            yield row

    with open(path, "w", encoding="utf-8", newline="") as out:
        for chunk in csv_lines(register.columns, counted()):
            out.write(chunk)
    return count


def record_export(
    register: Register,
    *,
    actor,
    fmt: str,
    row_count: int,
    full: bool = False,
    filters: dict | None = None,
    request=None,
    command_line: bool = False,
):
    """The audit record every export leaves (PIPL): who, which register, format, filters, rows, full IDs."""
    from .models import AuditRecord
    from .services import audit, stored

    parts = [fmt] + ([stored(gettext_lazy("full ID numbers"))] if full else [])
    detail = "；".join(parts + ([stored(gettext_lazy("command line"))] if command_line else []))
    return audit(
        action=AuditRecord.Action.EXPORT,
        actor=actor,
        subject=register.title,
        object_id=register.name,
        filters=filters or {},
        row_count=row_count,
        detail=detail,
        request=request,
    )


# --- readers ------------------------------------------------------------------------------------------------


def _raw(value) -> str:
    """A cell read from a file as clean text: Excel's 13912345678.0 becomes "13912345678", dates ISO."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        text = text[1:]  # the guard csv_lines adds
    return text


# Bounds on what an import reads, so a small file cannot take the server's memory (issue 14): rows and the
# uncompressed size come from settings (IMPORT_MAX_ROWS, IMPORT_MAX_UNCOMPRESSED_MB); these are fixed.
MAX_ZIP_MEMBERS = 1000  # a workbook saved by Excel or WPS has a few dozen parts
MAX_COLUMNS = 200  # more than any register has; bounds a sheet whose dimension claims 16,384 columns
_DECODE_CHUNK = 64 * 1024


def max_rows() -> int:
    from django.conf import settings

    return settings.IMPORT_MAX_ROWS


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _("The file has more than %(max)s rows; split it into smaller files and import them one by one.")
        % {"max": f"{max_rows():,}"},
        code="too_many_rows",
    )


def _csv_encoding(handle) -> str:
    """UTF-8 with or without BOM; files saved by Chinese Excel or WPS are GB18030 (a superset of GBK).

    Decided by decoding the whole file chunk by chunk, keeping nothing; the handle is rewound."""
    import codecs

    handle.seek(0)
    if handle.read(3) == b"\xef\xbb\xbf":
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := handle.read(_DECODE_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ValidationError(
        _("The CSV file is neither UTF-8 nor GB18030 text; save it again as “CSV UTF-8” or upload the .xlsx file.")
    )


def check_workbook_size(handle) -> None:
    """Refuse an .xlsx (a zip) before parsing it when it would unpack to more than IMPORT_MAX_UNCOMPRESSED_MB.

    The sizes are the ones the zip declares for its parts; Python's zipfile never inflates a part past its
    declared size (a part that lies fails its CRC check instead), so their sum bounds what parsing unpacks.
    Only stored and deflated parts are accepted: the other methods inflate without that bound.
    """
    import zipfile

    from django.conf import settings

    limit_mb = settings.IMPORT_MAX_UNCOMPRESSED_MB
    unreadable = ValidationError(_("This file cannot be read as an Excel workbook (.xlsx)."), code="unreadable")
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise unreadable from None
    too_big = ValidationError(
        _("The workbook unpacks to more than %(mb)d MB; split it into smaller files.") % {"mb": limit_mb},
        code="too_big_unpacked",
    )
    if len(parts) > MAX_ZIP_MEMBERS:
        raise too_big
    if any(p.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for p in parts):
        raise unreadable
    if sum(p.file_size for p in parts) > limit_mb * 1024 * 1024:
        raise too_big
    handle.seek(0)


def _records(handle, name: str) -> Iterator[tuple[int, Iterable]]:
    """The file's records with their numbers as a spreadsheet shows them, read one at a time."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        import codecs

        encoding = _csv_encoding(handle)
        handle.seek(0)
        try:
            yield from enumerate(csv.reader(codecs.getreader(encoding)(handle)), start=1)
        except csv.Error:  # a NUL byte, a cell over the csv module's field limit
            raise ValidationError(_("This file cannot be read as a CSV file."), code="unreadable") from None
        return
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        check_workbook_size(handle)
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception:  # a broken or mislabelled file: zip, XML and openpyxl errors alike
            raise ValidationError(_("This file cannot be read as an Excel workbook (.xlsx).")) from None
        try:
            sheet = workbook.active or workbook.worksheets[0]
            try:
                yield from enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1)
            except ValidationError:
                raise
            except Exception:  # broken XML inside the zip
                raise ValidationError(_("This file cannot be read as an Excel workbook (.xlsx).")) from None
        finally:
            workbook.close()
        return
    raise ValidationError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))


def _numbered_rows(records: Iterable[tuple[int, list]]) -> tuple[list[str], list[tuple[int, dict]]]:
    headers, rows, limit = None, [], max_rows()
    for number, cells in records:
        cells = [_raw(v) for v in cells]
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            continue
        if len(rows) >= limit:
            raise _too_many_rows()
        cells += [""] * (len(headers) - len(cells))
        rows.append((number, {h: v for h, v in zip(headers, cells) if h}))
    if headers is None:
        raise ValidationError(_("The file is empty."))
    return [h for h in headers if h], rows


def read_rows(source) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Read an uploaded .xlsx or .csv file (or a path): its header row and its rows with their numbers.

    Row numbers are what a spreadsheet shows (header is row 1); fully empty rows are skipped. Raises
    ``ValidationError`` when the file cannot be read, unpacks to too much, or has more than IMPORT_MAX_ROWS
    rows; the rows are read one at a time and the count stops at the limit.
    """
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            return _numbered_rows(_records(handle, Path(source).name))
    return _numbered_rows(_records(source, getattr(source, "name", "") or ""))


def count_rows(source) -> int:
    """The number of rows under the header of an upload (or a path), keeping none of them; raises
    ``ValidationError`` like ``read_rows`` (too big, too many rows, unreadable)."""
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            return count_rows_in(handle, Path(source).name)
    return count_rows_in(source, getattr(source, "name", "") or "")


def count_rows_in(handle, name: str) -> int:
    seen_header, count, limit = False, 0, max_rows()
    for _number, cells in _records(handle, name):
        if not any(_raw(v) for v in cells):
            continue
        if not seen_header:
            seen_header = True
            continue
        count += 1
        if count > limit:
            raise _too_many_rows()
    if not seen_header:
        raise ValidationError(_("The file is empty."))
    return count


# --- parsing helpers for columns ----------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: str) -> datetime.date:
    """2026-03-01, 2026/3/1, 2026年3月1日, 2026.3.1 or 20260301 (and Excel's date cells, read as ISO text)."""
    text = (value or "").strip()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise ValidationError(_("Write the date as 2026-03-01."), code="date_format")
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValidationError(_("%(value)s is not a real date.") % {"value": text}, code="date") from None


def choice_parser(labels: dict[str, str], aliases: dict[str, str] | None = None) -> Callable[[str], str]:
    """Parse a choice written by its label (or its stored code, or an alias) into the stored code."""
    lookup = {code: code for code in labels} | {label: code for code, label in labels.items()} | (aliases or {})

    def parse(value: str) -> str:
        try:
            return lookup[re.sub(r"\s+", "", value)]
        except KeyError:
            raise ValidationError(
                _("Write one of: %(choices)s.") % {"choices": "、".join(labels.values())}, code="choice"
            ) from None

    return parse


def by_name(queryset, *, not_found: str, ambiguous: str, attribute: str = "name") -> Callable[[str], Any]:
    """A parser finding one object of ``queryset`` by ``attribute`` (read once, on first use, so a register
    built only to export costs no query). The messages take ``%(name)s``, the text of the cell."""
    cache = None

    def parse(value: str):
        nonlocal cache
        if cache is None:
            cache = {}
            for obj in queryset:
                cache.setdefault(getattr(obj, attribute), []).append(obj)
        matches = cache.get(value.strip(), [])
        if not matches:
            raise ValidationError(not_found % {"name": value}, code="not_found")
        if len(matches) > 1:
            raise ValidationError(ambiguous % {"name": value}, code="ambiguous")
        return matches[0]

    return parse


# --- import plans -------------------------------------------------------------------------------------------

NEW, UPDATE, UNCHANGED = "new", "update", "unchanged"


@dataclass
class ImportPlan:
    """What an import would do, row by row, before anything is written.

    Each row has ``number``, ``kind`` (NEW, UPDATE or UNCHANGED once checked), ``changed`` (headers) and
    ``errors``; ``file_errors`` refuse the file as a whole. Only a plan without errors is written.
    """

    rows: list = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return self.file_errors + [e for row in self.rows for e in row.errors]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.errors

    @property
    def counts(self) -> dict:
        counts = {NEW: 0, UPDATE: 0, UNCHANGED: 0}
        for row in self.rows:
            if row.kind in counts and not row.errors:
                counts[row.kind] += 1
        return counts


def counting(items: Iterable, progress: Callable[[int], None] | None, *, every: int = 200) -> Iterator:
    """Yield ``items``, telling ``progress`` how many have been handled every ``every`` items and at the end
    (an import run's "rows checked" and "rows written")."""
    if progress is None:
        yield from items
        return
    n = 0
    for n, item in enumerate(items, start=1):
        yield item
        if n % every == 0:
            progress(n)
    progress(n)


def read_for_import(register: Register, source) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The numbered rows of a file to import into ``register``, or the errors refusing the file as a whole:
    it cannot be read, or a required column is missing."""
    try:
        headers, rows = read_rows(source)
    except ValidationError as error:
        return [], [RowError(None, "", " ".join(error.messages))]
    missing = register.missing_headers(headers)
    if missing:
        message = _("The file has no column %(columns)s; download the template to see the columns.") % {
            "columns": "、".join(f"「{h}」" for h in missing)
        }
        return [], [RowError(None, "", message)]
    return rows, []  # no rows (a template sent back as it came): nothing to import, and nothing wrong


def chunks(items: list, size: int = 500) -> Iterator[list]:
    """``items`` in slices, for ``__in`` lookups that stay under the database's parameter limits."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
