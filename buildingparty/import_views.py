"""The import runs (``buildingparty.imports``): the list of a person's confirmed imports, one run's page with its
progress bar and kept errors, and the small JSON the progress bar polls.

Who may read them: those who may import some register; a run is theirs (a building admin sees every run of the
building). Another person's run is a 404.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from . import imports, registers
from .models import ImportRun

PAGE_SIZE = 25


def _may_import(user) -> bool:
    return any(importer.may_import(user) for importer in imports._IMPORTERS.values())


def _run_or_404(request, pk) -> ImportRun:
    if not _may_import(request.user):
        raise PermissionDenied
    return get_object_or_404(ImportRun.objects.for_user(request.user), pk=pk)


def _title(kind: str) -> str:
    try:
        return registers.get(kind).title
    except LookupError:
        return kind


def _progress(run: ImportRun) -> dict:
    written = run.rows_written
    if run.state == ImportRun.State.WRITING:
        written = max(written, imports.written_so_far(run))
    return {
        "state": run.state,
        "state_label": str(run.get_state_display()),
        "finished": run.finished,
        "rows_total": run.rows_total,
        "rows_checked": run.rows_checked,
        "rows_written": written,
    }


@require_GET
def import_run_list(request):
    """The person's import runs, newest first (a building admin's: the building's)."""
    if not _may_import(request.user):
        raise PermissionDenied
    runs = ImportRun.objects.for_user(request.user).defer("errors")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    titles = {}
    for run in page:
        run.title = titles.setdefault(run.kind, _title(run.kind))
    return render(request, "buildingparty/imports/run_list.html", {"page": page})


@require_GET
def import_run_detail(request, pk):
    """One run: how far it got (a progress bar while it runs), its result, and every error kept."""
    run = _run_or_404(request, pk)
    return render(
        request,
        "buildingparty/imports/run_detail.html",
        {"run": run, "title": _title(run.kind), "progress": _progress(run)},
    )


@require_GET
def import_run_progress(request, pk):
    """What the progress bar polls: the state and the rows checked and written."""
    return JsonResponse(_progress(_run_or_404(request, pk)))
