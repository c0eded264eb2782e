"""Settings for BuildingParty, read from the environment.

Every variable is listed in the README's configuration table. Unset variables fall back to the embedded
default (SQLite and a file broker under ``var/``); a malformed value stops start-up with a clear error rather
than running on a guess.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp import constants as csp  # csp: NONCE, a marker django-csp replaces with the request's nonce
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("BUILDINGPARTY_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _bool(name: str, default: bool) -> bool:
    """A strict boolean: only the usual spellings, anything else is a configuration error."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def _int(name: str, default: int) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def _secret_key() -> str:
    """The key from DJANGO_SECRET_KEY, else one generated once and kept in var/ (never a key in the code)."""
    key = env.str("DJANGO_SECRET_KEY", default="")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = _bool("DJANGO_DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "axes",
    # otp: two-factor sign-in (an authenticator app, and recovery codes); see REQUIRE_2FA below.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",  # csp: django-csp's system checks (the policy itself is CONTENT_SECURITY_POLICY below)
    "buildingparty",
    "enterprises",
    "enterprises.survey",
    "members",
    "members.dues",
    "members.points",
    "members.committees",
    "services",
    "activities",
    "activities.funds",
    "activities.letters",
    "activities.rooms",
    "activities.meetings",
    "activities.appraisal",
    "activities.study",
    "activities.duty",
    "activities.notices",
    "activities.visits",
    "activities.showcase",
    "activities.volunteering",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # guards: refuse an oversized body (413) before anything reads it (MAX_REQUEST_BODY_MB below).
    "buildingparty.middleware.RequestBodyLimitMiddleware",
    # data cache: the tables each request reads, for the pages it keeps (buildingparty/data_cache.py)
    "buildingparty.middleware.DataCacheReadsMiddleware",
    # csp: the Content-Security-Policy and Permissions-Policy headers on every response (settings below).
    "csp.middleware.CSPMiddleware",
    "buildingparty.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # otp: request.user.is_verified() (after AuthenticationMiddleware, as django-otp asks)
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # otp: a user who must use two-factor sign-in sees only the verify/enrol pages until this sign-in is confirmed
    "buildingparty.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "buildingparty.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "buildingparty.urls"
WSGI_APPLICATION = "buildingparty.wsgi.application"
ASGI_APPLICATION = "buildingparty.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "buildingparty.context_processors.navigation",
                "buildingparty.context_processors.notification_count",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'buildingparty.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = _int("DJANGO_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: wait for the lock instead of failing while the worker writes a heartbeat.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache when set --------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bp",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # A folder, not per-process memory: the web workers and the Celery worker of `make run` share it, so the home
    # panels one process caches (buildingparty/data_cache.py) are dropped at once when another writes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "buildingparty.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force lockout: five failures lock that username from that address, and only for a while,
# so nobody can lock a real user out for good by guessing from elsewhere.
AXES_FAILURE_LIMIT = _int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = _int("AXES_PROXY_COUNT", 0)
AXES_VERBOSE = False

# otp: two-factor sign-in (issue 14, point 14; buildingparty/two_factor.py). Building admins, street viewers and
# superusers confirm each sign-in with a code from an authenticator app (TOTP) or a one-time recovery code.
# On by default whenever DEBUG is off, like DJANGO_SECURE; make run's demo turns it off. A wrong code counts
# as a failed sign-in for axes (lockout above) and each device also backs off 1, 2, 4, 8 ... seconds.
REQUIRE_2FA = _bool("DJANGO_REQUIRE_2FA", not DEBUG)
# The name the authenticator app shows beside the account.
OTP_TOTP_ISSUER = env.str("DJANGO_2FA_ISSUER", default="BuildingParty")
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]

# Sessions: 30 minutes idle, 12 hours at most (the second enforced by SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = _int("DJANGO_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_MAX_LIFETIME = timedelta(hours=_int("DJANGO_SESSION_MAX_HOURS", 12))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- HTTPS and headers ----------------------------------------------------------------------------------
# DJANGO_SECURE defaults to on whenever DEBUG is off, so a production start with only the three required
# variables passes `check --deploy`. Turn it off only for plain-HTTP development (make run does).
SECURE = _bool("DJANGO_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = _int("DJANGO_HSTS_SECONDS", 31536000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = _bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# csp: Content-Security-Policy, on in every environment (make run and the tests too) so a violation shows
# everywhere. Scripts only from our own static files: no inline <script>, no on*= attributes, no eval.
# Styles: stylesheets from 'self'; the few printable pages' own <style> blocks carry the request's nonce
# (nonce="{{ request.csp_nonce }}"); style="" attributes stay allowed (style-src-attr) because templates set
# computed widths and grid positions with them; an attribute cannot load anything (img-src) or run script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", csp.NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# csp: browser features no page here uses are switched off for every page (PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in """
        accelerometer autoplay camera display-capture encrypted-media fullscreen geolocation gyroscope magnetometer
        microphone midi payment picture-in-picture publickey-credentials-get screen-wake-lock serial usb
        xr-spatial-tracking
    """.split()
}
if _bool("DJANGO_BEHIND_PROXY", False):
    # Only behind a proxy that sets this header itself; otherwise a client could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
if SECURE and not _bool("DJANGO_HSTS_PRELOAD", False):
    # Preloading is a one-way decision for the domain owner; we do not make it for them.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Language and time ----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Uploaded files are private: kept outside the static tree and served only through views that check scope.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))

# --- Imports (issue 14, points 2 and 3) -----------------------------------------------------------------
# A file is refused before any row is parsed when it has more rows than IMPORT_MAX_ROWS or (xlsx, a zip)
# unpacks to more than IMPORT_MAX_UNCOMPRESSED_MB. Above IMPORT_INLINE_MAX_ROWS rows the confirmed import runs
# as a Celery job with a progress page instead of inside the web request (gunicorn's timeout).
IMPORT_MAX_ROWS = _int("IMPORT_MAX_ROWS", 20_000)
IMPORT_MAX_UNCOMPRESSED_MB = _int("IMPORT_MAX_UNCOMPRESSED_MB", 100)
IMPORT_INLINE_MAX_ROWS = _int("IMPORT_INLINE_MAX_ROWS", 1_000)

# --- Request sizes (guards: issue 14, point 8) ----------------------------------------------------------
# A request whose Content-Length is over MAX_REQUEST_BODY_MB is answered 413 before its body is read
# (RequestBodyLimitMiddleware); nginx's client_max_body_size should match. Form fields other than files may
# hold at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (Django's default, 2.5 MB, stated here deliberately) and at
# most DATA_UPLOAD_MAX_NUMBER_FIELDS fields; files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file.
# The default fits the largest legitimate form: a notice with 10 attachments of 10 MB each (a service request
# takes 5 of 10 MB); a 300 MB upload is refused.
MAX_REQUEST_BODY_MB = _int("MAX_REQUEST_BODY_MB", 110)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ----------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = _int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _bool("DJANGO_EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="BuildingParty <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

# --- Celery ---------------------------------------------------------------------------------------------
CELERY_FILE_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A task taken but not acknowledged goes back to the queue after this long; longer than any task.
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILE_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_FILE_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_FILE_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_FILE_BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _sub in ("out", "processed", "control"):
        (CELERY_FILE_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
# Late acknowledgement is opted into per task (acks_late=True) and only for idempotent tasks.
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending must never hang a web request when the broker is away: a bounded number of quick retries.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
HEARTBEAT_INTERVAL_SECONDS = _int("HEARTBEAT_INTERVAL_SECONDS", 60)
# Issue 14 (ops): a killed worker loses no job for long. A running job writes a sign of life every
# JOB_ALIVE_SECONDS; one silent for JOB_ABANDONED_AFTER_SECONDS is marked abandoned and run again by the
# sweep (every minute, and when a worker starts): within about three minutes of a worker being back.
JOB_ALIVE_SECONDS = _int("JOB_ALIVE_SECONDS", 30)
JOB_ABANDONED_AFTER_SECONDS = _int("JOB_ABANDONED_AFTER_SECONDS", 120)
if JOB_ABANDONED_AFTER_SECONDS < 2 * JOB_ALIVE_SECONDS:
    raise ImproperlyConfigured("JOB_ABANDONED_AFTER_SECONDS must be at least twice JOB_ALIVE_SECONDS")

# --- Logging --------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # A refused request (403) is logged as one warning line: user, path, reason; no traceback.
    "filters": {"refusals": {"()": "buildingparty.log_filters.RefusalFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django.request": {"filters": ["refusals"]}},
}
if CELERY_BROKER_URL == "filesystem://":
    # The file broker has no host, and kombu says so on every connection ("No hostname was supplied").
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}

# --- Domain settings ------------------------------------------------------------------------------------
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

BUILDINGPARTY = {
    "TRANSFER_VALIDITY_DAYS": _int("TRANSFER_VALIDITY_DAYS", 30),
    "LOAN_LIMIT": _int("LOAN_LIMIT", 3),
    "LOAN_DAYS": _int("LOAN_DAYS", 30),
}

# Party dues (DOMAIN.md §6): rounding of the monthly amount is local practice. The quantum is "0.01" (to the
# fen), "0.1" (to the jiao) or "1" (to the yuan); the mode is one of Python's decimal rounding names.
DUES_ROUNDING_QUANTUM = env.str("DUES_ROUNDING_QUANTUM", default="0.01")
DUES_ROUNDING = env.str("DUES_ROUNDING", default="ROUND_HALF_UP")
if DUES_ROUNDING_QUANTUM not in ("0.01", "0.1", "1"):
    raise ImproperlyConfigured(f"DUES_ROUNDING_QUANTUM must be 0.01, 0.1 or 1, not {DUES_ROUNDING_QUANTUM!r}")
if DUES_ROUNDING not in ("ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_UP", "ROUND_DOWN"):
    raise ImproperlyConfigured(f"DUES_ROUNDING is not a rounding mode this system supports: {DUES_ROUNDING!r}")
# Points (DOMAIN.md §8): the yearly base score when the building has not set one for the year.
POINTS_BASE_SCORE = _int("POINTS_BASE_SCORE", 60)
# Organisational life: a meeting's QR check-in opens this many minutes before it starts and closes this many
# minutes after its start.
MEETING_CHECKIN_OPENS_MINUTES = _int("MEETING_CHECKIN_OPENS_MINUTES", 30)
MEETING_CHECKIN_CLOSES_MINUTES = _int("MEETING_CHECKIN_CLOSES_MINUTES", 120)
# Volunteering: a volunteer activity's QR check-in opens this many minutes before it starts and closes this many
# minutes after its start.
VOLUNTEER_CHECKIN_OPENS_MINUTES = _int("VOLUNTEER_CHECKIN_OPENS_MINUTES", 30)
VOLUNTEER_CHECKIN_CLOSES_MINUTES = _int("VOLUNTEER_CHECKIN_CLOSES_MINUTES", 120)

# --- ID numbers at rest (issue 14, crypto; buildingparty/crypto.py) -------------------------------------------
# ID_ENCRYPTION_KEYS="k2:<base64 of 32 bytes>,k1:<...>": the first encrypts, all decrypt (rotation). ID_HASH_KEY:
# the HMAC key for exact-match lookups; ID_HASH_OLD_KEYS: previous hash keys, tried until rotate_keys re-hashes.
# Unset, keys are generated once into the var dir (make run, tests); check --deploy warns then.
ID_ENCRYPTION_KEYS = env.str("ID_ENCRYPTION_KEYS", default="")
ID_HASH_KEY = env.str("ID_HASH_KEY", default="")
ID_HASH_OLD_KEYS = env.list("ID_HASH_OLD_KEYS", default=[])
