"""Enterprise register views: export (xlsx, csv), import with preview, the import template."""

import dataclasses

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from buildingparty import imports, registers

from ..forms import EnterpriseFilterForm
from ..register import (
    NAME,
    apply_import,
    can_export,
    can_import,
    example_enterprise,
    plan_import,
    template_instructions,
)


@require_GET
def export_enterprises(request):
    """The register as the list shows it (same scope, same filters), as xlsx or CSV; always recorded."""
    user = request.user
    if not can_export(user):
        raise PermissionDenied
    fmt = request.GET.get("format", "xlsx")
    if fmt not in registers.FORMATS:
        return HttpResponseBadRequest(_("Unknown format."))
    register = registers.get(NAME, user=user)
    form = EnterpriseFilterForm(request.GET, user=user)
    enterprises = form.filter(register.objects(user))
    count = enterprises.count()
    registers.record_export(
        register, actor=user, fmt=fmt, row_count=count, filters=form.active_filters(), request=request
    )
    return registers.export_response(register, enterprises, fmt)


@require_GET
def import_template(request):
    """An empty register to fill in: the header row of the columns an import reads, alone; the instructions and
    a made-up example on 说明."""
    if not can_import(request.user):
        raise PermissionDenied
    register = registers.get(NAME, user=request.user)
    register = dataclasses.replace(register, columns=[c for c in register.columns if c.importable])
    return registers.template_response(
        register,
        examples=[example_enterprise(request.user.building)],
        instructions=template_instructions(register),
        fallback="enterprises-import-template.xlsx",
    )


IMPORT_PAGES = imports.ImportPages(
    register=NAME,
    session_key="enterprises_import",
    url_name="enterprises:import",
    done_url_name="enterprises:list",
    upload_template="enterprises/register/import_upload.html",
    preview_template="enterprises/register/import_preview.html",
    plan=plan_import,
    apply=apply_import,
)


@require_http_methods(["GET", "POST"])
def import_enterprises(request):
    """Upload → preview → confirm (buildingparty.imports): the building's admins only."""
    if not can_import(request.user):
        raise PermissionDenied
    return imports.import_pages(request, IMPORT_PAGES)
