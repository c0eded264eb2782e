"""The duty register's download (the register ``duty``, see ``activities/duty/register.py``): the shifts in the
user's scope, narrowed by week or month, team and kind as the roster pages link them; always recorded."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from buildingparty import registers
from buildingparty.scope import role_required

from ..register import FILTERS, NAME, filter_shifts
from .common import OFFICERS


@require_GET
@role_required(*OFFICERS)
def export(request):
    user = request.user
    fmt = request.GET.get("format", "xlsx")
    if fmt not in registers.FORMATS:
        return HttpResponseBadRequest(_("Unknown format."))
    register = registers.get(NAME, user=user)
    if not register.may_export(user):
        raise PermissionDenied
    filters = {key: request.GET.get(key, "").strip() for key in FILTERS}
    filters = {key: value for key, value in filters.items() if value}
    try:
        shifts = filter_shifts(register.objects(user), filters)
    except ValueError:
        return HttpResponseBadRequest(_("These filters cannot be used for the export."))
    registers.record_export(register, actor=user, fmt=fmt, row_count=shifts.count(), filters=filters, request=request)
    response = registers.export_response(register, shifts, fmt)
    period = filters.get("week") or filters.get("month")
    if period:
        response["Content-Disposition"] = registers.content_disposition(
            f"{register.title}-{period}.{fmt}", f"{register.name}-{period}.{fmt}"
        )
    return response
