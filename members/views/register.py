"""Register views: export (xlsx, csv), import with preview, the import template, the printable form."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from buildingparty import imports, registers
from buildingparty.models import AuditRecord
from buildingparty.services import audit

from .. import access
from ..forms import MemberFilterForm
from ..models import Member
from ..register import NAME, apply_import, example_member, plan_import, template_instructions


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
    """An empty register to fill in: the header row alone; the instructions and a made-up example on 说明."""
    if not access.can_import(request.user):
        raise PermissionDenied
    register = registers.get(NAME, user=request.user)
    return registers.template_response(
        register,
        examples=[example_member(request.user)],
        instructions=template_instructions(register),
        fallback="members-import-template.xlsx",
        full=True,
    )


# --- import -------------------------------------------------------------------------------------------------

IMPORT_PAGES = imports.ImportPages(
    register=NAME,
    session_key="members_import",
    url_name="members:import",
    done_url_name="members:list",
    upload_template="members/register/import_upload.html",
    preview_template="members/register/import_preview.html",
    plan=plan_import,
    apply=apply_import,
)


@require_http_methods(["GET", "POST"])
def import_members(request):
    """Upload → preview → confirm (buildingparty.imports), for those who may import members."""
    if not access.can_import(request.user):
        raise PermissionDenied
    return imports.import_pages(request, IMPORT_PAGES)


# --- the printable form -------------------------------------------------------------------------------------


@require_GET
def print_form(request, pk):
    """党员基本信息采集表 on one A4 page. The full ID number only on request, to those who may see it, recorded."""
    member = get_object_or_404(
        Member.objects.for_user(request.user).select_related("organization__parent", "enterprise"), pk=pk
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
