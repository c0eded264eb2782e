"""A cache for what is genuinely expensive to compute at district scale, dropped on writes (issue 15).

Two kinds of users:

- The home page's panels (``dashboard.register(..., cached_by="scope" | "user")``): a panel's rendered HTML, ""
  when hidden, under the panel, the viewer's scope (role, building and organisation, which is all ``for_user``
  looks at for admins, secretaries and street viewers) or the account, the language and the day. Every key holds
  the **data version**, new on every write.
- ``cached(name, parts, compute)``: a page's aggregates (the coverage report, the survey's tallies, the points
  board's totals, the study hours, the compliance grid's counts) or a page's whole content (``page``: the member
  list …, rendered by ``render`` with nothing of the viewer in it). Each value is kept with the **versions of the
  tables it was read from**: the tables its queries named, found as they ran. A write to the dues leaves the
  member list kept; a write to a member drops it.

Writes are found without one signal per model (which ``QuerySet.update``, ``bulk_create`` and raw SQL never send):
every statement the database connections execute is looked at (``connection.execute_wrappers``). An INSERT,
UPDATE or DELETE gives its table a new version, and the data as a whole too unless the table is the platform's
bookkeeping (``IGNORED_MODELS``: runs, notifications, the outbox, audit records …, which no panel shows); any
other statement that is not a plain read (a CTE, DDL, COPY) does so for every table it names. The session and
Axes tables, written on every request, are not looked at (``SILENT_MODELS``), nor a sign-in's ``last_login``.
A request notes every table it reads (``DataCacheReadsMiddleware``): a kept page depends on those read before it
was built too. So the ORM's saves and
deletes, ``m2m`` changes, bulk writes, imports, jobs and ``seed_demo`` all invalidate alike, with nothing to
remember at each call site. Inside a transaction the versions change once, when it commits (before that, other
connections could not see the change anyway), and the writing connection itself reads nothing cached until then.
``TIMEOUT`` is only a backstop: it bounds how stale a value can be when a bump is lost (the cache unreachable at
that moment).

The cache is a convenience, never a dependency: when it cannot be reached (Redis down), every lookup is a miss,
every store and bump is skipped with a warning in the log, and pages and writes go on as without it. Without
``REDIS_URL`` the cache is a folder under ``var/`` (``settings.CACHES``), shared by the web workers and the Celery
worker of one machine, so a write in one process is seen by the others at once.
"""

import contextlib
import contextvars
import hashlib
import logging
import re
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.middleware.csrf import get_token
from django.template import Context, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

log = logging.getLogger(__name__)

VERSION_KEY = "bp:panels:version"  # the version of all the data: new on every write (the home panels)
TABLE_KEY = "bp:tv:"  # + a table: the version of that table's data (``cached``)
WRITES_KEY = "bp:writes"  # new on every write of any table: ``cached`` keeps nothing computed across one
TIMEOUT = 300  # seconds: a backstop only

# Writes to these never change what a home panel shows: they give their own table a new version (a page kept from
# them, the jobs page, is dropped) but not the data as a whole (``VERSION_KEY``, the panels').
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
# Written on every request (the session) or sign-in attempt (Axes): never looked at, nothing kept may show them.
SILENT_MODELS = ("sessions.Session",)
SILENT_PREFIXES = ("axes_",)
# A sign-in writes the account's last_login, which nothing kept shows: it would drop every page read from the user
# table at each sign-in.
_IGNORED_STATEMENT = re.compile(
    r'\s*UPDATE "buildingparty_user" SET "last_login" = %s WHERE "buildingparty_user"."id" = %s\s*$'
)

_READ = re.compile(r"\s*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|EXPLAIN|PRAGMA)\b", re.IGNORECASE)
_TABLE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)
_WORD = re.compile(r"\w+")
_ignored_tables: frozenset | None = None
_silent_tables: frozenset | None = None
_all_tables: frozenset | None = None
# Tests of kept pages set this (the ``kept_pages_at_once`` fixture): inside a test's transaction, which never
# commits, each write gives its tables a new version at once, as its commit would.
BUMP_AT_ONCE = False
# The tables read while ``cached`` computes a value, one set per ``cached`` call under way (they nest).
_reading: contextvars.ContextVar[tuple] = contextvars.ContextVar("bp_data_cache_reading", default=())


def _model_tables(labels) -> frozenset:
    from django.apps import apps

    tables = set()
    for label in labels:
        try:
            tables.add(apps.get_model(label)._meta.db_table)
        except LookupError:
            pass
    return frozenset(tables)


def _ignored() -> frozenset:
    global _ignored_tables
    if _ignored_tables is None:
        _ignored_tables = _model_tables(IGNORED_MODELS)
    return _ignored_tables


def _silent() -> frozenset:
    global _silent_tables
    if _silent_tables is None:
        _silent_tables = _model_tables(SILENT_MODELS)
    return _silent_tables


def _changes_panels(tables) -> bool:
    return any(t not in _ignored() and not t.startswith(IGNORED_PREFIXES) for t in tables)


def _tables() -> frozenset:
    """Every table of the project's models (``m2m`` tables included) whose writes count."""
    global _all_tables
    if _all_tables is None:
        from django.apps import apps

        names = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
        _all_tables = frozenset(n for n in names if n not in _silent() and not n.startswith(SILENT_PREFIXES))
    return _all_tables


def _named_tables(sql: str) -> set[str]:
    """The project's tables a statement names, quoted or not, wherever (FROM, JOIN, subqueries, raw SQL)."""
    return set(_WORD.findall(sql)) & _tables()


def _unreachable(action: str, error: Exception) -> None:
    log.warning("Panel cache unreachable (%s): %s: %s", action, type(error).__name__, error)


def _current(key: str, found: str | None) -> str:
    """The version kept at ``key`` (``found``, if already read), made first if no write has given one yet (``add``:
    two processes making it at once agree on one)."""
    if found is None:
        cache.add(key, uuid.uuid4().hex, None)
        found = cache.get(key)
    return found


def version() -> str | None:
    """The current data version; None when the cache cannot be reached (then nothing is looked up or kept)."""
    try:
        current = _current(VERSION_KEY, cache.get(VERSION_KEY))
    except Exception as error:  # noqa: BLE001 -- any backend's connection error: the cache is optional
        _unreachable("version", error)
        return None
    return current


def bump(tables=None) -> None:
    """A new data version, and a new version of each of ``tables`` (written; None: every table): whatever was
    cached from them is computed again on its next request."""
    if tables is None:
        tables = _tables()
    new = uuid.uuid4().hex
    values = {TABLE_KEY + table: new for table in tables}
    values[WRITES_KEY] = new
    if not tables or _changes_panels(tables):
        values[VERSION_KEY] = new
    try:
        cache.set_many(values, None)
    except Exception as error:  # noqa: BLE001 -- a write must never fail because the cache is down
        _unreachable("bump", error)


class _CommitBump:
    """The bump a transaction owes when it commits, with the tables it wrote so far."""

    bp_panel_bump = True

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self):
        bump(self.tables)


def _pending_bump(connection) -> _CommitBump | None:
    if not connection.in_atomic_block:
        return None
    for entry in connection.run_on_commit:
        if getattr(entry[1], "bp_panel_bump", False):
            return entry[1]
    return None


def _bump_pending(connection) -> bool:
    """This connection's transaction has written and will bump the version when it commits."""
    return _pending_bump(connection) is not None


def _written(sql) -> set[str] | None:
    """The tables a statement writes: None for a read (or a write of a silent table); for a statement that is not a
    plain INSERT, UPDATE or DELETE (a CTE, DDL, COPY, raw SQL), every table it names."""
    if not isinstance(sql, str) or _READ.match(sql) or _IGNORED_STATEMENT.match(sql):
        return None
    table = _TABLE.match(sql)
    if table is not None:
        name = table.group(1).rsplit(".", 1)[-1]
        if name in _silent() or name.startswith(SILENT_PREFIXES):
            return None
        return {name}
    return _named_tables(sql)


def _is_write(sql) -> bool:
    return _written(sql) is not None


def _make_wrapper(connection):
    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        reading = _reading.get()
        if reading and isinstance(sql, str):
            tables = _named_tables(sql)
            for found in reading:
                found.update(tables)
        written = _written(sql)
        if written is not None:
            if connection.in_atomic_block and not BUMP_AT_ONCE:
                pending = _pending_bump(connection)
                if pending is None:
                    pending = _CommitBump()
                    transaction.on_commit(pending, using=connection.alias)
                pending.tables.update(written)
            else:
                bump(written)
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
    """The viewer's part of a key: role, building and organisation, and for ``"user"`` the account too (so a
    change of role or branch is never served what the account saw before, whatever the page read)."""
    scope = f"{user.role}:{user.building_id}:{user.organization_id}"
    return f"u{user.pk}:{scope}" if cached_by == "user" else scope


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


def _table_versions(tables) -> dict[str, str]:
    """The current version of each table (a table never written since the cache was emptied is given one)."""
    keys = [TABLE_KEY + t for t in tables]
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        for k in missing:
            cache.add(k, uuid.uuid4().hex, None)
        found.update(cache.get_many(missing))
    return {k[len(TABLE_KEY) :]: found.get(k) for k in keys}


@contextlib.contextmanager
def recording_reads():
    """Note the tables every query reads from here on (``buildingparty.middleware.DataCacheReadsMiddleware``, for
    a whole request), so that a page kept by ``page_with`` also depends on what the view read before building it:
    the object it looked up first, the viewer's account."""
    token = _reading.set((*_reading.get(), set()))
    try:
        yield
    finally:
        _reading.reset(token)


def _read_so_far() -> set[str]:
    return set().union(*_reading.get())


def cached(name: str, parts, compute, timeout: int = TIMEOUT, *, reads=()):
    """``compute()`` (plain data: numbers, strings, tuples, lists, dicts, sets, or a page's rendered HTML), kept under
    ``name`` and ``parts`` (what the value depends on besides the data: a year, a scope, a query; hashed).

    The tables the value was computed from are the ones its queries named, found as they run, so nothing has to be
    declared and nothing read can be forgotten. The value is kept with each table's version and served while none
    of them has changed: a write to the dues does not drop the member list. A value computed while anything was
    written anywhere is not kept (it might mix the data before and after). Computed each time when the cache
    cannot be reached, and by a connection holding writes not committed yet. ``reads``: tables the value depends on
    besides those ``compute`` reads."""
    from django.db import connection

    if _bump_pending(connection):
        return compute()
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    key = f"bp:data:{name}:{digest}"
    try:
        found = cache.get_many([key, WRITES_KEY])
        before = _current(WRITES_KEY, found.get(WRITES_KEY))
        entry = found.get(key)
        if entry is not None:
            versions, value = entry
            if _table_versions(versions) == versions:
                for reading in _reading.get():  # a ``cached`` around this one depends on these tables too
                    reading.update(versions)
                return value
    except Exception as error:  # noqa: BLE001 -- a miss, as if nothing were cached
        _unreachable("lookup", error)
        return compute()
    tables: set[str] = set(reads)
    token = _reading.set((*_reading.get(), tables))
    try:
        value = compute()
    finally:
        _reading.reset(token)
    if before is None or _bump_pending(connection):
        return value
    try:
        versions = _table_versions(sorted(tables))
        if cache.get(WRITES_KEY) == before:  # nothing written while computing
            cache.set(key, (versions, value), timeout)
    except Exception as error:  # noqa: BLE001 -- not kept: computed again next time
        _unreachable("store", error)
    return value


# What a kept template must not read: the viewer. Reading one raises, so a page that would keep one viewer's HTML
# for another fails its tests instead.
NOT_KEPT = frozenset({"user", "perms", "messages", "request_user"})
# ``{% csrf_token %}`` in kept HTML writes this; ``page`` puts the request's own token in its place.
CSRF_PLACEHOLDER = "bp-kept-csrf-token-8f2c1e"
# A one-time form token (``buildingparty.submissions``) in kept HTML: a form of a kept page sets this as its token's
# initial value, and ``page`` puts a new token in its place for each request, as without the cache (two tabs of the
# page are two submissions, not one sent twice).
ONCE_PLACEHOLDER = "bp-kept-once-token-5c1d7a"


class KeptContext(Context):
    """The context of a kept template: reading ``user``, ``perms`` or ``messages`` raises (a plain missing variable
    would print as nothing, and the page would be wrong only for some viewers); it does not claim to hold them, so
    a test looking up ``response.context["messages"]`` finds the page's own."""

    def _refuse_viewer(self, key):
        if key in NOT_KEPT and not any(key in d for d in self.dicts):
            raise TemplateSyntaxError(f"“{key}” is not available in HTML kept by data_cache: pass what is needed")

    def __getitem__(self, key):
        self._refuse_viewer(key)
        return super().__getitem__(key)

    def get(self, key, otherwise=None):
        self._refuse_viewer(key)
        return super().get(key, otherwise)


def render(template_name: str, context: dict, request) -> str:
    """A template rendered to be kept by ``cached``: with ``context`` and nothing of the viewer. No context processor
    runs, so no ``user``, ``perms`` or message can enter the kept HTML (reading one raises); ``{% csrf_token %}``
    writes a placeholder that ``page`` fills with each request's token; ``request`` is there for
    ``{% querystring %}`` (which reads its query) alone."""
    from django.template.loader import get_template

    kept = KeptContext({"csrf_token": CSRF_PLACEHOLDER, **context})
    kept.request = request
    return get_template(template_name).template.render(kept)


def page(request, name: str, template_name: str, build, *, by: str = "user", timeout: int = TIMEOUT) -> str:
    """A page's content, ``template_name`` rendered with ``build()``'s context (see ``render``), kept (``cached``)
    under the viewer (``by="user"``; ``"scope"`` shares it within role, building and organisation, for pages whose
    every query and button looks at nothing else), the full query, the language and the day, until a table it was
    read from changes (or ``timeout`` seconds pass: shorter for a page whose words move with the time of day). Only
    a GET is kept: a form sent back with its errors is rendered each time. Its forms get the request's CSRF token,
    and a new one-time token (``ONCE_PLACEHOLDER``).
    Marked safe: the template escaped every value."""
    return page_with(request, name, template_name, build, by=by, timeout=timeout)[0]


def page_with(
    request, name: str, template_name: str, build, *, keep=(), by: str = "user", timeout: int = TIMEOUT
) -> tuple[str, dict]:
    """``page``, and the values of ``build()``'s context named in ``keep`` (plain data), kept with the HTML: what the
    page shows outside its content (a title, a chart's numbers for a script) comes from the same build. Besides
    what ``build`` reads, the page depends on every table the request read before (``recording_reads``): a view
    may look up its object, or check a permission, first."""

    def compute():
        context = build()
        return render(template_name, context, request), {key: context[key] for key in keep}

    if request.method == "GET":
        parts = (scope_of(request.user, by), request.get_full_path(), translation.get_language(), timezone.localdate())
        html, kept = cached(name, parts, compute, timeout, reads=_read_so_far())
    else:
        html, kept = compute()
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    if ONCE_PLACEHOLDER in html:
        from buildingparty import submissions

        html = html.replace(ONCE_PLACEHOLDER, submissions.new_token())
    return mark_safe(html), kept  # noqa: S308 -- our own template's output, every value escaped  # nosec B308 B703


def store(values: dict, timeout: int = TIMEOUT) -> None:
    from django.db import connection

    if values and not _bump_pending(connection):
        try:
            cache.set_many(values, timeout)
        except Exception as error:  # noqa: BLE001 -- not kept: computed again next time
            _unreachable("store", error)
