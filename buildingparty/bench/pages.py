"""The main pages against a trivial page and against the Django admin's changelist of the same model.

Each page is fetched in-process with ``django.test.Client`` as a demo account, in interleaved rounds (page,
trivial, admin, page, trivial, admin …) after one warm-up of each, so a slow moment of the machine falls on all
three alike; the medians are compared. The queries of one more fetch of the page are counted.
"""

import statistics
import time
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from buildingparty import data_cache
from buildingparty.context_processors import NAV, Group, _visible
from buildingparty.models import User

# A page slower than this at its warm-up is timed once, not ``rounds`` times.
SLOW_SECONDS = 3.0

ROLES = ["admin", "secretary1", "secretary2", "liaison1", "member1", "contact1", "street1"]

# The page's model, for the admin changelist it is measured against (used only where the admin registers it).
ADMIN_MODEL = {
    "members:list": "members.Member",
    "members:detail": "members.Member",
    "members:transfer_list": "members.Transfer",
    "members:proposals": "members.ChangeProposal",
    "enterprises:list": "enterprises.Enterprise",
    "enterprises:detail": "enterprises.Enterprise",
    "enterprises:coverage": "enterprises.Enterprise",
    "dues:month": "dues.DuesBill",
    "dues:arrears": "dues.DuesBill",
    "dues:ledger": "dues.DuesBill",
    "dues:standards": "dues.DuesStandard",
    "dues:standard": "dues.DuesStandard",
    "survey:campaign_list": "survey.SurveyCampaign",
    "survey:campaign_detail": "survey.SurveyCampaign",
    "points:board": "points.PointEntry",
    "services:list": "services.ServiceRequest",
    "meetings:list": "meetings.Meeting",
    "notices:board": "notices.Notice",
    "study:session_list": "study.StudySession",
    "visits:list": "visits.HomeVisit",
    "visits:hardship": "visits.HardshipRecord",
    "duty:teams": "duty.DutyTeam",
    "funds:list": "funds.FundEntry",
    "rooms:week": "rooms.RoomBooking",
    "showcase:index": "showcase.ShowcaseProfile",
    "showcase:manage": "showcase.ShowcaseProfile",
    "committees:list": "committees.CommitteeTerm",
    "organization_list": "buildingparty.PartyOrganization",
    "audit_list": "buildingparty.AuditRecord",
    "services:material_list": "services.Material",
    "services:reception_list": "services.ReceptionVisit",
}

BENCH_SETTINGS = {
    "ROOT_URLCONF": "buildingparty.bench.urls",
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    "REQUIRE_2FA": False,
}


@dataclass
class Page:
    role: str
    name: str  # URL name, or a label for a detail page
    url: str
    admin_url: str = ""
    status: int | str = ""
    size: int = 0
    queries: int = 0
    page_s: float = 0.0
    trivial_s: float = 0.0
    admin_s: float | None = None
    admin_status: int | str = ""
    rounds: int = 0
    first_s: float = 0.0  # the first fetch, right after a write: every cached value computed again

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def x_trivial(self) -> float | None:
        return self.page_s / self.trivial_s if self.ok and self.trivial_s else None

    @property
    def x_trivial_first(self) -> float | None:
        return self.first_s / self.trivial_s if self.ok and self.trivial_s else None

    @property
    def x_admin(self) -> float | None:
        return self.page_s / self.admin_s if self.ok and self.admin_s else None


def _admin_url(name: str) -> str:
    label = ADMIN_MODEL.get(name)
    if not label:
        return ""
    try:
        model = apps.get_model(label)
    except LookupError:
        return ""
    if not admin.site.is_registered(model):
        return ""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _nav_names(user) -> list[str]:
    names = []
    for entry in NAV:
        for item in entry.items if isinstance(entry, Group) else (entry,):
            if _visible(item, user):
                names.append(item.name)
    return names


def _details(user) -> list[tuple[str, str]]:
    """The detail pages measured for the building admin: the first member, enterprise, standard and survey."""
    Member = apps.get_model("members", "Member")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    DuesStandard = apps.get_model("dues", "DuesStandard")
    SurveyCampaign = apps.get_model("survey", "SurveyCampaign")
    details = []
    member = Member.objects.for_user(user).order_by("pk").first()
    if member:
        details.append(("members:detail", reverse("members:detail", args=[member.pk])))
    enterprise = Enterprise.objects.filter(building_id=user.building_id).order_by("pk").first()
    if enterprise:
        details.append(("enterprises:detail", reverse("enterprises:detail", args=[enterprise.pk])))
    standard = (
        DuesStandard.objects.filter(member__organization__building_id=user.building_id, status="confirmed")
        .order_by("-year", "member_id")
        .first()
    )
    if standard:
        details.append(("dues:standard", reverse("dues:standard", args=[standard.member_id, standard.year])))
    campaign = SurveyCampaign.objects.filter(building_id=user.building_id).order_by("-pk").first()
    if campaign:
        details.append(("survey:campaign_detail", reverse("survey:campaign_detail", args=[campaign.pk])))
    return details


def prepare_users(roles: list[str]) -> dict[str, User]:
    """The demo accounts, made staff with the view permission of every model measured against (this is the
    throwaway database: the admin changelists need it)."""
    users = {u.username: u for u in User.objects.filter(username__in=roles)}
    codenames = []
    for label in set(ADMIN_MODEL.values()):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        codenames.append((model._meta.app_label, f"view_{model._meta.model_name}"))
    permissions = [
        p
        for p in Permission.objects.select_related("content_type")
        if (p.content_type.app_label, p.codename) in set(codenames)
    ]
    for user in users.values():
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.user_permissions.add(*permissions)
    return users


def page_list(users: dict[str, User], names: list[str] | None = None) -> list[Page]:
    pages = []
    for role in ROLES:
        user = users.get(role)
        if user is None:
            continue
        named = [(name, reverse(name)) for name in _nav_names(user)]
        if role == "admin":
            named += _details(user)
        seen = set()
        for name, url in named:
            if url in seen or (names and name not in names):
                continue
            seen.add(url)
            pages.append(Page(role=role, name=name, url=url, admin_url=_admin_url(name)))
    return pages


def _get(client: Client, url: str, *, raw: bool = False) -> tuple[float, int | str, bytes]:
    started = time.perf_counter()
    try:
        response = client.get(url)
    except Exception as exc:  # a page that raises is reported, not fatal to the run
        return time.perf_counter() - started, f"error: {exc.__class__.__name__}: {exc}"[:120], b""
    elapsed = time.perf_counter() - started
    if raw:
        return elapsed, response.status_code, response
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return elapsed, response.status_code, content


def measure(
    *, rounds: int = 5, roles: list[str] | None = None, names: list[str] | None = None, progress=None
) -> list[Page]:
    """Measure every page of ``page_list`` (of ``roles``, named ``names``); ``progress(page)`` after each one."""
    with override_settings(**BENCH_SETTINGS, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        users = prepare_users(roles or ROLES)
        pages = page_list(users, names)
        trivial_url = reverse("bench_trivial")
        clients = {}
        for role, user in users.items():
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            clients[role] = client
        for page in pages:
            _measure_page(page, clients[page.role], trivial_url, rounds)
            if progress:
                progress(page)
    return pages


class _QueryCounter:
    """Counts the queries a request runs (not CaptureQueriesContext: each request start clears the query log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _measure_page(page: Page, client: Client, trivial_url: str, rounds: int) -> None:
    """Warm up the three once, then time them in turns; the queries of the page's last round are counted.

    The warm-up comes right after a new version of all the data (``data_cache.bump()``: of every table), so it is
    the page's cost when nothing it caches is there yet: reported beside the median as "first ms"."""
    data_cache.bump()
    elapsed, status, response = _get(client, page.url, raw=True)
    if status in (301, 302) and not response["Location"].startswith(reverse(settings.LOGIN_URL)):
        # A page that sends this account on (showcase → its own card): measure where it leads.
        page.url = response["Location"]
        elapsed, status, response = _get(client, page.url, raw=True)
    if status != 200:
        page.status = status
        return
    page.first_s = elapsed
    if elapsed > SLOW_SECONDS:
        rounds = 1  # far off its limit whatever the noise; more rounds would only make the run long
    page.rounds = rounds
    _, status, _ = _get(client, trivial_url)
    if status != 200:
        page.status = f"trivial page: {status}"
        return
    if page.admin_url:
        _, page.admin_status, _ = _get(client, page.admin_url)
        if page.admin_status != 200:
            page.admin_url = ""
    page_times, trivial_times, admin_times = [], [], []
    for _ in range(rounds):
        queries = _QueryCounter()
        with connection.execute_wrapper(queries):
            elapsed, status, content = _get(client, page.url)
        if status != 200:
            page.status = status
            return
        page_times.append(elapsed)
        trivial_times.append(_get(client, trivial_url)[0])
        if page.admin_url:
            admin_times.append(_get(client, page.admin_url)[0])
    page.status = status
    page.size = len(content)
    page.queries = queries.count
    page.page_s = statistics.median(page_times)
    page.trivial_s = statistics.median(trivial_times)
    page.admin_s = statistics.median(admin_times) if admin_times else None
