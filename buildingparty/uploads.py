"""What every upload in the platform is checked against, in one place: a file is what its name says it is.

Each app keeps its own list of what it accepts (evidence: photos and PDF; request attachments: documents too) and
its own messages; the checks themselves live here:

- ``content_agrees(file, extension)``: the first bytes match the extension's magic number (an Office Open XML
  file is a zip holding its ``word/``, ``xl/`` or ``ppt/`` folder), and nothing in the first kilobyte is HTML,
  SVG or script, whatever the name; a page renamed ``.pdf`` or a drawing renamed ``.png`` is refused.
- ``normalise_name(name)``: the name a person sees and downloads under: no folders, no control characters, the
  extension in lower case, cut to a length without losing the extension.
- ``content_type_for(name)``: the type a stored file is served with, from its extension, never from what the
  browser claimed.
- ``check_upload(file, ...)``: the one form check built from these (extension, size, content; optionally the type
  the browser sent), raising the caller's own messages.
- ``private_file_response(field_file, ...)``: how a stored upload is served, once a view has checked who may see it.
"""

import os
import re
import unicodedata
import zipfile

from django import forms
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control

ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .doc, .xls and .ppt
JPEG, PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"

# extension → (content type, magic numbers it may start with, folder an Office zip must hold)
KNOWN_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",), None),
    ".jpg": ("image/jpeg", (JPEG,), None),
    ".jpeg": ("image/jpeg", (JPEG,), None),
    ".png": ("image/png", (PNG,), None),
    ".webp": ("image/webp", (b"RIFF",), None),
    ".doc": ("application/msword", (OLE,), None),
    ".xls": ("application/vnd.ms-excel", (OLE,), None),
    ".ppt": ("application/vnd.ms-powerpoint", (OLE,), None),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,), "word/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,), "xl/"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,), "ppt/"),
}
PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")

# What a browser would run or render as a page if it ever sniffed the file: refused in any file, whatever the name.
MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|svg|script|iframe)\b", re.IGNORECASE)
SNIFF_BYTES = 1024
MAX_NAME_LENGTH = 150


def extension_of(name: str) -> str:
    return os.path.splitext(name or "")[1].lower()


def content_type_for(name: str) -> str:
    """The type a stored file is served with, from its extension (KeyError for one not known)."""
    return KNOWN_TYPES[extension_of(name)][0]


def photo_content_type(name: str) -> str:
    return content_type_for(name)


def looks_like(head: bytes, content_type: str) -> bool:
    """Do a photo's first 12 bytes agree with its type (JPEG, PNG or WebP)?"""
    if content_type == "image/jpeg":
        return head.startswith(JPEG)
    if content_type == "image/png":
        return head.startswith(PNG)
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def office_zip_holds(file, folder: str) -> bool:
    """Is ``file`` a zip archive with entries under ``folder`` (word/, xl/, ppt/): a real Office Open XML file?"""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return any(name.startswith(folder) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        file.seek(0)


def is_markup(head: bytes) -> bool:
    """Does the start of a file hold HTML, SVG, XML or script that a browser could render or run?"""
    return MARKUP.search(head) is not None


def content_agrees(file, extension: str | None = None) -> bool:
    """Does the file's content agree with its extension (``extension`` or that of ``file.name``)?

    1. The extension is one the platform knows.
    2. The first bytes are the type's magic number (a WebP also names itself at byte 8).
    3. An Office Open XML file is a zip holding its folder.
    4. The first kilobyte holds no HTML, SVG or script (a polyglot behind a genuine magic number).
    """
    extension = (extension or extension_of(file.name)).lower()
    if extension not in KNOWN_TYPES:
        return False
    content_type, magics, folder = KNOWN_TYPES[extension]
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    if not any(head.startswith(magic) for magic in magics):
        return False
    if extension == ".webp" and not looks_like(head[:12], content_type):
        return False
    if folder is not None:
        return office_zip_holds(file, folder)
    return not is_markup(head)


def normalise_name(name: str, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """The name to keep for an uploaded file: the last part of any path (``/`` or ``\\``), control and format
    characters removed, Unicode in NFC form, the extension in lower case, at most ``max_length`` characters with
    the extension kept. An empty result becomes ``file`` plus the extension."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().rstrip(".")
    stem, extension = os.path.splitext(name)
    if not extension and stem.startswith(".") and "." not in stem[1:]:
        stem, extension = "", stem  # ".pdf": an extension without a name
    stem = stem.lstrip(".")  # never a hidden file
    extension = extension.lower()
    stem = stem.strip() or "file"
    return stem[: max(1, max_length - len(extension))] + extension


def check_upload(file, *, extensions, max_size: int, messages: dict, sent_types=None):
    """The check every upload form runs, in order: the extension is one of ``extensions``; if ``sent_types`` is
    given, the type a browser sent is one of them (a file that did not come from a browser has none to check); the
    size is at most ``max_size``; the first bytes agree with the extension (``content_agrees``).

    ``messages`` holds the app's own words for ``file_type``, ``file_size`` and ``file_content``, which may use
    ``%(name)s`` and (the size) ``%(size)s``; the ValidationError carries that code. Returns the file."""
    extension = extension_of(file.name)
    sent = getattr(file, "content_type", None)
    sent_ok = sent_types is None or sent is None or (sent or "").split(";")[0].strip().lower() in set(sent_types)
    if extension not in extensions or not sent_ok:
        code = "file_type"
    elif file.size > max_size:
        code = "file_size"
    elif not content_agrees(file, extension):
        code = "file_content"
    else:
        return file
    raise forms.ValidationError(
        messages[code], code=code, params={"name": file.name, "size": filesizeformat(file.size)}
    )


def private_file_response(field_file, *, content_type: str, filename=None, as_attachment=None, cache_seconds=None):
    """A stored upload, served to someone the view has already let see it (files are never served from /media).

    404 when the file is gone. Sent with ``content_type`` (from the extension, never the browser's claim),
    ``nosniff`` and a ``sandbox`` policy, so a crafted file cannot run anything in the site's origin. With
    ``as_attachment`` None, PDFs and photos open in the browser and other types are downloaded. Kept in the
    browser's private cache for ``cache_seconds`` (an address that changes with the file), else never stored."""
    try:
        file = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if as_attachment is None:
        as_attachment = not content_type.startswith(("image/", "application/pdf"))
    response = FileResponse(file, as_attachment=as_attachment, filename=filename or "", content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    if cache_seconds:
        patch_cache_control(response, private=True, max_age=cache_seconds)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []
