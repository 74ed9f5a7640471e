"""Settings for wijkwerk.

Every value comes from the environment with a safe development default; `.env.example`
documents each variable. Production (DEBUG off) refuses to start without SECRET_KEY.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (see .env.example); "
            "only a DEBUG=true development run may start without one."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "teams",
    "networks",
    "cases",
    "outcomes",
]

MIDDLEWARE = [
    "socialdomain.middleware.RequestLogMiddleware",
    # a Redis or broker failure that escapes a view: 503 with Retry-After, not 500
    "socialdomain.middleware.ServiceUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # NUL bytes and control characters in the request: 400 before any view or query sees them
    # (and before the session reads its cookie)
    "socialdomain.middleware.HostileInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "socialdomain.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # the signed-in user's roles, districts, cover and grants from the cache, once per request
    "cases.access_facts.AccessFactsMiddleware",
    "socialdomain.two_factor.TwoFactorEnrollmentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, the settings' policy made into its header once per process
    "socialdomain.middleware.ContentSecurityPolicyMiddleware",
    "socialdomain.middleware.SessionIdleTimeoutMiddleware",
    "socialdomain.middleware.NoStoreForSignedInMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # an ended session on an htmx request: the whole page to the login page, not a swap
    "socialdomain.middleware.HtmxLoginRedirectMiddleware",
    # last, as django-axes requires: it turns a lockout during login into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "socialdomain.urls"
WSGI_APPLICATION = "socialdomain.wsgi.application"
ASGI_APPLICATION = "socialdomain.asgi.application"

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
                "django.template.context_processors.i18n",
                "teams.context_processors.roles",
                "socialdomain.context_processors.abilities",
                "socialdomain.context_processors.session_timeout",
            ],
        },
    },
]

# Database: PostgreSQL through DATABASE_URL (production, docker-compose, tests); without it an
# embedded SQLite file, so that one command brings the app up on a machine with only Python.
# Connections are kept for CONN_MAX_AGE seconds and checked before their first use in each
# request (CONN_HEALTH_CHECKS): a connection the database dropped (restart, failover, an idle
# timeout, pg_terminate_backend) is replaced instead of failing that request with a 500. The
# PostgreSQL engine is Django's with a check that asks the socket instead of sending `SELECT 1`
# (socialdomain.postgresql).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
POSTGRESQL_ENGINE = "socialdomain.postgresql"
CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
CONN_HEALTH_CHECKS = True
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_HEALTH_CHECKS
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = POSTGRESQL_ENGINE
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
# Optional read replica (PostgreSQL streaming replication): read-only dashboard and export views
# (`socialdomain.db_router.read_from_replica`) read from it; everything else uses default.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_HEALTH_CHECKS
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["ENGINE"] = POSTGRESQL_ENGINE
DATABASE_ROUTERS = ["socialdomain.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when configured (shared by all web processes), otherwise local memory. The cache
# holds only what may be lost (lookups, throttle counters, the readiness status) and fails open:
# when Redis does not answer within CACHE_SOCKET_TIMEOUT seconds the app goes on without it
# (socialdomain/cache.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
# The benchmark's floor page (/vloer/: signed in, only the base template), set by the
# benchmark for its own server only (docs/performance.md).
BENCHMARK_FLOOR_PAGE = os.environ.get("BENCHMARK_FLOOR_PAGE", "").lower() in ("1", "true", "yes")
# How long a user's access facts stay cached at most (cases.access_facts); a change shows at
# once anyway (the key holds the user's access version), so this only bounds memory.
ACCESS_FACTS_CACHE_SECONDS = int(os.environ.get("ACCESS_FACTS_CACHE_SECONDS", "900"))
CACHE_SOCKET_TIMEOUT = float(os.environ.get("CACHE_SOCKET_TIMEOUT", "0.5"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "socialdomain.cache.FailOpenRedisCache",
            "LOCATION": os.environ.get("CACHE_URL", REDIS_URL),
            "OPTIONS": {
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
                "socket_timeout": CACHE_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username/address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user's access version along with the user
    "teams.backends.AccessVersionModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Optional second factor (socialdomain/two_factor.py): anyone may set up an authenticator app;
# with TWO_FACTOR_REQUIRED_FOR_STAFF, staff and functional administrators must.
TWO_FACTOR_REQUIRED_FOR_STAFF = env_bool("TWO_FACTOR_REQUIRED_FOR_STAFF", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "wijkwerk")

# Optional login through an OpenID Connect provider (socialdomain/oidc.py), off by default. The
# provider proves who someone is; the account and its roles must already exist in wijkwerk.
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT") or None
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid profile")
OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?oidc=failed"
if OIDC_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_ID",
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
        )
        if not globals()[name]
    ]
    if OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")) and not OIDC_OP_JWKS_ENDPOINT:
        _missing.append("OIDC_OP_JWKS_ENDPOINT")
    if _missing:
        raise ImproperlyConfigured(f"OIDC_ENABLED needs {', '.join(_missing)} (see .env.example)")
    AUTHENTICATION_BACKENDS.append("socialdomain.oidc.OIDCBackend")

# Internationalisation: Dutch by default, English available through the language switch.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Household documents (cases/documents, docs/documents.md): stored through the storage alias
# "documents", never under a public URL; downloads go through a view that checks and logs.
# Local disk by default, in a private directory outside the static files; set
# DOCUMENT_STORAGE_BACKEND=storages.backends.s3.S3Storage for S3-compatible storage (MinIO)
# with the DOCUMENT_S3_* settings below.
DOCUMENT_STORAGE_BACKEND = os.environ.get(
    "DOCUMENT_STORAGE_BACKEND", "cases.documents.storage.PrivateFileSystemStorage"
)
DOCUMENT_ROOT = Path(os.environ.get("DOCUMENT_ROOT", BASE_DIR / "private" / "documents"))
if DOCUMENT_STORAGE_BACKEND == "storages.backends.s3.S3Storage":
    DOCUMENT_STORAGE_OPTIONS = {
        "bucket_name": os.environ.get("DOCUMENT_S3_BUCKET", "wijkwerk-documents"),
        "endpoint_url": os.environ.get("DOCUMENT_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("DOCUMENT_S3_REGION") or None,
        "access_key": os.environ.get("DOCUMENT_S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("DOCUMENT_S3_SECRET_ACCESS_KEY") or None,
        "default_acl": "private",
        "querystring_auth": True,  # never a public URL; the app streams the file itself
        "file_overwrite": False,
        "location": os.environ.get("DOCUMENT_S3_PREFIX", "documents"),
    }
else:
    DOCUMENT_STORAGE_OPTIONS = {
        "location": DOCUMENT_ROOT,
        "base_url": None,  # no media URL: downloads only through the checking view
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    }
STORAGES["documents"] = {
    "BACKEND": DOCUMENT_STORAGE_BACKEND,
    "OPTIONS": DOCUMENT_STORAGE_OPTIONS,
}
# Largest document accepted (bytes) and the file types accepted, by the type the content shows
# (the file name's extension must match it): cases/documents/validation.py.
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DOCUMENT_ALLOWED_TYPES = env_list("DOCUMENT_ALLOWED_TYPES", "pdf,jpg,png,docx,xlsx,odt")
# ClamAV: clamd's unix socket (CLAMD_SOCKET) or TCP address (CLAMD_HOST, CLAMD_PORT). Without
# either, or when clamd does not answer, an upload is kept in quarantine, not downloadable,
# until the rescan task (cases.documents_rescan) finds it clean.
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "")
CLAMD_HOST = os.environ.get("CLAMD_HOST", "")
CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))
CLAMD_TIMEOUT = float(os.environ.get("CLAMD_TIMEOUT", "30"))

# Security. Secure cookies and HSTS outside DEBUG; SECURE_SSL_REDIRECT is off behind a proxy
# that terminates TLS and on for a directly exposed deployment.
SESSION_COOKIE_HTTPONLY = True
# Idle timeout: activity renews the session (socialdomain.middleware.SessionIdleTimeoutMiddleware,
# at most once per SESSION_RENEW_INTERVAL seconds, to spare a database write on every request),
# so SESSION_COOKIE_AGE is how long a session survives without activity. Closing the browser
# ends it as well.
# Sessions live in the database only, so that logins and pages do not depend on Redis. Not
# cached_db: with a cache that fails open, a session deleted (logout) or renewed while Redis was
# unreachable would come back from the stale cached copy once Redis answers again; one indexed
# primary-key read per signed-in request is the price (compiled once per process:
# socialdomain.sessions, Django's database engine otherwise).
SESSION_ENGINE = "socialdomain.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(30 * 60)))
SESSION_RENEW_INTERVAL = int(os.environ.get("SESSION_RENEW_INTERVAL", "60"))
# A warning with "stay signed in" shows this many seconds before the session would end.
# How long the author of a journal entry may still edit it (cases.journal); after that the
# journal is append-only and a correction is a new entry.
JOURNAL_EDIT_HOURS = int(os.environ.get("JOURNAL_EDIT_HOURS", "24"))
SESSION_WARNING_SECONDS = int(os.environ.get("SESSION_WARNING_SECONDS", str(3 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")
# Number of reverse proxies in front of the app that append to X-Forwarded-For; 0 means the
# client address is REMOTE_ADDR. Used by the login lockout and the access log.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Uploads and form posts: anything larger is refused with a 400 before it reaches a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", "1000"))

# Content Security Policy: only our own scripts, styles and images; no inline script or style,
# no eval, no framing. htmx's own indicator <style> is switched off in base.html for this.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}
if os.environ.get("CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = os.environ["CSP_REPORT_URI"]

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for the same username from
# the same address, further attempts are refused for AXES_COOLOFF_MINUTES minutes.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
# Comma-separated alternatives; "username+ip_address" locks that combination only, so a typo
# at a shared office address does not lock out colleagues.
AXES_LOCKOUT_PARAMETERS = [
    item.split("+") if "+" in item else item
    for item in env_list("AXES_LOCKOUT_PARAMETERS", "username+ip_address")
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "socialdomain.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "socialdomain.client_ip.client_ip"
AXES_VERBOSE = False

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "wijkwerk@localhost")

# Celery: with REDIS_URL tasks go through Redis to a real worker (and `celery beat` runs the
# periodic tasks); without it they run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = False
CELERY_RESULT_EXPIRES = 3600
# A broker that does not answer fails a dispatch (socialdomain.tasks.dispatch logs it) within
# seconds instead of holding the request.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# socialdomain is not an installed app: its tasks (health probe, purges) are imported explicitly
CELERY_IMPORTS = ("socialdomain.tasks",)
# Readiness (socialdomain/health.py): beat measures the components every
# HEALTH_PROBE_INTERVAL_SECONDS; /healthz reports a status older than
# HEALTH_STATUS_MAX_AGE_SECONDS as stale; anonymous callers get HEALTHZ_ANONYMOUS_RATE calls per
# address (DRF rate syntax), 429 with Retry-After beyond it.
HEALTH_PROBE_INTERVAL_SECONDS = int(os.environ.get("HEALTH_PROBE_INTERVAL_SECONDS", "30"))
HEALTH_STATUS_MAX_AGE_SECONDS = int(
    os.environ.get("HEALTH_STATUS_MAX_AGE_SECONDS", str(3 * HEALTH_PROBE_INTERVAL_SECONDS))
)
HEALTHZ_ANONYMOUS_RATE = os.environ.get("HEALTHZ_ANONYMOUS_RATE", "30/minute")
# Idempotency-Key records (the model socialdomain.api.idempotency stores responses in) are kept
# this many hours; beat purges older ones hourly, and a retry after that is a new request.
IDEMPOTENCY_RECORD_MODEL = "networks.IdempotencyRecord"
IDEMPOTENCY_KEY_RETENTION_HOURS = int(os.environ.get("IDEMPOTENCY_KEY_RETENTION_HOURS", "24"))
# minute past every hour at which the outcome summaries are recomputed (docs/outcomes.md)
OUTCOMES_RECOMPUTE_MINUTE = int(os.environ.get("OUTCOMES_RECOMPUTE_MINUTE", "10"))
CELERY_BEAT_SCHEDULE: dict = {
    # reminders of every legal clock (cases/clocks.py), in-app and by e-mail, each once
    "cases-clock-reminders": {
        "task": "cases.clock_reminders",
        # every working day at 07:00, Europe/Amsterdam
        "schedule": crontab(hour=7, minute=0, day_of_week="1-5"),
    },
    # aftercare check-ins whose date has come show on the coordinator's list
    "cases-aftercare-mark-due": {
        "task": "cases.aftercare_mark_due",
        "schedule": crontab(hour=6, minute=0),
    },
    # consents that expired yesterday: an in-app notice to the household's coordinator
    "cases-consents-expire": {
        "task": "cases.consents_expire",
        "schedule": crontab(hour=6, minute=15),
    },
    # appointments tomorrow: a reminder to each professional taking part, in-app and by e-mail
    "cases-appointment-reminders": {
        "task": "cases.appointment_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # household documents kept in quarantine (no virus scanner answered): scan them again
    "cases-documents-rescan": {
        "task": "cases.documents_rescan",
        "schedule": crontab(minute="*/15"),
    },
    # AVG retention: destroy household files whose retention period has expired (at night)
    "cases-retention-apply": {
        "task": "cases.retention_apply",
        "schedule": crontab(hour=2, minute=30),
    },
    # the outcome, budget and decision dashboards read tables materialised by this job
    "outcomes-summaries-recompute": {
        "task": "outcomes.summaries_recompute",
        "schedule": crontab(minute=OUTCOMES_RECOMPUTE_MINUTE),
    },
    "outcomes-export-jobs-purge": {
        "task": "outcomes.export_jobs_purge",
        "schedule": crontab(hour=3, minute=30),
    },
    # webhook deliveries whose (re)try is due; each delivery's due time is in the database
    "networks-webhook-deliveries-due": {
        "task": "networks.webhook_deliveries_due",
        "schedule": crontab(),  # every minute
    },
    # events (with their deliveries and attempts) older than WEBHOOK_EVENT_RETENTION_DAYS
    "networks-webhook-events-purge": {
        "task": "networks.webhook_events_purge",
        "schedule": crontab(hour=3, minute=45),
    },
    # the component status GET /healthz reads; a probe nobody picked up in time is dropped
    "socialdomain-health-probe": {
        "task": "socialdomain.health_probe",
        "schedule": datetime.timedelta(seconds=HEALTH_PROBE_INTERVAL_SECONDS),
        "options": {"expires": HEALTH_PROBE_INTERVAL_SECONDS},
    },
    # Idempotency-Key records past IDEMPOTENCY_KEY_RETENTION_HOURS
    "socialdomain-idempotency-records-purge": {
        "task": "socialdomain.idempotency_records_purge",
        "schedule": crontab(minute=20),
    },
    # expired sessions (manage.py clearsessions)
    "socialdomain-sessions-clear": {
        "task": "socialdomain.sessions_clear",
        "schedule": crontab(hour=4, minute=0),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Partner systems: `Authorization: Bearer <token>`; staff (e.g. GPs) with their session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "networks.api.authentication.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["networks.api.throttling.ApiClientRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "socialdomain.api.problems.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["socialdomain.api.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
# Requests per partner API client (DRF rate syntax: N/second|minute|hour|day).
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "600/minute")
# GP hand-offs a GP may send (docs/gp-handoff.md), DRF rate syntax; beyond it the form says no.
GP_HANDOFF_RATE = os.environ.get("GP_HANDOFF_RATE", "20/hour")
# Webhooks (docs/api.md). Seconds to wait after each failed attempt before the next one: the
# first attempt is made at once, then one retry per entry. The default doubles from 1 minute to
# a cap of 6 hours: 13 attempts over about 26.5 hours.
WEBHOOK_RETRY_SCHEDULE = [
    int(seconds)
    for seconds in env_list(
        "WEBHOOK_RETRY_SCHEDULE", "60,120,240,480,960,1920,3840,7680,15360,21600,21600,21600"
    )
]
if not WEBHOOK_RETRY_SCHEDULE or min(WEBHOOK_RETRY_SCHEDULE) < 1:
    raise ImproperlyConfigured("WEBHOOK_RETRY_SCHEDULE: one or more delays in seconds, each >= 1.")
# Host names a webhook may target although they resolve to a private, loopback or link-local
# address, or over plain http (e.g. a partner's receiver inside the municipal network).
WEBHOOK_ALLOWED_HOSTS = [host.lower() for host in env_list("WEBHOOK_ALLOWED_HOSTS")]
# Days events are kept for replay (GET /api/v1/events/) before beat purges them; at least 30.
WEBHOOK_EVENT_RETENTION_DAYS = int(os.environ.get("WEBHOOK_EVENT_RETENTION_DAYS", "30"))
if WEBHOOK_EVENT_RETENTION_DAYS < 30:
    raise ImproperlyConfigured("WEBHOOK_EVENT_RETENTION_DAYS must be at least 30.")
SPECTACULAR_SETTINGS = {
    # 3.1: the `webhooks` section, and scopes on the bearer scheme's security requirements
    "OAS_VERSION": "3.1.0",
    "TITLE": "wijkwerk API",
    "DESCRIPTION": (
        "Partner API of wijkwerk, the social-domain case-management application of the "
        "municipality: for care providers, welfare organisations, housing corporations, "
        "schools and GP systems. iWmo/iJw 3.2 semantics (301 allocation, 305 start and 307 "
        "stop of care, 315/317 requests) in plain JSON.\n\n"
        "**Access.** `Authorization: Bearer <token>` with a token of your organisation. Each "
        "operation's security requirement lists the scope it needs (also as "
        "`x-required-scopes`); without it, a 403.\n\n"
        "**Errors** are `application/problem+json` (RFC 7807, the `Problem` schema) in the "
        "language of `Accept-Language`: `nl` (the default, as in the examples) or `en`.\n\n"
        "**Changes** take `If-Match` (412 when stale) and `Idempotency-Key` (a retry replays "
        "the first answer); throttling answers 429 with `Retry-After`.\n\n"
        "**Webhooks**: see the `webhooks` section; signed per Standard Webhooks, replayable "
        "with GET /api/v1/events/. Every operation has examples in Dutch data. More in "
        "docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc are served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Enums named after the field collide (status of an allocation, of a request, of a
    # delivery); spectacular drops "Request" from a component's name when naming them, which
    # gave an allocation request the allocation's statuses
    "ENUM_NAME_OVERRIDES": {
        "AllocationStatusEnum": "cases.provisions.models.AllocationStatus",
        "AllocationRequestStatusEnum": "cases.partners.models.AllocationRequestStatus",
        "WebhookDeliveryStatusEnum": "networks.models.DeliveryStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "socialdomain.api.schema.add_problem_responses",
        "networks.api.schema.partner_api_details",
    ],
    "WEBHOOKS": [
        "cases.partners.api.webhooks.ALLOCATION_CREATED_WEBHOOK",
        "cases.partners.api.webhooks.ALLOCATION_CHANGED_WEBHOOK",
    ],
}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # our own request log replaces django.server's access lines
        "django.server": {"level": "WARNING"},
        "wijkwerk.request": {"level": LOG_LEVEL, "propagate": True},
    },
}

# Municipality-specific configuration
HOUSEHOLD_SEARCH_PAGE_SIZE = int(os.environ.get("HOUSEHOLD_SEARCH_PAGE_SIZE", "20"))
# Households per full-time (36 h) generalist above which the team page flags a caseload.
TEAM_CASELOAD_PER_FTE = int(os.environ.get("TEAM_CASELOAD_PER_FTE", "25"))


# Provisions: a grant above this amount (euro) needs a second consultant's co-signature.
FOUR_EYES_AMOUNT = int(os.environ.get("FOUR_EYES_AMOUNT", "10000"))
# The former name of CLOCK_REMINDER_WORKING_DAYS (below), still read as its default.
DECISION_REMINDER_WORKING_DAYS = int(os.environ.get("DECISION_REMINDER_WORKING_DAYS", "3"))

# Legal clocks (cases/clocks.py): every running deadline is reminded this many working days
# before it ends (Algemene termijnenwet working days), again on the day, and escalated to the
# team lead once it passed; an invitation to a plan that nobody answered for this many days
# becomes a clock; the team overview of running clocks shows this many rows per page.
CLOCK_REMINDER_WORKING_DAYS = int(
    os.environ.get("CLOCK_REMINDER_WORKING_DAYS", str(DECISION_REMINDER_WORKING_DAYS))
)
INVITATION_OPEN_DAYS = int(os.environ.get("INVITATION_OPEN_DAYS", "10"))
CLOCKS_PAGE_SIZE = int(os.environ.get("CLOCKS_PAGE_SIZE", "50"))
# The address of the site as users reach it (scheme and host, no trailing slash): links in
# e-mails are absolute, and a task has no request to take the host from.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
APPLICATION_QUEUE_PAGE_SIZE = int(os.environ.get("APPLICATION_QUEUE_PAGE_SIZE", "25"))

# AVG: how many years after a household file closed it is destroyed, per law (keys are the
# law codes of networks.models.Law). A file with provisions under several laws keeps the
# longest term; a file without provisions falls under the Wmo term (docs/privacy.md).
RETENTION_YEARS = {
    "wmo": int(os.environ.get("RETENTION_YEARS_WMO", "15")),
    "participatie": int(os.environ.get("RETENTION_YEARS_PARTICIPATIEWET", "15")),
    "jeugd": int(os.environ.get("RETENTION_YEARS_JEUGDWET", "20")),
}
# Rows per page on the privacy officer's lists (correction requests, destruction records).
AVG_PAGE_SIZE = int(os.environ.get("AVG_PAGE_SIZE", "25"))
# Privacy: break the glass (emergency access to a file outside one's circle) lasts this many
# hours and needs a reason of at least this many characters; the privacy officer's access log
# shows this many rows per page and exports at most this many rows as CSV.
BREAK_GLASS_HOURS = int(os.environ.get("BREAK_GLASS_HOURS", "24"))
BREAK_GLASS_REASON_MIN_LENGTH = int(os.environ.get("BREAK_GLASS_REASON_MIN_LENGTH", "20"))
ACCESS_LOG_PAGE_SIZE = int(os.environ.get("ACCESS_LOG_PAGE_SIZE", "50"))
ACCESS_LOG_EXPORT_MAX_ROWS = int(os.environ.get("ACCESS_LOG_EXPORT_MAX_ROWS", "100000"))

# Network links (cases/network, docs/network-links.md): a network member's link to their own
# plan actions. It works NETWORK_LINK_DAYS days (an agreed term) when the member gets a 6-digit
# code by SMS or e-mail, only NETWORK_LINK_DAYS_WITHOUT_CODE days when the link alone is the
# key. NETWORK_LINK_CODE_ATTEMPTS wrong codes lock the link; one address may make
# NETWORK_LINK_REQUESTS_PER_MINUTE requests a minute to these pages (429 after that).
NETWORK_LINK_DAYS = int(os.environ.get("NETWORK_LINK_DAYS", "30"))
NETWORK_LINK_DAYS_WITHOUT_CODE = int(os.environ.get("NETWORK_LINK_DAYS_WITHOUT_CODE", "2"))
NETWORK_LINK_CODE_ATTEMPTS = int(os.environ.get("NETWORK_LINK_CODE_ATTEMPTS", "5"))
NETWORK_LINK_REQUESTS_PER_MINUTE = int(os.environ.get("NETWORK_LINK_REQUESTS_PER_MINUTE", "30"))
# How a code goes out by SMS: a dotted path to a class with `send(to, text)`. The default
# writes the message to the log (development); tests use `cases.network.sms.LocmemSmsBackend`;
# production names the SMS gateway's backend.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "cases.network.sms.ConsoleSmsBackend")
# A member may ask for a new code (sent to the contact details on the link) this often a day.
NETWORK_LINK_CODE_RESENDS = int(os.environ.get("NETWORK_LINK_CODE_RESENDS", "3"))
