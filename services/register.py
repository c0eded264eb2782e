"""The service register (服务台账): one row per request, in the order they were submitted.

Headers and labels are fixed Chinese whatever the interface language, as in the other registers: the file goes
to the street and must read the same for everyone. Export only.
"""

from django.utils import timezone

from buildingparty import registers
from buildingparty.models import Role
from buildingparty.registers import Column, Register

from .models import ServiceRequest

NAME = "services"
TITLE = "服务台账"

_S = ServiceRequest.Status
STATUS = {
    _S.SUBMITTED: "已提交",
    _S.ACCEPTED: "已受理",
    _S.IN_PROGRESS: "办理中",
    _S.RESOLVED: "已办结",
    _S.CLOSED: "已关闭",
    _S.REJECTED: "已驳回",
    _S.WITHDRAWN: "已撤回",
}


def may_export(user) -> bool:
    return user.role in (Role.ADMIN, Role.SECRETARY)


def _requests_for(user):
    requests = ServiceRequest.objects.all() if user is None else ServiceRequest.objects.for_user(user)
    return requests.select_related("category", "requester", "organization", "enterprise", "assigned_to").order_by(
        "submitted_at", "pk"
    )


def where(request: ServiceRequest) -> str:
    """The requester's branch and/or enterprise."""
    parts = [request.organization.name if request.organization_id else ""]
    parts.append(request.enterprise.name if request.enterprise_id else "")
    return "／".join(p for p in parts if p)


def late(request: ServiceRequest, now=None):
    """Past its time limit: resolved or turned down after it, or still open after it. Withdrawn: no answer."""
    if request.status == _S.WITHDRAWN:
        return None
    if request.resolved_at is not None:
        return request.resolved_at > request.due_at
    if request.status == _S.REJECTED:
        return request.closed_at is not None and request.closed_at > request.due_at
    return (now or timezone.now()) > request.due_at


COLUMNS = [
    Column("编号", lambda r: r.pk, width=8),
    Column("提交时间", lambda r: r.submitted_at, width=17),
    Column("类别", lambda r: r.category.name, width=14),
    Column("主题", lambda r: r.title, width=36),
    Column("申请人", lambda r: r.requester.display_name, width=10),
    Column("所在支部/企业", where, width=32),
    Column("状态", lambda r: STATUS.get(r.status, ""), width=10),
    Column("承办人", lambda r: r.assigned_to.display_name if r.assigned_to_id else "", width=10),
    Column("办结时限", lambda r: r.due_at, width=17),
    Column("受理时间", lambda r: r.accepted_at, width=17),
    Column("办结时间", lambda r: r.resolved_at, width=17),
    Column("是否超时", late, width=8),
    Column("评分", lambda r: r.rating, width=6),
    Column("评价", lambda r: r.feedback, width=36),
]


def service_register(user=None) -> Register:
    return Register(name=NAME, title=TITLE, columns=COLUMNS, queryset=_requests_for, may_export=may_export)


registers.register(NAME, service_register)
