from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from buildingparty import data_cache

LOGIN_AT_KEY = "bp_login_at"


class SessionLifetimeMiddleware:
    """End a session 12 hours after sign-in however active it is (idle expiry is SESSION_COOKIE_AGE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.setdefault(LOGIN_AT_KEY, now)
            if now - started > settings.SESSION_MAX_LIFETIME.total_seconds():
                logout(request)
                hours = int(settings.SESSION_MAX_LIFETIME.total_seconds() // 3600)
                messages.info(
                    request,
                    ngettext(
                        "Your session has ended after %(n)d hour; please sign in again.",
                        "Your session has ended after %(n)d hours; please sign in again.",
                        hours,
                    )
                    % {"n": hours},
                )
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


def _origin(origin: str) -> str:
    return origin if origin in ("self", "*") else f'"{origin}"'


class PermissionsPolicyMiddleware:
    """Send the Permissions-Policy header from settings.PERMISSIONS_POLICY ({feature: [allowed origins]}).

    An empty list switches the feature off for the page and every frame in it (``camera=()``); "self" allows
    our own origin. Django 5.2 has no setting for this header (the Content-Security-Policy is django-csp's).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(f"{feature}=({' '.join(map(_origin, origins))})" for feature, origins in policy.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class RequestBodyLimitMiddleware:
    """Answer 413 to a request whose declared body is larger than ``MAX_REQUEST_BODY_MB``, before anything reads
    or spools it (guards: issue 14, point 8). The web server in front should refuse it even earlier (nginx
    ``client_max_body_size``); this is the app's own limit when it is reached directly."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.MAX_REQUEST_BODY_MB * 1024 * 1024

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            message = gettext("The upload is too large: at most %(mb)d MB can be sent at once.") % {
                "mb": settings.MAX_REQUEST_BODY_MB
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class TwoFactorMiddleware:
    """Until a user who must use two-factor sign-in has confirmed this sign-in, every page sends them to the verify
    page (or the enrol page while they have no authenticator); sign-out, the language switch and the pages open
    without sign-in stay open. The rule is buildingparty.two_factor.gate (issue 14, point 14)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from .two_factor import gate

        return gate(request, view_func)


class DataCacheReadsMiddleware:
    """Notes the tables a request's queries read (``data_cache.recording_reads``): a page kept by
    ``data_cache.page`` depends on them all, also on those the view read before building it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with data_cache.recording_reads():
            return self.get_response(request)
