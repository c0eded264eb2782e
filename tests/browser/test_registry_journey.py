"""The building admin's journey through the registry: import the enterprise sheet, see which enterprises should
form a branch, print the letter to enterprise owners for one floor."""

import io
import re

import openpyxl
import pytest
from django.core.management import call_command

from activities.letters.models import LetterTemplate
from enterprises.models import Enterprise
from tests.factories import make_credit_code

from .conftest import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"


def enterprise_sheet(tmp_path) -> tuple[bytes, str, str]:
    """The building's own export with one enterprise renamed and one new enterprise added."""
    path = tmp_path / "企业名录.xlsx"
    call_command("export_register", "enterprises", "--format", "xlsx", "--output", str(path), verbosity=0)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    name_col, code_col, room_col = headers.index("企业名称"), headers.index("统一社会信用代码"), headers.index("房间号")
    renamed = sheet.cell(row=2, column=name_col + 1).value + "（更名）"
    sheet.cell(row=2, column=name_col + 1).value = renamed
    new_row = [c.value for c in sheet[2]]
    new_row[name_col], new_row[code_col], new_row[room_col] = (
        "慈溪市新入驻科技有限公司",
        make_credit_code(987654),
        "2899",
    )
    sheet.append(new_row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), renamed, "慈溪市新入驻科技有限公司"


def test_admin_imports_the_sheet_sees_coverage_and_prints_letters_for_a_floor(page, tmp_path):
    call_command("seed_demo", verbosity=0)
    before = Enterprise.objects.count()
    sheet, renamed, added = enterprise_sheet(tmp_path)
    sign_in(page, "admin", DEMO_PASSWORD)

    # 1. Import: upload, read the preview (one new, one updated), confirm.
    page.goto(page.base_url + "/enterprises/import/")
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "企业名录.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": sheet,
            }
        ],
    )
    page.get_by_test_id("import-upload").locator("button[type=submit]").click()
    page.wait_for_load_state()
    counts = page.get_by_test_id("import-counts").inner_text()
    assert "1" in counts
    assert page.get_by_test_id("import-errors").count() == 0
    page.get_by_test_id("import-confirm").locator("button[name=confirm]").click()
    page.wait_for_load_state()
    assert Enterprise.objects.count() == before + 1
    assert Enterprise.objects.filter(name=renamed).exists() and Enterprise.objects.filter(name=added).exists()

    # 2. Coverage: the enterprise with three full members and no branch of its own is flagged.
    page.goto(page.base_url + "/enterprises/coverage/")
    flagged = page.get_by_test_id("should-form-branch").inner_text()
    assert "宁波宝越电子商务有限公司" in flagged
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "coverage.png"), full_page=True)

    # 3. Letters: the owners' letter for one floor, one A4 page per enterprise.
    letter = LetterTemplate.objects.get(audience=LetterTemplate.Audience.OWNERS)
    floor = 12
    expected = Enterprise.objects.filter(floor=floor, status=Enterprise.Status.ACTIVE).count()
    assert expected > 0
    page.goto(f"{page.base_url}/activities/letters/{letter.pk}/print/?floor={floor}&print=1")
    assert page.locator(".letter").count() == expected
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == expected  # exactly one page per letter
    page.screenshot(path=str(ARTIFACTS / "letters-floor.png"), full_page=True)
    assert page.console_errors == []
