"""Points' evidence is checked by the ground floor's content check (buildingparty.uploads), like every upload."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from members.points.forms import check_evidence

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


@pytest.mark.parametrize(("name", "content"), [("证书.pdf", HTML), ("证书.png", SVG), ("证书.pdf", b"%PDF-1.4 <html>")])
def test_a_page_or_drawing_renamed_as_evidence_is_refused(name, content):
    with pytest.raises(forms.ValidationError) as error:
        check_evidence(SimpleUploadedFile(name, content))
    assert error.value.code == "file_content"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("证书.PDF", b"%PDF-1.4\n%%EOF\n"),
        ("证书.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 8),
        ("证书.jpg", b"\xff\xd8\xff\xe0"),
    ],
)
def test_real_evidence_passes(name, content):
    assert check_evidence(SimpleUploadedFile(name, content)) is not None
