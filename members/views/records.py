from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from buildingparty.models import Role
from buildingparty.scope import role_required

from ..models import Member

PAGE_SIZE = 25


@role_required(Role.ADMIN, Role.SECRETARY, Role.STREET)
def member_list(request):
    members = Member.objects.for_user(request.user).select_related("organization", "enterprise")
    q = request.GET.get("q", "").strip()
    if q:
        members = members.filter(Q(name__icontains=q) | Q(phone__contains=q) | Q(id_number__endswith=q))
    page = Paginator(members.order_by("organization__name", "name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "members/member_list.html", {"page": page, "q": q})


def member_detail(request, pk):
    member = get_object_or_404(
        Member.objects.for_user(request.user).select_related("organization", "enterprise", "user"), pk=pk)
    return render(request, "members/member_detail.html", {"member": member})


def my_record(request):
    member = Member.objects.filter(user=request.user).only("pk").first()
    if member is None:
        raise Http404
    return redirect(member)


def _todo(request, *args, **kwargs):  # replaced as the record pages are built
    raise Http404


member_create = member_edit = reveal_id = propose_change = change_status = mobile = lost_contact = _todo
proposal_list = proposal_decide = _todo
