"""Where a POST goes back to: the one check of a posted ``next`` that every view uses."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default) -> str:
    """The posted (or queried) ``next`` when it is a local path of this site, else ``default`` (a URL, a URL
    name or a model with ``get_absolute_url``, as ``redirect`` takes).

    A local path starts with one ``/``: anything else (another host, ``javascript:``, or a bare word that
    ``redirect`` would try to reverse and fail on after the action was done) is ignored.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return resolve_url(default)
