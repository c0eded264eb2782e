from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import ngettext

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
