"""One print stylesheet: every printable page (it has a print button) links static/css/print.css, which sets
the paper (A4) and what does not print; a page keeps inline only what is its own (e.g. other margins)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRINT_CSS = ROOT / "static" / "css" / "print.css"


def printable_templates() -> list[Path]:
    return [path for path in sorted((ROOT / "templates").rglob("*.html")) if 'id="print-button"' in path.read_text()]


def test_the_print_stylesheet_sets_a4_and_hides_the_toolbar_on_paper():
    css = PRINT_CSS.read_text()
    assert "@page { size: A4;" in css
    assert "@media print" in css and ".toolbar" in css


def test_every_printable_page_links_the_one_print_stylesheet():
    pages = printable_templates()
    assert {p.relative_to(ROOT / "templates").as_posix() for p in pages} >= {
        "letters/print.html",
        "members/register/print_form.html",
        "members/transfers/transfer_letter.html",
        "dues/reports/annual.html",
    }
    for page in pages:
        assert "{% static 'css/print.css' %}" in page.read_text(), page


def test_no_printable_page_repeats_the_default_paper():
    for page in printable_templates():
        assert "@page { size: A4; margin: 15mm" not in page.read_text(), page
