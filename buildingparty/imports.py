"""The import pages and command shared by every register: upload → preview → confirm, and ``import_<name>``.

A register's app supplies two functions, ``plan(source=, user=)`` returning a ``registers.ImportPlan`` without
writing anything, and ``apply(plan=, user=, source_name=, request=, command_line=)`` writing a valid plan all or
nothing and returning the counts. Everything between the person and those two functions lives here:

1. the upload is checked (type, size) and kept under ``MEDIA_ROOT/imports/<token>.<ext>``; the token goes into
   this user's session under the register's own key, so only the uploader can confirm it;
2. the preview plans the file and shows every row and every error;
3. confirming plans the file again (the registry may have changed since the preview) and writes it only if
   every row is still valid; the kept file is then removed. Uploads nobody confirmed are removed after a day.
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import registers
from .registers import NEW, UNCHANGED, UPDATE

UPLOAD_DIR = "imports"
STALE_SECONDS = 24 * 3600


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Register file (.xlsx or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in registers.READABLE_SUFFIXES:
            raise ValidationError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
        if upload.size > registers.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB; split it into smaller files.")
                % {"mb": registers.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        return upload


@dataclass(frozen=True)
class ImportPages:
    """One register's import pages: where they live, what they render, and the app's plan and apply."""

    register: str  # the register's name, for the headers shown on the upload page
    session_key: str
    url_name: str  # the upload page, e.g. "members:import"
    done_url_name: str  # where a finished import goes, e.g. "members:list"
    upload_template: str
    preview_template: str
    plan: Callable
    apply: Callable


# --- the kept upload ----------------------------------------------------------------------------------------


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def _pending_path(pending: dict) -> Path:
    return _upload_dir() / f"{pending['token']}{pending['suffix']}"


def _pending(request, pages: ImportPages, token: str) -> dict | None:
    """The upload waiting for confirmation: only in this user's session, only for this user."""
    pending = request.session.get(pages.session_key)
    if not pending or pending.get("token") != token or pending.get("user") != request.user.pk:
        return None
    if not _pending_path(pending).is_file():
        return None
    return pending


def _discard(request, pages: ImportPages):
    pending = request.session.pop(pages.session_key, None)
    if pending:
        _pending_path(pending).unlink(missing_ok=True)


def _store(request, pages: ImportPages, upload) -> str:
    """Keep the upload under MEDIA_ROOT/imports/<uuid>.<ext> until it is confirmed or replaced."""
    _discard(request, pages)
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STALE_SECONDS
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token, suffix = uuid.uuid4().hex, Path(upload.name).suffix.lower()
    with open(folder / f"{token}{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[pages.session_key] = {
        "token": token,
        "suffix": suffix,
        "name": Path(upload.name).name[:200],
        "user": request.user.pk,
    }
    return token


# --- the pages ----------------------------------------------------------------------------------------------


def _preview(request, pages: ImportPages, pending: dict, plan):
    return render(
        request,
        pages.preview_template,
        {
            "pending": pending,
            "plan": plan,
            "counts": plan.counts,
            "kinds": {NEW: _("New"), UPDATE: _("Update"), UNCHANGED: _("Unchanged")},
            "import_url": reverse(pages.url_name),
        },
    )


def _upload_page(request, pages: ImportPages, form):
    headers = registers.get(pages.register, user=request.user).import_headers
    return render(request, pages.upload_template, {"form": form, "headers": headers})


def import_pages(request, pages: ImportPages):
    """Upload → preview (each row new / update / unchanged, and every error) → confirm writes all or nothing.

    The caller has checked that the user may import; GET and POST only.
    """
    url = reverse(pages.url_name)

    if request.method == "POST" and "token" in request.POST:
        pending = _pending(request, pages, request.POST["token"])
        if pending is None:
            messages.error(request, _("This upload has expired or is not yours; please upload the file again."))
            return redirect(url)
        if "cancel" in request.POST:
            _discard(request, pages)
            messages.info(request, _("The import was cancelled; nothing was written."))
            return redirect(url)
        if "confirm" not in request.POST:
            return redirect(f"{url}?token={pending['token']}")
        plan = pages.plan(source=_pending_path(pending), user=request.user)
        if not plan.is_valid:
            messages.error(request, _("The file has errors now; nothing was written."))
            return _preview(request, pages, pending, plan)
        try:
            counts = pages.apply(plan=plan, user=request.user, source_name=pending["name"], request=request)
        except (ValidationError, DatabaseError) as error:
            detail = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, _("Nothing was imported: %(error)s") % {"error": detail})
            return redirect(f"{url}?token={pending['token']}")
        _discard(request, pages)
        messages.success(
            request,
            _("Imported: %(new)d new, %(update)d updated, %(same)d unchanged.")
            % {"new": counts[NEW], "update": counts[UPDATE], "same": counts[UNCHANGED]},
        )
        return redirect(pages.done_url_name)

    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            token = _store(request, pages, form.cleaned_data["file"])
            return redirect(f"{url}?token={token}")
        return _upload_page(request, pages, form)

    token = request.GET.get("token")
    if token:
        pending = _pending(request, pages, token)
        if pending is None:
            messages.error(request, _("This upload has expired or is not yours; please upload the file again."))
            return redirect(url)
        return _preview(request, pages, pending, pages.plan(source=_pending_path(pending), user=request.user))
    return _upload_page(request, pages, ImportUploadForm())


# --- the command --------------------------------------------------------------------------------------------


class ImportCommand(BaseCommand):
    """The body of an ``import_<register>`` command: check every row, list them, write all or nothing.

    Subclasses set ``help`` and ``user_help`` and implement ``may_import``, ``plan`` and ``apply`` (the
    app's functions); ``plan`` may raise ``CommandError`` when the file cannot be imported as that user.
    """

    user_help = "import as this user, within their scope"

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
        parser.add_argument("--user", metavar="USERNAME", help=self.user_help)

    def may_import(self, user) -> bool:
        raise NotImplementedError

    def plan(self, *, source: Path, user):
        raise NotImplementedError

    def apply(self, *, plan, user, source_name: str):
        raise NotImplementedError

    def handle(self, *args, file, dry_run, user, **options):
        from .models import User

        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {user!r}")
            if not self.may_import(actor):
                raise CommandError(f"{actor.username} may not import this register")

        plan = self.plan(source=path, user=actor)
        for row in plan.rows:
            if row.kind:
                self.stdout.write(
                    f"第 {row.number} 行  {row.kind:<9}  {row.name}"
                    + (f"  ({'、'.join(row.changed)})" if row.changed else "")
                )
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(plan.errors)} 处错误，未导入任何数据。")

        counts = plan.counts
        summary = f"新增 {counts[NEW]}，更新 {counts[UPDATE]}，无变化 {counts[UNCHANGED]}"
        if dry_run:
            self.stdout.write(self.style.WARNING(f"试运行（未写入）：{summary}"))
            return
        self.apply(plan=plan, user=actor, source_name=path.name)
        self.stdout.write(self.style.SUCCESS(f"已导入：{summary}"))
