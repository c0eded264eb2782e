"""Demo data for the Central Building (`manage.py seed_demo`).

This floor creates what it owns: the building, its party organisation tree and the demo accounts. Everything
else (enterprises, members, …) comes from a ``demo`` module in the app that owns it, which registers seed
steps here. ``run`` imports those modules by name, so the ground floor never imports a higher one.

Every step must be safe to run again: it generates the same rows in the same order every time and inserts
only the ones that are missing, so a second run changes nothing and a larger ``scale`` only adds rows.
"""

import datetime
import importlib
import importlib.util
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import OutputWrapper
from django.db import connection, transaction

from .models import Building, PartyOrganization, Role, User

DEMO_PASSWORD = "demo-pass-2026"
# Scale 100 is the district (24,100 enterprises, 5,200 members). Measured on PostgreSQL here (two cores, shared
# with other test runs, load 7 to 13): scale 20 took 197 s before the bulk writes and 100 s after; scale 100
# took 363 s of wall time, 43,346 queries, but 76 s of seeding CPU plus about 30 s of the database's, so about
# two minutes on an idle machine; it used to hang above 55 (names drawn until free). Rerun it when raising this.
MAX_SCALE = 100
# A demo name already taken is drawn again at most this often, then made unique by construction
# (enterprises/demo.py EnterpriseNames, members/demo.py PersonNames). The few redraws keep the names the first
# release drew at scale 1 (and so the demo databases seeded before); the bound keeps a large scale from hanging.
NAME_REDRAWS = 3

BUILDING = {"name": "中央大厦", "city": "慈溪市", "address": "浙江省慈溪市浒山街道新城大道北路188号", "floors": 28}
# The street's party working committee issues the building's transfer letters (DOMAIN.md §5).
ISSUING = {
    "issuing_committee": "中共慈溪市浒山街道工作委员会",
    "issuing_phone": "0574-63012345",
    "issuing_fax": "0574-63012346",
    "issuing_postcode": "315300",
}

GENERAL_BRANCH = "中央大厦联合党总支"
BRANCH_1 = "中央大厦第一党支部"
BRANCH_2 = "中央大厦第二党支部"
ECOMMERCE_BRANCH = "中央大厦电商企业联合支部"
SOCIAL_ORG_BRANCH = "中央大厦社会组织联合支部"
PROPERTY_BRANCH = "物业公司党支部"
GROUP_1_1 = "第一党支部第一党小组"
GROUP_1_2 = "第一党支部第二党小组"
GROUP_2_1 = "第二党支部第一党小组"
GROUP_2_2 = "第二党支部第二党小组"

_Kind = PartyOrganization.Kind

# Parents come before their children.
ORGANIZATIONS = [
    # (name, kind, parent, founded on)
    (GENERAL_BRANCH, _Kind.GENERAL_BRANCH, None, datetime.date(2010, 6, 28)),
    (BRANCH_1, _Kind.BRANCH, GENERAL_BRANCH, datetime.date(2010, 6, 28)),
    (BRANCH_2, _Kind.BRANCH, GENERAL_BRANCH, datetime.date(2012, 3, 15)),
    (ECOMMERCE_BRANCH, _Kind.JOINT_BRANCH, GENERAL_BRANCH, datetime.date(2014, 7, 1)),
    (SOCIAL_ORG_BRANCH, _Kind.JOINT_BRANCH, GENERAL_BRANCH, datetime.date(2016, 5, 20)),
    (PROPERTY_BRANCH, _Kind.BRANCH, GENERAL_BRANCH, datetime.date(2010, 6, 28)),
    (GROUP_1_1, _Kind.GROUP, BRANCH_1, datetime.date(2015, 4, 10)),
    (GROUP_1_2, _Kind.GROUP, BRANCH_1, datetime.date(2015, 4, 10)),
    (GROUP_2_1, _Kind.GROUP, BRANCH_2, datetime.date(2017, 9, 8)),
    (GROUP_2_2, _Kind.GROUP, BRANCH_2, datetime.date(2017, 9, 8)),
]


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    role: str
    phone: str
    organization: str | None = None
    in_building: bool = True
    is_staff: bool = False


# member1's Member record takes this account's name and phone, and is a woman (members/demo.py).
ACCOUNTS = [
    Account("admin", "沈建国", Role.ADMIN, "13857410001", is_staff=True),
    Account("secretary1", "王海燕", Role.SECRETARY, "13857410002", organization=BRANCH_1),
    Account("secretary2", "陈志强", Role.SECRETARY, "13857410003", organization=BRANCH_2),
    Account("liaison1", "李晓峰", Role.LIAISON, "13857410004"),
    Account("liaison2", "张丽萍", Role.LIAISON, "13857410005"),
    Account("liaison3", "胡斌", Role.LIAISON, "13857410006"),
    Account("member1", "林晓燕", Role.MEMBER, "13857410007"),
    Account("contact1", "孙立新", Role.CONTACT, "13857410008"),
    Account("street1", "杨卫东", Role.STREET, "13857410009", in_building=False),
]


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """2 → 二, 10 → 十, 21 → 二十一, 105 → 一百零五, 2026 → 二千零二十六: numbered offices (第二分公司) at any
    scale."""
    if not 0 < n < 100_000:
        raise ValueError(n)
    if n < 20:
        return ("十" if n >= 10 else "") + (_DIGITS[n % 10] if n % 10 or n < 10 else "")
    text, zero = "", False
    for value, unit in ((10_000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            text += ("零" if zero else "") + _DIGITS[digit] + unit
            zero = False
        elif text:
            zero = True
    return text


def bulk_save(model, objs: list, fields: list[str], *, batch_size: int = 1000) -> None:
    """Write ``fields`` of rows loaded from the database back in a few statements.

    ``bulk_update`` builds a CASE WHEN per field and row, which at district scale took minutes (120,000
    attendance rows). An INSERT … ON CONFLICT (id) DO UPDATE of the whole rows does the same in seconds on
    PostgreSQL and SQLite, keeps every primary key and goes through each field's ``get_db_prep_save``.

    An insert stamps ``auto_now``/``auto_now_add`` fields with the present moment; a stamp being written back
    (a demo row dated to when it happened) has them switched off meanwhile (seeding runs in one thread).
    """
    if not objs:
        return
    stamps = [
        (f, f.auto_now, f.auto_now_add)
        for f in model._meta.concrete_fields
        if f.name in fields and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
    ]
    try:
        for f, _now, _add in stamps:
            f.auto_now = f.auto_now_add = False
        model.objects.bulk_create(
            objs,
            batch_size=batch_size,
            update_conflicts=True,
            unique_fields=[model._meta.pk.name],
            update_fields=fields,
        )
    finally:
        for f, now, add in stamps:
            f.auto_now, f.auto_now_add = now, add


@dataclass(frozen=True)
class Step:
    order: int
    fn: Callable  # (*, building, scale, stdout) -> None


_steps: dict[str, Step] = {}


def register(*, order: int = 50):
    """Register a seed step; lower ``order`` runs first."""

    def decorator(fn):
        # Keyed by name so a module imported twice still registers its step once.
        _steps[f"{fn.__module__}.{fn.__qualname__}"] = Step(order=order, fn=fn)
        return fn

    return decorator


def discover_steps() -> list[Step]:
    """Import each installed app's ``demo`` module (which registers its steps) and return the steps in order."""
    for config in apps.get_app_configs():
        module = f"{config.name}.demo"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    return [_steps[key] for key in sorted(_steps, key=lambda key: (_steps[key].order, key))]


def run(*, scale: int = 1, stdout=None) -> Building:
    """Create the demo building, or complete it, in one transaction.

    1. The building, its organisation tree and the demo accounts.
    2. Every registered step, in order (enterprises before members: members work for enterprises).

    ``scale`` multiplies the generated enterprises and members; the rows for a smaller scale are always the
    first rows of a larger one.
    """
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE}")
    out = stdout if isinstance(stdout, OutputWrapper) else OutputWrapper(stdout or io.StringIO())
    steps = discover_steps()
    with transaction.atomic():
        building, _ = Building.objects.get_or_create(name=BUILDING["name"], defaults={**BUILDING, **ISSUING})
        if not building.issuing_committee:
            Building.objects.filter(pk=building.pk).update(**ISSUING)
            building.refresh_from_db()
        organizations = _ensure_organizations(building)
        out.write(f"楼宇：{building.name}（{building.city}，{building.floors} 层）")
        out.write(
            f"党组织：{GENERAL_BRANCH}，下设支部 "
            f"{sum(1 for o in organizations.values() if o.kind in (_Kind.BRANCH, _Kind.JOINT_BRANCH))} 个、"
            f"党小组 {sum(1 for o in organizations.values() if o.kind == _Kind.GROUP)} 个"
        )
        _ensure_accounts(building, organizations, out)
        for step in steps:
            step.fn(building=building, scale=scale, stdout=out)
    _analyze()
    return building


def _analyze() -> None:
    """On PostgreSQL, refresh the planner's statistics after the bulk load: with none (a server without
    autovacuum, or in the minute before it runs) the planner takes a district's 24,000 enterprises for a few
    dozen and picks nested loops that turn the survey's 80 ms overview into 50 s."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _ensure_organizations(building: Building) -> dict[str, PartyOrganization]:
    organizations = {o.name: o for o in PartyOrganization.objects.filter(building=building)}
    for name, kind, parent, founded_on in ORGANIZATIONS:
        if name not in organizations:
            organizations[name] = PartyOrganization.objects.create(
                building=building,
                name=name,
                kind=kind,
                founded_on=founded_on,
                parent=organizations[parent] if parent else None,
            )
    return organizations


def _ensure_accounts(building: Building, organizations: dict[str, PartyOrganization], out) -> None:
    """Create the missing demo accounts. An existing account is left exactly as it is, password included:
    a re-run must never bring a published password back onto an account somebody has secured.

    Hashing costs about 0.2 s, so the new accounts share one hash (their password is published anyway).
    """
    existing = set(User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list("username", flat=True))
    shared_hash = None
    for account in ACCOUNTS:
        if account.username in existing:
            continue
        shared_hash = shared_hash or make_password(DEMO_PASSWORD)
        User.objects.create(
            username=account.username,
            password=shared_hash,
            name=account.name,
            phone=account.phone,
            email=f"{account.username}@demo.local",
            role=account.role,
            is_staff=account.is_staff,
            building=building if account.in_building else None,
            organization=organizations[account.organization] if account.organization else None,
        )
