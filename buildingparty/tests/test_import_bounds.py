"""Imports are bounded (issue 14, point 2): rows and the unpacked size are capped before parsing, rows are read
one at a time, and a file over a cap is refused with the reason, whatever reads it."""

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from buildingparty import registers


def _xlsx_bytes(rows: int, columns: int = 3) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([f"列{c}" for c in range(columns)])
    for r in range(rows):
        sheet.append([f"r{r}c{c}" for c in range(columns)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_bytes(rows: int) -> bytes:
    return ("姓名,电话\r\n" + "".join(f"张{r},139{r:08d}\r\n" for r in range(rows))).encode("utf-8-sig")


def _code(excinfo) -> str:
    return excinfo.value.error_list[0].code


@pytest.mark.parametrize("name, data", [("big.xlsx", _xlsx_bytes(6)), ("big.csv", _csv_bytes(6))])
def test_a_file_with_more_rows_than_the_cap_is_refused(settings, name, data):
    settings.IMPORT_MAX_ROWS = 5
    with pytest.raises(ValidationError) as excinfo:
        registers.read_rows(SimpleUploadedFile(name, data))
    assert _code(excinfo) == "too_many_rows"
    with pytest.raises(ValidationError):
        registers.count_rows(SimpleUploadedFile(name, data))


@pytest.mark.parametrize("name, data", [("ok.xlsx", _xlsx_bytes(5)), ("ok.csv", _csv_bytes(5))])
def test_a_file_at_the_cap_is_read_and_counted(settings, name, data):
    settings.IMPORT_MAX_ROWS = 5
    headers, rows = registers.read_rows(SimpleUploadedFile(name, data))
    assert len(rows) == 5 and len(headers) >= 2
    assert registers.count_rows(SimpleUploadedFile(name, data)) == 5


def test_the_row_cap_stops_reading_at_the_cap_rather_than_reading_the_whole_sheet(settings):
    """Bounded by construction: the reader gives up on the first row past the cap."""
    settings.IMPORT_MAX_ROWS = 10
    seen = []

    def records():
        for number in range(1, 1_000_000):
            seen.append(number)
            yield number, [f"v{number}", "x"]

    with pytest.raises(ValidationError):
        registers._numbered_rows(records())
    assert len(seen) == 12  # the header, ten rows, and the one too many


def _zip_bomb(*, declared_mb: int, parts: int = 1, method=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of a few KB whose parts unpack to ``declared_mb`` MB of zeros in all."""
    out = io.BytesIO()
    size = declared_mb * 1024 * 1024 // parts
    with zipfile.ZipFile(out, "w", compression=method) as archive:
        for n in range(parts):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", b"\0" * size)
    return out.getvalue()


def test_a_workbook_that_unpacks_past_the_cap_is_refused_before_openpyxl_sees_it(settings, monkeypatch):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 1
    data = _zip_bomb(declared_mb=2)
    assert len(data) < 10 * 1024  # small on the wire
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed a zip bomb"))
    with pytest.raises(ValidationError) as excinfo:
        registers.read_rows(SimpleUploadedFile("bomb.xlsx", data))
    assert _code(excinfo) == "too_big_unpacked"
    assert "1 MB" in excinfo.value.messages[0]


def test_a_workbook_of_too_many_parts_is_refused(settings):
    with pytest.raises(ValidationError) as excinfo:
        registers.check_workbook_size(io.BytesIO(_zip_bomb(declared_mb=0, parts=registers.MAX_ZIP_MEMBERS + 1)))
    assert _code(excinfo) == "too_big_unpacked"


def test_a_workbook_compressed_with_a_method_that_inflates_without_a_bound_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        registers.check_workbook_size(io.BytesIO(_zip_bomb(declared_mb=1, method=zipfile.ZIP_BZIP2)))
    assert _code(excinfo) == "unreadable"


def test_a_part_that_lies_about_its_size_never_unpacks_more_than_it_declares():
    """The cap trusts the declared sizes; zipfile stops a part at its declared size, so a lie cannot pass it."""
    real = 1024 * 1024
    data = bytearray(_zip_bomb(declared_mb=1))
    honest, lie = real.to_bytes(4, "little"), (1000).to_bytes(4, "little")
    assert data.count(honest) == 2  # the local header and the central directory
    data = bytes(data).replace(honest, lie)
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(archive.infolist()[0]) as part:
        with pytest.raises(zipfile.BadZipFile):  # CRC check fails after 1000 bytes, never 1 MB
            while part.read(4096):
                pass


def test_a_garbage_xlsx_is_refused_as_unreadable():
    with pytest.raises(ValidationError) as excinfo:
        registers.read_rows(SimpleUploadedFile("x.xlsx", b"not a zip at all"))
    assert _code(excinfo) == "unreadable"


def test_counting_reports_progress_every_so_many_items_and_at_the_end():
    told = []
    assert list(registers.counting(range(450), told.append, every=200)) == list(range(450))
    assert told == [200, 400, 450]
