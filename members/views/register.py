"""Register views: export (xlsx, csv), import with preview, the import template, the printable form."""

import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from buildingparty import registers
from buildingparty.models import AuditRecord
from buildingparty.services import audit

from .. import access
from ..forms import MemberFilterForm
from ..models import Member
from ..register import NAME, NEW, UNCHANGED, UPDATE, apply_import, example_member, plan_import

SESSION_KEY = "members_import"
UPLOAD_DIR = "imports"
STALE_SECONDS = 24 * 3600


@require_GET
def export_members(request):
    """The register as the list shows it (same scope, same filters), as xlsx or CSV; always recorded."""
    user = request.user
    if not access.can_export(user):
        raise PermissionDenied
    fmt = request.GET.get("format", "xlsx")
    if fmt not in registers.FORMATS:
        return HttpResponseBadRequest(_("Unknown format."))
    full = request.GET.get("full_ids") == "1"
    if full and not access.can_export_full_ids(user):
        raise PermissionDenied
    register = registers.get(NAME, user=user)
    form = MemberFilterForm(request.GET, user=user)
    members = form.filter(register.objects(user))
    count = members.count()
    registers.record_export(
        register, actor=user, fmt=fmt, row_count=count, full=full, filters=form.active_filters(), request=request
    )
    return registers.export_response(register, members, fmt, full=full)


@require_GET
def import_template(request):
    """An empty register to fill in: the header row and one made-up example row."""
    if not access.can_import(request.user):
        raise PermissionDenied
    register = registers.get(NAME, user=request.user)
    response = registers.export_response(register, [example_member(request.user)], "xlsx", full=True)
    response["Content-Disposition"] = registers.content_disposition(
        f"{register.title}-导入模板.xlsx", "members-import-template.xlsx"
    )
    return response


# --- import -------------------------------------------------------------------------------------------------


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


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def _pending_path(pending: dict) -> Path:
    return _upload_dir() / f"{pending['token']}{pending['suffix']}"


def _pending(request, token: str) -> dict | None:
    """The upload waiting for confirmation: only in this user's session, only for this user."""
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("token") != token or pending.get("user") != request.user.pk:
        return None
    if not _pending_path(pending).is_file():
        return None
    return pending


def _discard(request):
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        _pending_path(pending).unlink(missing_ok=True)


def _store(request, upload) -> str:
    """Keep the upload under MEDIA_ROOT/imports/<uuid>.<ext> until it is confirmed or replaced."""
    _discard(request)
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # Uploads nobody confirmed are removed after a day.
    cutoff = time.time() - STALE_SECONDS
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token, suffix = uuid.uuid4().hex, Path(upload.name).suffix.lower()
    with open(folder / f"{token}{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[SESSION_KEY] = {
        "token": token,
        "suffix": suffix,
        "name": Path(upload.name).name[:200],
        "user": request.user.pk,
    }
    return token


def _plan(request, pending):
    return plan_import(source=_pending_path(pending), user=request.user)


def _preview(request, pending, plan):
    return render(
        request,
        "members/register/import_preview.html",
        {
            "pending": pending,
            "plan": plan,
            "counts": plan.counts,
            "kinds": {NEW: _("New"), UPDATE: _("Update"), UNCHANGED: _("Unchanged")},
        },
    )


@require_http_methods(["GET", "POST"])
def import_members(request):
    """Upload → preview (each row new / update / unchanged, and every error) → confirm writes all or nothing."""
    if not access.can_import(request.user):
        raise PermissionDenied
    url = reverse("members:import")

    if request.method == "POST" and "token" in request.POST:
        pending = _pending(request, request.POST["token"])
        if pending is None:
            messages.error(request, _("This upload has expired or is not yours; please upload the file again."))
            return redirect(url)
        if "cancel" in request.POST:
            _discard(request)
            messages.info(request, _("The import was cancelled; nothing was written."))
            return redirect(url)
        if "confirm" not in request.POST:
            return redirect(f"{url}?token={pending['token']}")
        plan = _plan(request, pending)  # checked again: the register may have changed since the preview
        if not plan.is_valid:
            messages.error(request, _("The file has errors now; nothing was written."))
            return _preview(request, pending, plan)
        try:
            counts = apply_import(plan=plan, user=request.user, source_name=pending["name"], request=request)
        except (ValidationError, DatabaseError) as error:
            detail = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, _("Nothing was imported: %(error)s") % {"error": detail})
            return redirect(f"{url}?token={pending['token']}")
        _discard(request)
        messages.success(
            request,
            _("Imported: %(new)d new, %(update)d updated, %(same)d unchanged.")
            % {"new": counts[NEW], "update": counts[UPDATE], "same": counts[UNCHANGED]},
        )
        return redirect("members:list")

    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            token = _store(request, form.cleaned_data["file"])
            return redirect(f"{url}?token={token}")
        return _upload_page(request, form)

    token = request.GET.get("token")
    if token:
        pending = _pending(request, token)
        if pending is None:
            messages.error(request, _("This upload has expired or is not yours; please upload the file again."))
            return redirect(url)
        return _preview(request, pending, _plan(request, pending))
    return _upload_page(request, ImportUploadForm())


def _upload_page(request, form):
    headers = registers.get(NAME, user=request.user).headers
    return render(request, "members/register/import_upload.html", {"form": form, "headers": headers})


# --- the printable form -------------------------------------------------------------------------------------


@require_GET
def print_form(request, pk):
    """党员基本信息采集表 on one A4 page. The full ID number only on request, to those who may see it, recorded."""
    member = get_object_or_404(
        Member.objects.for_user(request.user).select_related("organization", "enterprise"), pk=pk
    )
    can_reveal = access.can_reveal_id(request.user, member)
    full = request.GET.get("full_id") == "1"
    if full:
        if not can_reveal:
            raise PermissionDenied
        audit(
            action=AuditRecord.Action.PRINT,
            actor=request.user,
            subject=member.name,
            object_id=member.pk,
            request=request,
        )
    period = member.mobile_periods.filter(until__isnull=True).first() if member.is_mobile else None
    return render(
        request,
        "members/register/print_form.html",
        {
            "member": member,
            "id_number": member.id_number if full else member.masked_id_number,
            "full_id": full,
            "can_reveal": can_reveal,
            "mobile_period": period,
        },
    )
