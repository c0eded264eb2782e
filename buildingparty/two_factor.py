"""Two-factor sign-in (issue 14, point 14): who must confirm a sign-in with a second factor, and the steps that
enrol, verify, renew and reset it.

Built on django-otp. A user has at most one authenticator (a TOTP device, confirmed once a first code from it
was accepted) and one set of recovery codes (a static device whose tokens are deleted as they are used).
``TwoFactorMiddleware`` (buildingparty.middleware) calls ``gate`` on every view: until the session is verified, a
user who must use two-factor sign-in is sent to the verify page, or to the enrol page while they have no
authenticator. Brute force meets two walls: each device backs off exponentially after a wrong code (django-otp's
throttling, kept across sessions), and the views report every wrong code to axes as a failed sign-in, so the
same lockout as for passwords applies and the attempt is recorded beside the password failures.
"""

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import user_login_failed
from django.core import checks
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role
from .qr import qr_svg

RECOVERY_CODE_COUNT = 10
# Recovery codes are shown once, on the page after they were made: they wait in the session until then.
RECOVERY_CODES_SESSION_KEY = "bp_2fa_recovery_codes"
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"
# Pages a user who has not confirmed the second factor yet may still reach (besides those open without sign-in).
OPEN_VIEWS = {"logout", "admin:logout", "two_factor_verify", "two_factor_enrol", "set_language"}


def required_for(user) -> bool:
    """Must this user confirm each sign-in with a second factor? Building admins, street viewers and superusers,
    while REQUIRE_2FA is on; nobody else."""
    if not settings.REQUIRE_2FA or not user.is_authenticated:
        return False
    return user.is_superuser or user.role in (Role.ADMIN, Role.STREET)


def is_verified(user) -> bool:
    """Has this session confirmed the second factor (OTPMiddleware keeps the device in the session)?"""
    return bool(getattr(user, "otp_device", None))


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have enrolled one."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def gate(request, view_func):
    """The redirect that stands between an unverified user who must use two-factor sign-in and ``view_func``, or
    None to let the request through."""
    user = request.user
    if not required_for(user) or is_verified(user):
        return None
    if not getattr(view_func, "login_required", True):
        return None  # open without sign-in: the login and password-reset pages, /healthz
    match = request.resolver_match
    if match is not None and match.view_name in OPEN_VIEWS:
        return None
    target = reverse("two_factor_verify" if authenticator(user) else "two_factor_enrol")
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return redirect(target)


@dataclass(frozen=True)
class Outcome:
    """What checking a code came to: the device that accepted it, or why none did."""

    device: TOTPDevice | StaticDevice | None = None
    # When the device refuses to check codes for a while after wrong ones (exponential back-off).
    locked_until: datetime | None = None
    # New recovery codes, when the step made them (enrolment).
    recovery_codes: tuple[str, ...] = ()


def _normalise(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


# --- Enrolment ---------------------------------------------------------------------------------------------------


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being enrolled: one unconfirmed device per user, kept until a code from it is accepted, so
    reloading the page does not change the key already scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def enrolment_qr(device: TOTPDevice) -> str:
    """The otpauth:// URI of the device as an inline SVG (without its XML declaration, to sit inside HTML)."""
    svg = qr_svg(device.config_url)
    return svg[svg.index("<svg") :]


def enrol_confirm(*, device: TOTPDevice, token: str) -> Outcome:
    """Confirm ``device`` with a first code from it.

    1. Check the code (under a row lock, so the device's throttling counts every attempt).
    2. Confirm the device and drop the user's other authenticators.
    3. Make a fresh set of recovery codes, returned in the outcome to be shown once.
    """
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, data = locked.verify_is_allowed()
        if not allowed:
            return Outcome(locked_until=(data or {}).get("locked_until"))
        if not locked.verify_token(_normalise(token)):
            return Outcome()
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=locked.user).exclude(pk=locked.pk).delete()
        codes = recovery_codes_renew(user=locked.user)
    return Outcome(device=locked, recovery_codes=tuple(codes))


def recovery_codes_renew(*, user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones (the old ones stop working)."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def reset(*, user) -> None:
    """Remove the user's authenticator and recovery codes: the next page asks them to enrol again."""
    with transaction.atomic():
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()


# --- Verification ------------------------------------------------------------------------------------------------


def verify(*, user, token: str) -> Outcome:
    """Check a six-digit code against the user's authenticator, or anything else against their recovery codes (a
    recovery code that works is deleted: it is spent). Each device is checked under a row lock, so two requests
    cannot both spend one recovery code."""
    token = _normalise(token)
    model = TOTPDevice if token.isdigit() and len(token) <= 8 else StaticDevice
    with transaction.atomic():
        device = model.objects.devices_for_user(user, confirmed=True).select_for_update().order_by("-pk").first()
        if device is None:
            return Outcome()
        allowed, data = device.verify_is_allowed()
        if not allowed:
            return Outcome(locked_until=(data or {}).get("locked_until"))
        if device.verify_token(token):
            return Outcome(device=device)
    return Outcome()


def sign_in(request, device) -> None:
    """Mark this session as verified by ``device``, with a new session key (the privilege changed)."""
    request.session.cycle_key()
    otp_login(request, device)


def sign_out_of_second_factor(request) -> None:
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.user.otp_device = None


def report_failure(request, user) -> None:
    """A wrong second factor counts as a failed sign-in: axes records it and locks out as for a wrong password."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def refusal(outcome: Outcome) -> str:
    """What to say next to the field when a code was not accepted."""
    if outcome.locked_until:
        return _("Too many wrong codes. Try again after %(time)s.") % {
            "time": f"{timezone.localtime(outcome.locked_until):%H:%M:%S}"
        }
    return _("This code is not correct or has already been used. Enter the current code from your app.")


# --- System check ------------------------------------------------------------------------------------------------


@checks.register(checks.Tags.security, deploy=True)
def check_two_factor_required(app_configs, **kwargs):
    if not settings.DEBUG and not settings.REQUIRE_2FA:
        return [
            checks.Warning(
                "Two-factor sign-in is off while DEBUG is off: building admins, street viewers and superusers sign "
                "in with a password alone.",
                hint="Unset DJANGO_REQUIRE_2FA (it defaults to true when DEBUG is off) or set it to true.",
                id="buildingparty.W014",
            )
        ]
    return []
