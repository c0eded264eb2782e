"""Study-material library views: the catalogue (with a member's own loans), the admins' catalogue entry,
a member's loan request, and the desk's loan list with lending and returns.

Each view: check the role (403), fetch through ``materials_for`` / ``loans_for`` (404 out of scope), call a
service from ``services.library``; a refusal becomes a message, the services being atomic.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buildingparty import data_cache, submissions
from buildingparty.models import Role
from buildingparty.scope import role_required

from .. import library
from ..library_forms import LendForm, LoanFilterForm, MaterialForm
from ..models import Loan, Material

PAGE_SIZE = 25
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)
DESK = (Role.ADMIN, Role.SECRETARY)


def _loans(user):
    return library.loans_for(user).select_related("material", "member", "member__organization", "handled_by")


# --- the catalogue -----------------------------------------------------------------------------------------


def material_list(request):
    # The catalogue is kept whole, as HTML, per account (a member sees her own loans and which copies she may
    # borrow), the query, the language and the day (a loan overdue is a matter of dates), until a table it was read
    # from changes: a loan requested, lent or returned, or a material edited, shows on the next request.
    body = data_cache.page(
        request,
        "services:material_list",
        "services/library/_material_list_body.html",
        lambda: _material_list(request),
        by="user",
    )
    return render(request, "services/library/material_list.html", {"body": body})


def _material_list(request) -> dict:
    user = request.user
    materials = library.with_availability(library.materials_for(user))
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        materials = materials.filter(Q(title__icontains=q) | Q(author__icontains=q))
    if kind in Material.Kind.values:
        materials = materials.filter(kind=kind)
    page = Paginator(materials.order_by("kind", "title", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    member = library.own_member(user) if user.role != Role.STREET else None
    my_loans, borrowing = [], set()
    if member is not None:
        my_loans = list(
            member.loans.filter(Q(status__in=Loan.ACTIVE_STATUSES) | Q(returned_on__isnull=False))
            .select_related("material")
            .order_by("-requested_at", "-pk")[:10]
        )
        borrowing = {loan.material_id for loan in my_loans if loan.status in Loan.ACTIVE_STATUSES}
    today = timezone.localdate()
    for loan in my_loans:
        loan.overdue = loan.is_overdue(today)
    return {
        "page": page,
        "q": q,
        "kind": kind,
        "kinds": Material.Kind.choices,
        "member": member,
        "my_loans": my_loans,
        "borrowing": borrowing,
        "at_limit": sum(1 for loan in my_loans if loan.status in Loan.ACTIVE_STATUSES) >= library.loan_limit(),
        "loan_limit": library.loan_limit(),
        "can_edit": user.role == Role.ADMIN,
        "can_see_loans": user.role in READERS,
        "filtered": bool(request.GET),
    }


@role_required(Role.ADMIN)
def material_create(request):
    if (first := submissions.first_result(request)) is not None:
        return first
    form = MaterialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with submissions.once(request, form, label="services.material") as submission:
                material = form.save(commit=False)
                material.building_id = request.user.building_id
                material.save()
                submission.result_url = reverse("services:material_list")
        except submissions.AlreadySubmitted as done:
            return done.response or render(request, "services/library/material_form.html", {"form": form})
        messages.success(request, _("“%(title)s” is in the catalogue.") % {"title": material.title})
        return redirect("services:material_list")
    return render(request, "services/library/material_form.html", {"form": form})


@role_required(Role.ADMIN)
def material_edit(request, pk):
    material = get_object_or_404(library.materials_for(request.user), pk=pk)
    form = MaterialForm(request.POST or None, instance=material)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("“%(title)s” is saved.") % {"title": material.title})
        return redirect("services:material_list")
    return render(request, "services/library/material_form.html", {"form": form, "material": material})


@require_POST
def loan_request(request, pk):
    material = get_object_or_404(library.materials_for(request.user), pk=pk)
    member = library.own_member(request.user) if request.user.role != Role.STREET else None
    if member is None:
        raise PermissionDenied  # only a party member with their own record borrows
    try:
        library.loan_request(material=material, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except IntegrityError:  # a second click raced the first past the checks
        messages.error(request, _("You have already requested or borrowed this material."))
    else:
        messages.success(
            request,
            _("Requested “%(title)s”. Collect it at the library; staff will lend it to you.")
            % {"title": material.title},
        )
    return redirect("services:material_list")


# --- the desk ----------------------------------------------------------------------------------------------


@role_required(*READERS)
def loan_list(request):
    today = timezone.localdate()
    form = LoanFilterForm(request.GET or None)
    loans = _loans(request.user)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if status == LoanFilterForm.OVERDUE:
        loans = library.overdue(loans, today)
    elif status:
        loans = loans.filter(status=status)
    overdue_count = library.overdue(library.loans_for(request.user), today).count()
    page = Paginator(loans.order_by("-requested_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    for loan in page:
        loan.overdue = loan.is_overdue(today)
        loan.days_overdue = (today - loan.due_on).days if loan.overdue else 0
    return render(
        request,
        "services/library/loan_list.html",
        {
            "page": page,
            "form": form,
            "overdue_count": overdue_count,
            "can_lend": request.user.role in DESK,
            "lend_form": LendForm(),
        },
    )


def _desk_loan(request, pk) -> Loan:
    loan = get_object_or_404(_loans(request.user), pk=pk)
    if not library.can_manage_loan(request.user, loan):
        raise PermissionDenied
    return loan


@require_POST
@role_required(*DESK)
def loan_lend(request, pk):
    loan = _desk_loan(request, pk)
    form = LendForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("services:loan_list")
    try:
        loan = library.loan_lend(loan=loan, by=request.user, due_on=form.cleaned_data["due_on"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(title)s” lent to %(name)s, due back on %(due)s.")
            % {"title": loan.material.title, "name": loan.member.name, "due": f"{loan.due_on:%Y-%m-%d}"},
        )
    return redirect("services:loan_list")


@require_POST
@role_required(*DESK)
def loan_return(request, pk):
    loan = _desk_loan(request, pk)
    try:
        loan = library.loan_return(loan=loan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("“%(title)s” returned by %(name)s.") % {"title": loan.material.title, "name": loan.member.name}
        )
    return redirect("services:loan_list")
