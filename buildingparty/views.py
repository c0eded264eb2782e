import threading
import time

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import dashboard, data_cache, jobs, outbox
from .models import PartyOrganization, Role
from .scope import role_required
from .selectors import last_heartbeat, member_counts_by_organization


def home(request):
    """Each role's own home page, assembled from the panels the apps register."""
    return render(request, "home.html", {"panels": dashboard.panels_for(request)})


@role_required(Role.ADMIN, Role.SECRETARY, Role.STREET)
def organization_list(request):
    # The tree is kept whole, as HTML, under the viewer's scope (``for_user`` looks at the role, building and branch
    # alone), the language and the day, until a table it was read from changes: a branch added or a member moved
    # shows on the next request.
    body = data_cache.page(
        request,
        "organization_list",
        "buildingparty/_organization_list_body.html",
        lambda: _organization_list(request),
        by="scope",
    )
    return render(request, "buildingparty/organization_list.html", {"body": body})


def _organization_list(request) -> dict:
    organizations = list(
        PartyOrganization.objects.for_user(request.user)
        .select_related("building", "parent")
        .order_by("building__name", "pk")
    )
    children = {}
    for org in organizations:
        children.setdefault(org.parent_id, []).append(org)
    visible = {o.pk for o in organizations}
    roots = [o for o in organizations if o.parent_id not in visible]
    counts = member_counts_by_organization(organizations)
    for org in organizations:
        org.member_count = counts[org.pk]
    return {"roots": roots, "children": children, "organizations": organizations}


def organization_detail(request, pk):
    organization = get_object_or_404(
        PartyOrganization.objects.for_user(request.user).select_related("building", "parent"), pk=pk
    )
    officers = organization.officers.filter(role=Role.SECRETARY)
    sub = list(organization.children.all())
    counts = member_counts_by_organization([organization, *sub])
    for org in sub:
        org.member_count = counts[org.pk]
    return render(
        request,
        "buildingparty/organization_detail.html",
        {
            "organization": organization,
            "officers": officers,
            "suborganizations": sub,
            "member_count": counts[organization.pk],
        },
    )


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """State of the database, the broker, the heartbeat, failed jobs and the outbox. 200 while the database
    answers, else 503; the broker is checked at most every ``BROKER_CHECK_SECONDS`` (``broker_state``)."""
    body = {"time": timezone.localtime().isoformat()}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body["database"] = "ok"
    except Exception as exc:  # any failure means the database is not answering
        body["database"] = f"error: {exc.__class__.__name__}"
        return JsonResponse(body, status=503)
    body["broker"] = broker_state()
    beat = last_heartbeat()
    body["heartbeat"] = None
    if beat:
        body["heartbeat"] = {
            "last": timezone.localtime(beat.beat_at).isoformat(),
            "age_seconds": round(beat.age_seconds, 1),
            "count": beat.count,
        }
    body["jobs"] = jobs.health()
    waiting = outbox.pending()
    body["outbox"] = {
        "unsent": waiting["unsent"],
        "oldest": timezone.localtime(waiting["oldest"]).isoformat() if waiting["oldest"] else None,
    }
    return JsonResponse(body, status=200)


# /healthz is polled often (load balancers, monitoring): the broker is asked at most once in this many seconds
# per process, over a pooled connection that stays open between checks; in between, the last answer stands.
BROKER_CHECK_SECONDS = 5
_clock = time.monotonic
_last_broker_check = {"url": None, "at": 0.0, "state": ""}
_broker_check_lock = threading.Lock()


def broker_state() -> str:
    """ "ok" or "unreachable: <error>", as last checked less than ``BROKER_CHECK_SECONDS`` ago (for this broker
    URL), else checked now. Requests arriving during a check wait for its answer rather than check again."""
    from .celery import app

    url = app.conf.broker_url
    with _broker_check_lock:
        last = _last_broker_check
        if last["url"] == url and _clock() - last["at"] < BROKER_CHECK_SECONDS:
            return last["state"]
        state = check_broker(app)
        last.update(url=url, at=_clock(), state=state)
        return state


def reset_broker_check() -> None:
    """Forget the last broker check (tests; the next /healthz asks the broker)."""
    with _broker_check_lock:
        _last_broker_check.update(url=None, at=0.0, state="")


def check_broker(app) -> str:
    """One round trip to the broker over a connection of the app's pool (PING for Redis); gives up after a
    couple of seconds."""
    try:
        with app.pool.acquire(block=True, timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            client = getattr(conn.default_channel, "client", None)  # Redis; the file broker has no server
            if client is not None:
                client.ping()
        return "ok"
    except Exception as exc:  # unreachable broker is a state to report, not a crash
        return f"unreachable: {exc.__class__.__name__}"


AUDIT_PAGE_SIZE = 50


@role_required(Role.ADMIN)
def audit_list(request):
    """Who looked at or took out personal data in this building (and what the command line did), newest first."""
    from django.core.paginator import Paginator
    from django.db.models import Q

    from .models import AuditRecord

    records = (
        AuditRecord.objects.filter(
            Q(building_id=request.user.building_id) | Q(building__isnull=True, actor__isnull=True)
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )
    action = request.GET.get("action", "")
    if action in AuditRecord.Action.values:
        records = records.filter(action=action)
    else:
        action = ""
    who = request.GET.get("who", "").strip()
    if who:
        records = records.filter(
            Q(actor__username__icontains=who) | Q(actor__name__icontains=who) | Q(actor_name__icontains=who)
        )
    page = Paginator(records, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "buildingparty/audit_list.html",
        {
            "page": page,
            "actions": AuditRecord.Action.choices,
            "action": action,
            "who": who,
        },
    )
