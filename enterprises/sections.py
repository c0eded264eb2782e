"""What an enterprise's page shows from the rooms that stand on the registry.

The page belongs to the registry, but some of what it shows comes from apps above it: the survey adds the
enterprise's visits with their open follow-ups, and a "record a visit" button. Each registers here when it
loads (in its AppConfig.ready), so the registry never imports them:

- ``action``: a button beside "Edit" in the page's heading;
- ``section``: cards in the side column, above the change history. The side column is for the people who run
  the registry (``access.can_see_internal``): sections are never asked for, let alone shown, for an
  enterprise's own contact or its employees.

A registered function takes ``(request, enterprise, page)``, where ``page`` is what the registry's view has
worked out already (``internal``, ``can_edit``, ``today``, …: read it, never change it), and returns the
context of its template, or None to show nothing. The template is included with that context as ``part``.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    template: str
    context: Callable  # (request, enterprise, page) -> dict | None; None shows nothing
    order: int = 50


_actions: dict[str, Part] = {}
_sections: dict[str, Part] = {}


def _registrar(registry: dict, *, template: str, order: int):
    def decorator(fn):
        # Keyed by name so a module imported twice still registers its part once.
        registry[f"{fn.__module__}.{fn.__qualname__}"] = Part(template=template, context=fn, order=order)
        return fn

    return decorator


def action(*, template: str, order: int = 50):
    """Register a button for the page's heading; lower ``order`` comes first."""
    return _registrar(_actions, template=template, order=order)


def section(*, template: str, order: int = 50):
    """Register cards for the page's side column (the registry's own people only); lower ``order`` first."""
    return _registrar(_sections, template=template, order=order)


def _shown(registry: dict, request, enterprise, page: dict) -> list[dict]:
    shown = []
    for part in sorted(registry.values(), key=lambda p: p.order):
        context = part.context(request, enterprise, page)
        if context is not None:
            shown.append({"template": part.template, **context})
    return shown


def actions_for(request, enterprise, page: dict) -> list[dict]:
    return _shown(_actions, request, enterprise, page)


def sections_for(request, enterprise, page: dict) -> list[dict]:
    """Only for a page with the side column (``page["internal"]``)."""
    return _shown(_sections, request, enterprise, page)
