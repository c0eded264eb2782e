from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from buildingparty.models import Role
from buildingparty.scope import role_required

from ..models import Enterprise

PAGE_SIZE = 25


@role_required(Role.ADMIN, Role.SECRETARY, Role.STREET, Role.LIAISON)
def enterprise_list(request):
    enterprises = (
        Enterprise.objects.for_user(request.user).select_related("liaison").annotate(member_count=Count("members"))
    )
    q = request.GET.get("q", "").strip()
    if q:
        enterprises = enterprises.filter(Q(name__icontains=q) | Q(credit_code__iexact=q) | Q(room__icontains=q))
    page = Paginator(enterprises.order_by("floor", "room", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enterprises/enterprise_list.html", {"page": page, "q": q})


def enterprise_detail(request, pk):
    enterprise = get_object_or_404(
        Enterprise.objects.for_user(request.user)
        .select_related("building", "liaison")
        .annotate(member_count=Count("members")),
        pk=pk,
    )
    return render(request, "enterprises/enterprise_detail.html", {"enterprise": enterprise})


def my_enterprise(request):
    enterprise = Enterprise.objects.filter(contacts=request.user).only("pk").first()
    if enterprise is None:
        raise Http404
    return redirect(enterprise)


def _todo(request, *args, **kwargs):  # replaced as the registry pages are built
    raise Http404


enterprise_create = enterprise_edit = enterprise_move = coverage = _todo
