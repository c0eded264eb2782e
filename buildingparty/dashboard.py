"""Panels on each role's home page.

The home page belongs to the ground floor, but what it shows comes from the apps above it. Each app registers
its panels here (in its AppConfig.ready), so the ground floor never imports a higher one.

A panel whose numbers are expensive at district scale opts in to the cache with ``cached_by`` ("scope" or
"user", see ``data_cache``): its **rendered HTML** is kept (the template rendered once per panel, scope or user,
language, day and data version) and recomputed after any write; a hidden panel is kept as an empty string. A
cached panel's template is rendered on its own, with nothing but ``panel`` in its context (no ``user``, no
``request``, no ``csrf_token``): what it shows comes from its context function alone, so the HTML can be shared
by everybody of its scope. A panel whose list slides with the time of day (upcoming meetings drop out as they
begin) passes a shorter ``timeout``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import data_cache


@dataclass(frozen=True)
class Panel:
    template: str
    roles: frozenset
    context: Callable  # (request) -> dict | None; None hides the panel
    order: int = 50
    cached_by: str | None = None  # None, "scope" or "user" (data_cache.scope_of)
    timeout: int = data_cache.TIMEOUT  # seconds a cached panel is kept at most

    @property
    def id(self) -> str:
        return f"{self.context.__module__}.{self.context.__name__}"


class Shown(dict):
    """One panel on the page: its context (``template`` and what the context function returned), or only
    ``template`` when its HTML came from the cache (``html``). ``cache_key``: where to keep the HTML once
    rendered (the ``home_panel`` tag)."""

    html: str | None = None
    cache_key: str | None = None
    timeout: int = data_cache.TIMEOUT


_panels: list[Panel] = []


def register(*, template: str, roles, order: int = 50, cached_by: str | None = None, timeout: int = data_cache.TIMEOUT):
    if cached_by not in (None, "scope", "user"):
        raise ValueError(f"cached_by: {cached_by!r}")

    def decorator(fn):
        _panels.append(
            Panel(
                template=template,
                roles=frozenset(roles),
                context=fn,
                order=order,
                cached_by=cached_by,
                timeout=min(timeout, data_cache.TIMEOUT),
            )
        )
        return fn

    return decorator


def panels_for(request) -> list[dict]:
    user = request.user
    panels = [panel for panel in sorted(_panels, key=lambda p: p.order) if user.role in panel.roles]
    keys = {}
    data_version = data_cache.version() if any(panel.cached_by for panel in panels) else None
    if data_version is not None:  # None: no panel cache (unreachable), every panel computed
        keys = {p.id: data_cache.key(p.id, user, p.cached_by, data_version) for p in panels if p.cached_by}
    found = data_cache.lookup(list(keys.values()))
    shown = []
    for panel in panels:
        cache_key = keys.get(panel.id)
        html = found.get(cache_key) if cache_key is not None else None
        if isinstance(html, str):
            if html:  # "": hidden
                entry = Shown(template=panel.template)
                entry.html = html
                shown.append(entry)
            continue
        ctx = panel.context(request)
        if ctx is None:
            if cache_key is not None:
                data_cache.store({cache_key: ""}, panel.timeout)
            continue
        entry = Shown(template=panel.template, **ctx)
        entry.cache_key, entry.timeout = cache_key, panel.timeout
        shown.append(entry)
    return shown
