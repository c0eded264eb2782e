"""What the activities' upload forms share: a field that takes several files, and the checks that a file's first
bytes agree with its name (photos of meetings and volunteer activities, Office documents of notices and study)."""

import os
import zipfile

from django import forms

MAX_PHOTO_SIZE = 5 * 1024 * 1024
MAX_PHOTOS = 10
# What a photo may be: its extension and the type it is served with (from the extension, never from what the
# browser claimed); its first bytes must agree.
PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def photo_content_type(name: str) -> str:
    return PHOTO_TYPES[os.path.splitext(name)[1].lower()]


def looks_like(head: bytes, content_type: str) -> bool:
    """Do a photo's first 12 bytes agree with its type (JPEG, PNG or WebP)?"""
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def office_zip_holds(file, folder: str) -> bool:
    """Is ``file`` a zip archive with entries under ``folder`` (word/, xl/, ppt/): a real Office Open XML file?"""
    try:
        with zipfile.ZipFile(file) as archive:
            return any(name.startswith(folder) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


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
