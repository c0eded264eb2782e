"""The 组织生活台账 download (the register ``meetings``, see ``activities/meetings/register.py``): the meetings in the
user's scope as the meeting list filters them (year, organisation with everything under it, kind, status); always
recorded."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from buildingparty import registers
from buildingparty.models import Role
from buildingparty.scope import role_required

from ..register import FILTERS, NAME, filter_meetings


@role_required(Role.ADMIN, Role.SECRETARY, Role.STREET)
@require_GET
def meeting_export(request):
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
        meetings = filter_meetings(register.objects(user), filters)
    except ValueError:
        return HttpResponseBadRequest(_("These filters cannot be used for the export."))
    registers.record_export(register, actor=user, fmt=fmt, row_count=meetings.count(), filters=filters, request=request)
    response = registers.export_response(register, meetings, fmt)
    if filters.get("year"):
        response["Content-Disposition"] = registers.content_disposition(
            f"{register.title}-{filters['year']}.{fmt}", f"{register.name}-{filters['year']}.{fmt}"
        )
    return response
