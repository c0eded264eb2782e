"""The import pages and command shared by every register: upload → preview → confirm, and ``import_<name>``.

A register's app supplies two functions, ``plan(source=, user=)`` returning a ``registers.ImportPlan`` without
writing anything, and ``apply(plan=, user=, source_name=, request=, command_line=)`` writing a valid plan all or
nothing and returning the counts. Everything between the person and those two functions lives here:

1. the upload is checked (type, size) and kept under ``MEDIA_ROOT/imports/<token>.<ext>``; the token goes into
   this user's session under the register's own key, so only the uploader can confirm it;
2. the preview plans the file and shows every row and every error;
3. confirming plans the file again (the registry may have changed since the preview) and writes it only if
   every row is still valid; the kept file is then removed. Uploads nobody confirmed are removed after a day.

Bounds (issue 14): the upload is refused, with the reason next to the file field, when it has more than
``IMPORT_MAX_ROWS`` rows or unpacks to more than ``IMPORT_MAX_UNCOMPRESSED_MB`` (``registers.count_rows``);
rows are read one at a time. A confirmation is an ``ImportRun`` whose natural key is the upload's token, so a
second confirmation of the same upload shows the first one's result. A file of more than
``IMPORT_INLINE_MAX_ROWS`` rows is not previewed row by row: confirming queues the ``buildingparty.run_import``
job, which checks every row, writes all or nothing, and reports its progress on the run's page.
"""

import datetime
import json
import logging
import os
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
from django.db import DatabaseError, IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import registers
from .registers import NEW, UNCHANGED, UPDATE

logger = logging.getLogger(__name__)

UPLOAD_DIR = "imports"
STALE_SECONDS = 24 * 3600
PROGRESS_EVERY = 200  # rows between two progress reports
KEPT_ERRORS = 1000  # errors kept on a run for the person to read; the count is always complete
JOB = "buildingparty.run_import"


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
        # Refused here, before any row is parsed for the preview: too many rows, or a zip that unpacks to too much.
        self.rows = registers.count_rows(upload)
        upload.seek(0)
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


@dataclass(frozen=True)
class Importer:
    """What the import job needs of a register: its app's plan and apply, and who may import."""

    plan: Callable
    apply: Callable
    may_import: Callable


_IMPORTERS: dict[str, Importer] = {}


def register_importer(name: str, *, plan: Callable, apply: Callable, may_import: Callable) -> None:
    """Make a register importable by the job (``name`` is the register's). Called by the app when it loads;
    ``plan`` and ``apply`` take ``progress``, a function told the number of rows done so far."""
    _IMPORTERS[name] = Importer(plan=plan, apply=apply, may_import=may_import)


def inline_max_rows() -> int:
    return settings.IMPORT_INLINE_MAX_ROWS


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


def _unfinished_tokens() -> set[str]:
    from .models import ImportRun

    unfinished = ImportRun.objects.exclude(state__in=[ImportRun.State.DONE, ImportRun.State.FAILED])
    return set(unfinished.values_list("token", flat=True))


def prune_uploads(*, now: float | None = None) -> int:
    """Delete uploads older than a day that no import is waiting for (never confirmed); returns how many.
    A register file holds ID numbers in clear, so it stays only as long as its import needs it."""
    folder = _upload_dir()
    if not folder.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - STALE_SECONDS
    waiting = _unfinished_tokens()
    deleted = 0
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff and old.name.split(".")[0] not in waiting:
            old.unlink(missing_ok=True)
            deleted += 1
    return deleted


def _store(request, pages: ImportPages, upload, rows: int) -> str:
    """Keep the upload under MEDIA_ROOT/imports/<uuid>.<ext> until it is confirmed or replaced."""
    _discard(request, pages)
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    prune_uploads()
    token, suffix = uuid.uuid4().hex, Path(upload.name).suffix.lower()
    with open(folder / f"{token}{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[pages.session_key] = {
        "token": token,
        "suffix": suffix,
        "name": Path(upload.name).name[:200],
        "user": request.user.pk,
        "rows": rows,
    }
    return token


# --- the pages ----------------------------------------------------------------------------------------------


def _is_large(pending: dict) -> bool:
    return pending.get("rows", 0) > inline_max_rows()


def _preview(request, pages: ImportPages, pending: dict, plan):
    return render(
        request,
        pages.preview_template,
        {
            "pending": pending,
            "plan": plan,
            "counts": plan.counts if plan is not None else None,
            "large": plan is None,
            "kinds": {NEW: _("New"), UPDATE: _("Update"), UNCHANGED: _("Unchanged")},
            "import_url": reverse(pages.url_name),
        },
    )


def _upload_page(request, pages: ImportPages, form):
    headers = registers.get(pages.register, user=request.user).import_headers
    return render(
        request,
        pages.upload_template,
        {
            "form": form,
            "headers": headers,
            "max_rows": f"{registers.max_rows():,}",
            "inline_max_rows": f"{inline_max_rows():,}",
        },
    )


def _show_earlier_run(request, run):
    """A second confirmation of an upload: the first one's result, nothing imported again."""
    messages.info(request, _("This file was already confirmed; this is that import and its result."))
    return redirect("import_run_detail", pk=run.pk)


def import_pages(request, pages: ImportPages):
    """Upload → preview (each row new / update / unchanged, and every error) → confirm writes all or nothing.

    A file of more than ``IMPORT_INLINE_MAX_ROWS`` rows is confirmed without a row-by-row preview and imported
    by a job; the person follows it on the run's page. The caller has checked that the user may import; GET and
    POST only.
    """
    from .models import ImportRun

    url = reverse(pages.url_name)

    if request.method == "POST" and "token" in request.POST:
        token = request.POST["token"]
        earlier = ImportRun.objects.filter(token=token[:32], user=request.user).first()
        if earlier is not None:
            return _show_earlier_run(request, earlier)
        pending = _pending(request, pages, token)
        if pending is None:
            messages.error(request, _("This upload has expired or is not yours; please upload the file again."))
            return redirect(url)
        if "cancel" in request.POST:
            _discard(request, pages)
            messages.info(request, _("The import was cancelled; nothing was written."))
            return redirect(url)
        if "confirm" not in request.POST:
            return redirect(f"{url}?token={pending['token']}")
        run = _claim(request, pages, pending)
        if run is None:  # the same upload confirmed at the same moment by a second submit
            return _show_earlier_run(request, ImportRun.objects.get(token=pending["token"]))
        request.session.pop(pages.session_key, None)  # the kept file is the run's now
        if run.in_background:
            from . import builtin_jobs, outbox

            outbox.enqueue(builtin_jobs.run_import, run_id=run.pk)
            messages.info(request, _("The file is being checked and imported; this page shows how far it got."))
            return redirect("import_run_detail", pk=run.pk)
        plan = execute(run, plan=pages.plan, apply=pages.apply, request=request)
        run.refresh_from_db()
        if plan is not None and not plan.is_valid:
            messages.error(request, _("The file has errors now; nothing was written."))
            return _preview(request, pages, pending, plan)
        if run.state != ImportRun.State.DONE:
            messages.error(request, _("Nothing was imported: %(error)s") % {"error": run.message})
            return redirect("import_run_detail", pk=run.pk)
        counts = run.counts
        messages.success(
            request,
            _("Imported: %(new)d new, %(update)d updated, %(same)d unchanged.")
            % {"new": counts[NEW], "update": counts[UPDATE], "same": counts[UNCHANGED]},
        )
        return redirect(pages.done_url_name)

    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            token = _store(request, pages, form.cleaned_data["file"], form.rows)
            return redirect(f"{url}?token={token}")
        return _upload_page(request, pages, form)

    token = request.GET.get("token")
    if token:
        pending = _pending(request, pages, token)
        if pending is None:
            messages.error(request, _("This upload has expired or is not yours; please upload the file again."))
            return redirect(url)
        if _is_large(pending):  # checked row by row by the job, after the confirmation
            return _preview(request, pages, pending, None)
        return _preview(request, pages, pending, pages.plan(source=_pending_path(pending), user=request.user))
    return _upload_page(request, pages, ImportUploadForm())


# --- the run ------------------------------------------------------------------------------------------------


def _claim(request, pages: ImportPages, pending: dict):
    """The run of this confirmation, or None when the upload's token already has one (a double submit)."""
    from .models import ImportRun

    try:
        with transaction.atomic():
            return ImportRun.objects.create(
                token=pending["token"],
                kind=pages.register,
                user=request.user,
                user_name=request.user.display_name[:150],
                building_id=request.user.building_id,
                file_name=pending["name"],
                file_suffix=pending["suffix"],
                in_background=_is_large(pending),
                rows_total=pending.get("rows", 0),
            )
    except IntegrityError:
        return None


def run_path(run) -> Path:
    return _upload_dir() / f"{run.token}{run.file_suffix}"


def _progress_path(run) -> Path:
    return _upload_dir() / f"{run.token}.progress"


def written_so_far(run) -> int:
    """Rows written by a run still writing. They are inside its one transaction, invisible to other
    connections until it commits, so the job reports them in a small file beside the kept upload."""
    try:
        return int(json.loads(_progress_path(run).read_text())["rows_written"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def report_written(run, n: int) -> None:
    """Tell the run's page that ``n`` rows are written (inside the transaction, so through a file)."""
    progress_file = _progress_path(run)
    temporary = progress_file.with_suffix(".tmp")
    temporary.write_text(json.dumps({"rows_written": n}))
    os.replace(temporary, progress_file)  # the page never reads half a file


def _update(run, **fields) -> None:
    from .models import ImportRun

    fields["updated_at"] = timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def _fail(run, *, message: str, errors=(), error_count: int = 0) -> None:
    from .models import ImportRun

    kept = [{"row": e.row, "column": e.column, "message": e.message} for e in list(errors)[:KEPT_ERRORS]]
    _update(
        run,
        state=ImportRun.State.FAILED,
        message=message,
        errors=kept,
        error_count=error_count,
        rows_written=0,
        finished_at=timezone.now(),
    )
    _remove_files(run)


def _remove_files(run) -> None:
    run_path(run).unlink(missing_ok=True)
    _progress_path(run).unlink(missing_ok=True)


def execute(run, *, plan: Callable, apply: Callable, request=None):
    """Check every row of the run's file, then write them all or none; the run records each step.

    1. ``checking``: the app's ``plan`` reads and checks the file, reporting rows checked;
    2. a plan with any error ends the run ``failed`` with its errors kept, nothing written;
    3. ``writing``: the app's ``apply`` writes every row in one transaction, reporting rows written;
    4. ``done`` with the counts, or ``failed`` with the reason (the transaction rolled back).

    Returns the plan (None when the file was gone). The kept file is removed when the run ends.
    """
    from .models import ImportRun, User

    user = User.objects.filter(pk=run.user_id).first() if run.user_id else None
    source = run_path(run)
    if not source.is_file():
        _fail(run, message=_("The uploaded file is no longer there; please upload it again."))
        return None
    _update(run, state=ImportRun.State.CHECKING, started_at=run.started_at or timezone.now(), rows_checked=0)

    def checked(n: int) -> None:
        _update(run, rows_checked=n)

    result = plan(source=source, user=user, progress=checked)
    errors = result.errors
    if errors or not result.rows:
        message = _("The file has errors; nothing was written.") if errors else _("The file has no rows to import.")
        _fail(run, message=message, errors=errors, error_count=len(errors))
        return result
    _update(run, state=ImportRun.State.WRITING, rows_checked=len(result.rows), rows_total=len(result.rows))
    try:
        counts = apply(
            plan=result,
            user=user,
            source_name=run.file_name,
            request=request,
            progress=lambda n: report_written(run, n),
        )
    except ValidationError as error:
        _fail(run, message=" ".join(error.messages))
        return result
    except DatabaseError as error:
        from .jobs import TRANSIENT_ERRORS

        if isinstance(error, TRANSIENT_ERRORS) and run.in_background:
            raise  # the job retries; the run is taken again once it is abandoned or re-queued
        logger.exception("import run %s failed while writing", run.pk)
        _fail(run, message=_("The database refused the import: %(error)s") % {"error": error})
        return result
    _update(
        run,
        state=ImportRun.State.DONE,
        rows_written=len(result.rows),
        counts={str(k): v for k, v in counts.items()},
        finished_at=timezone.now(),
    )
    _remove_files(run)
    return result


def _abandoned(run, now) -> bool:
    """Is a run "checking" or "writing" no longer worked on? Its job run (``jobs``) writes ``alive_at`` while
    its worker lives; the one that took this run started before the run did. Once that one is no longer running
    and alive, its worker died (or its attempt ended) and the run may be taken again: nothing of it was
    written, since the writing is one transaction."""
    from .models import JobRun

    alive_since = now - datetime.timedelta(seconds=settings.JOB_ABANDONED_AFTER_SECONDS)
    return not JobRun.objects.filter(
        job=JOB,
        outcome=JobRun.Outcome.RUNNING,
        alive_at__gte=alive_since,
        arguments__run_id=run.pk,
        started_at__lte=run.started_at or now,
    ).exists()


def run_queued(*, run_id: int | None = None) -> dict:
    """The job's body: import run ``run_id``, or (``None``, "run now" on the job page) every run still queued
    or abandoned by a dead worker. A run is taken by one conditional update, so two workers never both take
    it, and a run finished or still worked on is left alone: safe to run twice."""
    from .models import ImportRun

    now = timezone.now()
    waiting = ImportRun.objects.filter(in_background=True).exclude(
        state__in=[ImportRun.State.DONE, ImportRun.State.FAILED]
    )
    if run_id is not None:
        waiting = waiting.filter(pk=run_id)
    counts = {"imported": 0, "failed": 0, "skipped": 0}
    for candidate in list(waiting):
        if candidate.state != ImportRun.State.QUEUED and not _abandoned(candidate, now):
            counts["skipped"] += 1
            continue
        taken = ImportRun.objects.filter(
            pk=candidate.pk, state=candidate.state, updated_at=candidate.updated_at
        ).update(state=ImportRun.State.CHECKING, started_at=timezone.now(), updated_at=timezone.now())
        if not taken:  # another worker took it between the read and the update
            counts["skipped"] += 1
            continue
        run = ImportRun.objects.get(pk=candidate.pk)
        importer = _IMPORTERS.get(run.kind)
        user = run.user
        if importer is None or user is None or not user.is_active or not importer.may_import(user):
            _fail(run, message=_("The person who confirmed this import may no longer import this register."))
            counts["failed"] += 1
            continue
        execute(run, plan=importer.plan, apply=importer.apply)
        counts["imported" if run.state == ImportRun.State.DONE else "failed"] += 1
    if run_id is not None and not any(counts.values()):
        counts["skipped"] = 1  # already finished: a second delivery of the same task
    return counts


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
