"""A cache for what is genuinely expensive to compute at district scale, dropped on every write (issue 15).

Two users: the home page's panels (``dashboard.register(..., cached_by="scope" | "user")``: a panel's rendered
HTML, "" when hidden, under the panel, the viewer's scope — role, building and organisation, which is all
``for_user`` looks at for admins, secretaries and street viewers — or the account, the language and the day), and
the aggregates of a few pages (``cached(name, parts, compute)``: the coverage report, the survey's tallies, the
points board's totals, the study hours, the meeting compliance grid's counts), always plain data. Every key holds
the **data version**.

The version changes on every write that can change what is cached. Rather than one signal per model (which
``QuerySet.update``, ``bulk_create`` and raw SQL never send), every statement the database connections execute is
looked at (``connection.execute_wrappers``): an INSERT, UPDATE, DELETE (or any statement that is not a plain read)
of a table not in ``IGNORED_MODELS`` bumps the version. So the ORM's saves and deletes, ``m2m`` changes, bulk
writes, imports, jobs, ``notify_bulk`` and ``seed_demo`` all invalidate alike, with nothing to remember at each
call site. Inside a transaction the version is bumped once when it commits (before that, other connections could
not see the change anyway), and the writing connection itself reads nothing cached until then. ``TIMEOUT`` is
only a backstop: it bounds how stale a value can be when a bump is lost (the cache unreachable at that moment).

The cache is a convenience, never a dependency: when it cannot be reached (Redis down), every lookup is a miss,
every store and bump is skipped with a warning in the log, and pages and writes go on as without it. Without
``REDIS_URL`` the cache is a folder under ``var/`` (``settings.CACHES``), shared by the web workers and the Celery
worker of one machine, so a write in one process is seen by the others at once.
"""

import hashlib
import logging
import re
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.utils import timezone, translation

log = logging.getLogger(__name__)

VERSION_KEY = "bp:panels:version"
TIMEOUT = 300  # seconds: a backstop only

# Writes to these never change what a cached panel shows: they would only empty the cache for nothing.
IGNORED_MODELS = (
    "sessions.Session",
    "admin.LogEntry",
    "buildingparty.AuditRecord",
    "buildingparty.Heartbeat",
    "buildingparty.JobRun",
    "buildingparty.OutboxMessage",
    "buildingparty.Notification",
    "buildingparty.FormSubmission",
)
IGNORED_PREFIXES = ("axes_", "django_celery_")

_READ = re.compile(r"\s*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|EXPLAIN|PRAGMA)\b", re.IGNORECASE)
_TABLE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)
_ignored_tables: frozenset | None = None


def _ignored() -> frozenset:
    global _ignored_tables
    if _ignored_tables is None:
        from django.apps import apps

        tables = set()
        for label in IGNORED_MODELS:
            try:
                tables.add(apps.get_model(label)._meta.db_table)
            except LookupError:
                pass
        _ignored_tables = frozenset(tables)
    return _ignored_tables


def _unreachable(action: str, error: Exception) -> None:
    log.warning("Panel cache unreachable (%s): %s: %s", action, type(error).__name__, error)


def version() -> str | None:
    """The current data version; None when the cache cannot be reached (then nothing is looked up or kept)."""
    try:
        current = cache.get(VERSION_KEY)
        if current is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            current = cache.get(VERSION_KEY)
    except Exception as error:  # noqa: BLE001 -- any backend's connection error: the cache is optional
        _unreachable("version", error)
        return None
    return current


def bump() -> None:
    """A new data version: every cached panel is recomputed on its next request."""
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception as error:  # noqa: BLE001 -- a write must never fail because the cache is down
        _unreachable("bump", error)


def _commit_bump() -> None:
    bump()


_commit_bump.bp_panel_bump = True


def _bump_pending(connection) -> bool:
    """This connection's transaction has written and will bump the version when it commits."""
    return connection.in_atomic_block and any(
        getattr(entry[1], "bp_panel_bump", False) for entry in connection.run_on_commit
    )


def _is_write(sql) -> bool:
    if not isinstance(sql, str) or _READ.match(sql):
        return False
    table = _TABLE.match(sql)
    if table is None:
        return True  # DDL, COPY, a raw statement: count it as a write
    name = table.group(1).rsplit(".", 1)[-1]
    return name not in _ignored() and not name.startswith(IGNORED_PREFIXES)


def _make_wrapper(connection):
    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if _is_write(sql):
            if connection.in_atomic_block:
                if not _bump_pending(connection):
                    transaction.on_commit(_commit_bump, using=connection.alias)
            else:
                bump()
        return result

    wrapper.bp_data_cache = True
    return wrapper


def watch(connection) -> None:
    """Look at the statements of this connection (once per connection object)."""
    if not any(getattr(w, "bp_data_cache", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_make_wrapper(connection))


def _on_connection_created(sender, connection, **kwargs):
    watch(connection)


connection_created.connect(_on_connection_created, dispatch_uid="bp_data_cache")


def scope_of(user, cached_by: str) -> str:
    if cached_by == "user":
        return f"u{user.pk}"
    return f"{user.role}:{user.building_id}:{user.organization_id}"


def key(panel_id: str, user, cached_by: str, data_version: str) -> str:
    today = timezone.localdate().isoformat()
    return f"bp:panelhtml:{data_version}:{panel_id}:{scope_of(user, cached_by)}:{translation.get_language()}:{today}"


def lookup(keys: list[str]) -> dict:
    from django.db import connection

    if not keys or _bump_pending(connection):
        return {}
    try:
        return cache.get_many(keys)
    except Exception as error:  # noqa: BLE001 -- a miss, as if nothing were cached
        _unreachable("lookup", error)
        return {}


def cached(name: str, parts, compute, timeout: int = TIMEOUT):
    """``compute()`` (plain data: numbers, strings, tuples, lists, dicts, sets), kept under ``name``, ``parts`` (what
    the value depends on besides the data: a year, a scope, a query; hashed) and the data version; computed each
    time when the cache cannot be reached."""
    data_version = version()
    if data_version is None:
        return compute()
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    key = f"bp:data:{data_version}:{name}:{digest}"
    value = lookup([key]).get(key)
    if value is None:
        value = compute()
        store({key: value}, timeout)
    return value


def store(values: dict, timeout: int = TIMEOUT) -> None:
    from django.db import connection

    if values and not _bump_pending(connection):
        try:
            cache.set_many(values, timeout)
        except Exception as error:  # noqa: BLE001 -- not kept: computed again next time
            _unreachable("store", error)
