"""Panels on each role's home page.

The home page belongs to the ground floor, but what it shows comes from the apps above it. Each app registers
its panels here (in its AppConfig.ready), so the ground floor never imports a higher one.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    roles: frozenset
    context: Callable  # (request) -> dict | None; None hides the panel
    order: int = 50


_panels: list[Panel] = []


def register(*, template: str, roles, order: int = 50):
    def decorator(fn):
        _panels.append(Panel(template=template, roles=frozenset(roles), context=fn, order=order))
        return fn

    return decorator


def panels_for(request) -> list[dict]:
    shown = []
    for panel in sorted(_panels, key=lambda p: p.order):
        if request.user.role not in panel.roles:
            continue
        ctx = panel.context(request)
        if ctx is not None:
            shown.append({"template": panel.template, **ctx})
    return shown
