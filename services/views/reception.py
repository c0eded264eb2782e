"""Reception point views: the visits list, recording a walk-in, turning a visit into a request.

Each view: check the role (403), fetch through ``visits_for`` (404 out of scope), call a service from
``services.reception``. Street viewers read the list and change nothing.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buildingparty import data_cache, submissions
from buildingparty.forms import add_service_errors
from buildingparty.models import Role
from buildingparty.scope import role_required

from ..forms import category_labels
from ..models import ServiceCategory
from ..reception import STAFF, reception_record, visits_for
from ..reception import reception_to_request as turn_into_request
from ..reception_forms import ReceptionVisitForm, ToRequestForm

PAGE_SIZE = 25
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)


@role_required(*READERS)
def reception_list(request):
    # The visits are kept whole, as HTML, per account (a secretary sees the visits she recorded herself besides
    # her branch's members'), the page, the language and the day, until a table they were read from changes: a visit
    # recorded or turned into a request shows on the next request.
    body = data_cache.page(
        request,
        "services:reception_list",
        "services/reception/_reception_list_body.html",
        lambda: _reception_list(request),
        by="user",
    )
    return render(request, "services/reception/reception_list.html", {"body": body})


def _reception_list(request) -> dict:
    visits = visits_for(request.user).select_related("member", "request", "recorded_by")
    page = Paginator(visits.order_by("-visited_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    can_write = request.user.role in STAFF
    categories = (
        category_labels(ServiceCategory.objects.filter(building_id=request.user.building_id, active=True))
        if can_write
        else []
    )
    return {"page": page, "can_write": can_write, "categories": categories}


@role_required(*STAFF)
def reception_create(request):
    if (first := submissions.first_result(request)) is not None:
        return first
    form = ReceptionVisitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with submissions.once(request, form, label="services.reception") as submission:
                visit = reception_record(recorded_by=request.user, **form.service_kwargs())
                submission.result_url = reverse("services:reception_list")
        except submissions.AlreadySubmitted as done:
            if done.response is not None:
                return done.response
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The visit of %(name)s is recorded.") % {"name": visit.visitor_name})
            return redirect("services:reception_list")
    return render(request, "services/reception/reception_form.html", {"form": form})


@require_POST
@role_required(*STAFF)
def reception_to_request(request, pk):
    visit = get_object_or_404(visits_for(request.user), pk=pk)
    form = ToRequestForm(request.POST, building_id=visit.building_id)
    if not form.is_valid():
        messages.error(request, _("Choose a category for the request."))
        return redirect("services:reception_list")
    try:
        service_request = turn_into_request(visit=visit, category=form.cleaned_data["category"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("services:reception_list")
    messages.success(
        request,
        _("Request “%(title)s” opened on behalf of %(name)s.")
        % {"title": service_request.title, "name": visit.visitor_name},
    )
    return redirect("services:reception_list")
