"""Two-factor sign-in pages: enrol an authenticator, verify a sign-in, the recovery codes (shown once) and the
account's own page (status, new recovery codes, reset with the password).

Only for users who must use two-factor sign-in (``two_factor.required_for``); other users get 403. Anonymous users
are sent to sign in (LoginRequiredMiddleware). Every wrong code or password here counts as a failed sign-in for
axes, and a lockout ends the session.
"""

from functools import wraps

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_lockout_response
from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from . import two_factor
from .redirects import safe_next
from .two_factor_forms import CodeForm, PasswordConfirmForm


def _for_two_factor_users(view):
    """Signed-in users who must use two-factor sign-in; anyone else is signed in and the page is not theirs: 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not two_factor.required_for(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def _locked_out(request, credentials):
    logout(request)
    return get_lockout_response(request, None, credentials)


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
@_for_two_factor_users
def two_factor_verify(request):
    user = request.user
    next_url = safe_next(request, "home")
    if two_factor.is_verified(user):
        return redirect(next_url)
    if two_factor.authenticator(user) is None:
        return redirect(_with_next("two_factor_enrol", next_url))
    credentials = _credentials(user)
    if not AxesProxyHandler.is_allowed(request, credentials):
        return _locked_out(request, credentials)
    form = CodeForm(request.POST or None, recovery=True)
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.verify(user=user, token=form.cleaned_data["otp_token"])
        if outcome.device is not None:
            two_factor.sign_in(request, outcome.device)
            axes_reset(ip=get_client_ip_address(request), username=user.get_username())
            if isinstance(outcome.device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; %(n)d code is left.",
                        "You signed in with a recovery code; %(n)d codes are left.",
                        left,
                    )
                    % {"n": left},
                )
            return redirect(next_url)
        form.add_error("otp_token", two_factor.refusal(outcome))
        two_factor.report_failure(request, user)
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request, credentials)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
@_for_two_factor_users
def two_factor_enrol(request):
    """Add an authenticator: scan the QR code (or type the key), then confirm with the first code it shows."""
    user = request.user
    next_url = safe_next(request, "home")
    if two_factor.authenticator(user) is not None:
        # Enrolled already: changing the authenticator is a reset on the account page, behind the password.
        if two_factor.is_verified(user):
            return redirect("two_factor_account")
        return redirect(_with_next("two_factor_verify", next_url))
    device = two_factor.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.enrol_confirm(device=device, token=form.cleaned_data["otp_token"])
        if outcome.device is not None:
            two_factor.sign_in(request, outcome.device)
            request.session[two_factor.RECOVERY_CODES_SESSION_KEY] = list(outcome.recovery_codes)
            messages.success(request, _("Two-factor sign-in is on for this account."))
            return redirect(_with_next("two_factor_recovery_codes", next_url))
        form.add_error("otp_token", two_factor.refusal(outcome))
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr": two_factor.enrolment_qr(device),
            "secret": two_factor.secret_text(device),
        },
    )


@never_cache
@require_GET
@_for_two_factor_users
def two_factor_recovery_codes(request):
    """The recovery codes just made, shown this once (they are not kept anywhere the account page could show)."""
    codes = request.session.pop(two_factor.RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        messages.info(request, _("Recovery codes are shown only once, when they are made. Make new ones here."))
        return redirect("two_factor_account")
    return render(
        request,
        "registration/two_factor_recovery_codes.html",
        {"codes": codes, "next": safe_next(request, "home")},
    )


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@_for_two_factor_users
def two_factor_account(request):
    """The account's second factor: since when, last used, recovery codes left; new recovery codes, or a reset
    (remove the authenticator and enrol again, e.g. on a new phone), each behind the password."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    renew_form = PasswordConfirmForm(request.POST if action == "renew" else None, user=user, auto_id="renew_%s")
    reset_form = PasswordConfirmForm(request.POST if action == "reset" else None, user=user, auto_id="reset_%s")
    form = {"renew": renew_form, "reset": reset_form}.get(action)
    if form is not None:
        if form.is_valid():
            if action == "renew":
                request.session[two_factor.RECOVERY_CODES_SESSION_KEY] = two_factor.recovery_codes_renew(user=user)
                messages.success(request, _("New recovery codes are made; the old ones no longer work."))
                return redirect(_with_next("two_factor_recovery_codes", reverse("two_factor_account")))
            two_factor.reset(user=user)
            two_factor.sign_out_of_second_factor(request)
            messages.success(request, _("The authenticator is removed. Add one again to go on."))
            return redirect("two_factor_enrol")
        if form.has_error("password", "wrong_password"):
            two_factor.report_failure(request, user)
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request, _credentials(user))
    return render(
        request,
        "registration/two_factor_account.html",
        {
            "device": two_factor.authenticator(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "renew_form": renew_form,
            "reset_form": reset_form,
        },
    )
