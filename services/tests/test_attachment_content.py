"""Request attachments are what they say they are (issue 14, point 11): the same content check as points'
evidence (buildingparty.uploads), and names kept normalised."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from services.categories import ensure_default_categories
from services.models import Attachment, ServiceCategory, ServiceRequest
from services.tests.test_request_views import PDF, PNG, error_codes, form_data

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def categories(building):
    ensure_default_categories(building)
    return {c.code: c for c in ServiceCategory.objects.filter(building=building)}


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content"),
    [("合同.pdf", HTML), ("照片.png", SVG), ("照片.jpg", HTML), ("报告.docx", PDF)],
    ids=["html-renamed-pdf", "svg-renamed-png", "html-renamed-jpg", "pdf-renamed-docx"],
)
def test_a_file_whose_content_is_not_its_name_is_refused_next_to_the_field(member_client, categories, name, content):
    data = form_data(categories["legal-advice"], attachments=[upload(name, content)])
    response = member_client.post(reverse("services:create"), data)
    assert response.status_code == 200
    assert "file_content" in error_codes(response, "attachments")
    assert not ServiceRequest.objects.exists() and not Attachment.objects.exists()


def test_real_pdf_png_jpeg_and_docx_files_are_accepted(member_client, categories):
    files = [
        upload("合同.pdf", PDF, "application/pdf"),
        upload("照片.png", PNG, "image/png"),
        upload("照片2.jpg", JPEG, "image/jpeg"),
        upload("报告.docx", docx()),
    ]
    response = member_client.post(reverse("services:create"), form_data(categories["legal-advice"], attachments=files))
    assert response.status_code == 302
    names = sorted(Attachment.objects.values_list("name", flat=True))
    assert names == ["合同.pdf", "报告.docx", "照片.png", "照片2.jpg"]


def test_an_attachments_name_is_kept_without_folders_or_control_characters(member_client, categories):
    data = form_data(categories["legal-advice"], attachments=[upload("../../etc/passwd\r.PDF", PDF, "application/pdf")])
    response = member_client.post(reverse("services:create"), data)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("passwd.pdf", "application/pdf")
    assert ".." not in attachment.file.name and "\r" not in attachment.file.name
