"""Statistics of service requests over a period, and the service register (服务台账) as xlsx or CSV."""

import datetime

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from buildingparty import data_cache, registers
from buildingparty.models import Building, Role
from buildingparty.scope import role_required

from .. import selectors
from ..models import ServiceCategory, ServiceRequest
from ..register import NAME as SERVICES_REGISTER

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DAYS = 366 * 5  # a period of at most five years


class PeriodForm(forms.Form):
    """From and to (both days included; this year so far by default) and, for street viewers, the building."""

    start = forms.DateField(label=pgettext_lazy("period", "From"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=pgettext_lazy("period", "To"), required=False, widget=DATE_WIDGET)
    building = forms.ModelChoiceField(
        label=gettext_lazy("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=gettext_lazy("All buildings"),
    )

    def __init__(self, data=None, *, user, **kwargs):
        # The query string says from= and to=; the form's fields cannot be called "from".
        if data is not None:
            data = {"start": data.get("from", ""), "end": data.get("to", ""), "building": data.get("building", "")}
        super().__init__(data, **kwargs)
        self.user = user
        if user.role == Role.STREET:
            self.fields["building"].queryset = Building.objects.order_by("name")
        else:
            del self.fields["building"]

    def clean(self):
        cleaned = super().clean()
        default_start, default_end = selectors.default_period()
        start = cleaned.get("start") or default_start
        end = cleaned.get("end") or max(default_end, start)
        if start > end:
            raise forms.ValidationError(_("The period ends before it starts."), code="period")
        if (end - start).days > MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most five years."), code="period")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return selectors.default_period()

    def chosen_building(self) -> Building | None:
        """A street viewer's building (None: all of them); everybody else's own."""
        if self.user.role != Role.STREET:
            return self.user.building
        return self.cleaned_data.get("building") if self.is_valid() else None

    def filters(self) -> dict:
        start, end = self.period()
        return {"from": start.isoformat(), "to": end.isoformat()}


@role_required(Role.ADMIN, Role.SECRETARY, Role.STREET)
@require_GET
def statistics(request):
    """Volume, open, overdue, resolved, median time to resolve and satisfaction, per category and per handler,
    of the requests in the user's scope submitted in the period.

    Kept whole, as HTML (data_cache.page), until a table it was read from changes, and a minute at most (what is
    overdue moves with the clock): under the scope for admins and street viewers, under the account for a
    secretary (whose requests include those they asked or were given). The chart's numbers are in the kept HTML."""
    by = "user" if request.user.role == Role.SECRETARY else "scope"
    body = data_cache.page(
        request,
        "services:statistics",
        "services/stats/_statistics_body.html",
        lambda: _statistics(request),
        by=by,
        timeout=60,
    )
    return render(request, "services/stats/statistics.html", {"body": body})


def _statistics(request) -> dict:
    user = request.user
    form = PeriodForm(request.GET, user=user)
    start, end = form.period()
    building = form.chosen_building()
    requests = ServiceRequest.objects.for_user(user)
    categories = ServiceCategory.objects.all()
    if building is not None:
        requests = requests.filter(building=building)
        categories = categories.filter(building=building)
    elif user.role != Role.STREET:
        requests, categories = requests.none(), categories.none()  # an account of no building
    result = selectors.statistics(requests, start=start, end=end, categories=categories)
    return {
        "form": form,
        "start": start,
        "end": end,
        "building": building,
        "stats": result,
        "chart": result.chart(),
        "can_export": user.role in (Role.ADMIN, Role.SECRETARY),
        "query": f"from={start.isoformat()}&to={end.isoformat()}",
    }


@role_required(Role.ADMIN, Role.SECRETARY)
@require_GET
def export_register(request):
    """The service register of the period (requests submitted in it, in the user's scope); always recorded."""
    user = request.user
    fmt = request.GET.get("format", "xlsx")
    if fmt not in registers.FORMATS:
        return HttpResponseBadRequest(_("Unknown format."))
    register = registers.get(SERVICES_REGISTER, user=user)
    if not register.may_export(user):
        raise PermissionDenied
    form = PeriodForm(request.GET, user=user)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.non_field_errors()) or _("Check the dates."))
    start, end = form.period()
    requests = selectors.in_period(register.objects(user), start, end)
    registers.record_export(
        register, actor=user, fmt=fmt, row_count=requests.count(), filters=form.filters(), request=request
    )
    response = registers.export_response(register, requests, fmt)
    span = f"{start.isoformat()}_{end.isoformat()}"
    response["Content-Disposition"] = registers.content_disposition(
        f"{register.title}-{span}.{fmt}", f"{register.name}-{span}.{fmt}"
    )
    return response
