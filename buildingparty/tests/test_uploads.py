"""The one check of every upload (buildingparty.uploads): a file is what its name says it is, and its name is
safe to keep and show."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from buildingparty.uploads import check_upload, content_agrees, normalise_name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def office(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("合同.pdf", PDF),
        ("照片.png", PNG),
        ("照片.JPG", JPEG),
        ("照片.jpeg", JPEG),
        ("照片.webp", WEBP),
        ("报告.docx", office("word/")),
        ("名单.xlsx", office("xl/")),
        ("课件.pptx", office("ppt/")),
        ("旧文档.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32),
    ],
)
def test_a_real_file_agrees_with_its_name(name, content):
    assert content_agrees(upload(name, content))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("合同.pdf", HTML),
        ("照片.png", SVG),
        ("照片.jpg", HTML),
        ("照片.png", JPEG),
        ("报告.docx", office("xl/")),
        ("报告.docx", b"PK\x03\x04 not a zip"),
        ("page.html", HTML),
        ("drawing.svg", SVG),
        ("无后缀", PDF),
    ],
    ids=[
        "html-as-pdf",
        "svg-as-png",
        "html-as-jpg",
        "jpeg-as-png",
        "xlsx-as-docx",
        "broken-zip",
        "html",
        "svg",
        "none",
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(name, content):
    assert not content_agrees(upload(name, content))


def test_markup_behind_a_genuine_magic_number_is_refused():
    assert not content_agrees(upload("合同.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>"))
    assert not content_agrees(upload("照片.png", b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>"))


def test_the_check_leaves_the_file_at_its_start():
    file = upload("合同.pdf", PDF)
    content_agrees(file)
    assert file.read() == PDF


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd\r.PDF", "passwd.pdf"),
        ("C:\\Users\\张三\\Desktop\\合同.PDF", "合同.pdf"),
        ("报\x00告\u202e.Docx", "报告.docx"),
        ("  .pdf", "file.pdf"),
        ("", "file"),
        ("照片.JPEG", "照片.jpeg"),
    ],
)
def test_a_name_is_normalised(name, kept):
    assert normalise_name(name) == kept


def test_a_long_name_is_cut_keeping_its_extension():
    kept = normalise_name("长" * 300 + ".PDF", max_length=150)
    assert len(kept) == 150 and kept.endswith("长.pdf")


MESSAGES = {"file_type": "type %(name)s", "file_size": "size %(name)s %(size)s", "file_content": "content %(name)s"}


@pytest.mark.parametrize(
    "upload, code",
    [
        (SimpleUploadedFile("a.exe", PDF, content_type="application/pdf"), "file_type"),
        (SimpleUploadedFile("a.png", PNG, content_type="text/html"), "file_type"),  # sent as something else
        (SimpleUploadedFile("a.pdf", PDF + b"x" * 100, content_type="application/pdf"), "file_size"),
        (SimpleUploadedFile("a.png", PDF, content_type="image/png"), "file_content"),
    ],
)
def test_the_one_upload_check_refuses_with_the_callers_words_and_its_code(upload, code):
    from django import forms

    with pytest.raises(forms.ValidationError) as refused:
        check_upload(
            upload,
            extensions={".pdf", ".png"},
            max_size=80,
            messages=MESSAGES,
            sent_types={"image/png"} if upload.name.endswith(".png") else None,
        )
    assert refused.value.code == code
    assert refused.value.message == MESSAGES[code]


def test_the_one_upload_check_passes_a_file_that_is_what_it_says():
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    assert check_upload(upload, extensions={".png"}, max_size=80, messages=MESSAGES, sent_types={"image/png"}) is upload
