"""Settings shared by every environment; every value that differs between them comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-otameshi-development-only-key-0123456789")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The mobile app talks to the API from these origins (its web build and dev servers).
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
# The app sends these besides the defaults, and reads these response headers (caching, retries, downloads, new ids).
CORS_ALLOW_HEADERS = (*default_headers, "accept-language", "idempotency-key", "if-none-match")
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Content-Disposition", "Location", "Idempotent-Replayed"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "facilities",
    "accounts",
    "notifications",
    "consultations",
    "bookings",
    "reimbursements",
    "payments",
    "memberships",
    "outcomes",
    "demo_data",
    "console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes SQLite's write lock when a transaction starts, so two bookings
    # never interleave their read-then-write; the timeout makes the loser wait, not fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 30})

# A read replica (optional): the reads that can be a moment old go to it (backend/replica.py says which).
if os.environ.get("DATABASE_REPLICA_URL", "").strip():
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    # Tests point the replica at the primary's test database rather than creating one of their own.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["backend.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 2.1.1: at least 12 characters.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "backend" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "backend.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "backend.schema.AutoSchema",
    "EXCEPTION_HANDLER": "backend.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "120/min"),
        "user": os.environ.get("THROTTLE_USER", "600/min"),
        # Asking for reset links and trying them, per client address (accounts/apis.py).
        "password_reset": os.environ.get("THROTTLE_PASSWORD_RESET", "10/hour"),
    },
}
# Load tests and the API fuzz pass hammer one account from one address; they switch throttling off.
if env_bool("DEFAULT_THROTTLE_OFF", False):
    REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["password_reset"] = None  # type: ignore[index]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 30)),
    "ROTATE_REFRESH_TOKENS": True,
    "UPDATE_LAST_LOGIN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Otameshi API",
    "DESCRIPTION": (
        "Book trial stays, coworking day passes and certified telework hotels in Japanese towns, "
        "and claim the towns' trial-stay subsidies. Texts follow Accept-Language (ja by default, en)."
    ),
    "VERSION": "1.0.0",
    "LICENSE": {"name": "Proprietary"},
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs' assets are served from this service, so they work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.schema.add_error_components",
        "backend.schema.nullable_references",
    ],
    "ENUM_NAME_OVERRIDES": {
        "FacilityKindEnum": "facilities.models.Facility.Kind",
        "BookingKindEnum": "bookings.models.Booking.Kind",
        "ClaimStatusEnum": "reimbursements.models.Claim.Status",
        "CalendarImportStatusEnum": "bookings.models.CalendarImport.Status",
        "PrefectureEnum": "accounts.prefectures.PREFECTURES",
        "PlanUnitTypeEnum": "memberships.serializers.UNIT_TYPES",
        "ExpenseCategoryEnum": "reimbursements.serializers.EXPENSE_CATEGORY_CHOICES",
        "ProgrammeKindEnum": "reimbursements.models.Programme.Kind",
        "ProgrammeCertificationStatusEnum": "reimbursements.models.Certification.Status",
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The directory of the file backend (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend), where the
# client check reads the password reset link.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Otameshi <no-reply@otameshi.example>")

# Public base URL used in links sent outside the API (iCal URL property, emails).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Links in emails that open the mobile app (backend/app_links.py): https URLs under APP_LINK_PATH_PREFIX on
# APP_LINK_BASE_URL (SITE_URL by default), claimed by the app through the two /.well-known/ files built from these.
APP_LINK_BASE_URL = os.environ.get("APP_LINK_BASE_URL", SITE_URL).rstrip("/")
APP_LINK_PATH_PREFIX = "/app"
APPLE_TEAM_ID = os.environ.get("APPLE_TEAM_ID", "")
APPLE_BUNDLE_IDS = env_list("APPLE_BUNDLE_IDS")
ANDROID_PACKAGE_NAME = os.environ.get("ANDROID_PACKAGE_NAME", "")
# SHA-256 fingerprints of the app's signing certificates, colon-separated hex (AA:BB:…), comma between them.
ANDROID_CERT_FINGERPRINTS = env_list("ANDROID_CERT_FINGERPRINTS")
# A password reset link works once, for this long (Django's PasswordResetTokenGenerator).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60) * 60
SPECTACULAR_SETTINGS["SERVERS"] = [{"url": SITE_URL, "description": "This deployment (SITE_URL)."}]

# Payments: Stripe is used when both keys are set, otherwise bookings are paid on site.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
BOOKING_HOLD_MINUTES = env_int("BOOKING_HOLD_MINUTES", 15)
if not 1 <= BOOKING_HOLD_MINUTES <= 24 * 60:
    raise ImproperlyConfigured("BOOKING_HOLD_MINUTES must be between 1 and 1440.")

# Calendar imports (operators' Airbnb, Booking.com, Google calendars): how often the periodic job syncs them.
CALENDAR_IMPORT_MINUTES = env_int("CALENDAR_IMPORT_MINUTES", 10)
if not 1 <= CALENDAR_IMPORT_MINUTES <= 24 * 60:
    raise ImproperlyConfigured("CALENDAR_IMPORT_MINUTES must be between 1 and 1440.")
# Lets imports fetch plain http from 127.0.0.1: for tests and local development only, never in production.
CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP = env_bool("CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP", False)

# Geocoding (operator-side only; never called while serving a search).
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "otameshi-backend/1.0 (ops@otameshi.example)")
GEOCODER_MIN_INTERVAL_SECONDS = float(os.environ.get("GEOCODER_MIN_INTERVAL_SECONDS", "1.0"))
# Another Nominatim than the public one (one's own, or a local stand-in for the fuzz pass).
GEOCODER_DOMAIN = os.environ.get("GEOCODER_DOMAIN", "")
GEOCODER_SCHEME = os.environ.get("GEOCODER_SCHEME", "https")

# Throttle counters and the geocoder's cache and rate limit must be shared by every worker process in
# production: set CACHE_URL (redis://...). Without it each process keeps its own, which suits one process.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "otameshi"}
    )
}

# Receipts attached to claims.
RECEIPT_MAX_BYTES = env_int("RECEIPT_MAX_BYTES", 10 * 1024 * 1024)

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TIMEZONE = TIME_ZONE
# A directory as the broker (kombu's filesystem transport, CELERY_BROKER_URL=filesystem://): for the client check,
# which runs a worker beside the API without a Redis of its own.
if os.environ.get("CELERY_BROKER_FOLDER"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": os.environ["CELERY_BROKER_FOLDER"],
        "data_folder_out": os.environ["CELERY_BROKER_FOLDER"],
        "control_folder": os.path.join(os.environ["CELERY_BROKER_FOLDER"], "control"),
    }

# Push notifications through Firebase Cloud Messaging (notifications/push.py). With neither FCM_CREDENTIALS_FILE
# (a service account's JSON key) nor FCM_PROJECT_ID set, pushes are logged instead. FCM_ENDPOINT replaces Google's
# server with a local stand-in (tests, the client check).
FCM_CREDENTIALS_FILE = os.environ.get("FCM_CREDENTIALS_FILE", "")
FCM_PROJECT_ID = os.environ.get("FCM_PROJECT_ID", "")
FCM_ENDPOINT = os.environ.get("FCM_ENDPOINT", "")
FCM_TIMEOUT_SECONDS = float(os.environ.get("FCM_TIMEOUT_SECONDS", "10"))

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own "django" logger has a console handler in DEBUG; it also propagates to the root one, so
    # without this every line of the development server printed twice.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}, "django.request": {"level": "ERROR"}},
}


# --- Hardening: proxies, body sizes, login lockout, token blacklist, security headers -------------------------

# Forwarding headers (X-Forwarded-For) are trusted only from this many proxies in front of the app: 0 (the
# default) reads the client's address from the connection, so a client cannot pick its own address to dodge
# throttling and lockout. Behind one load balancer set NUM_PROXIES=1.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured("NUM_PROXIES must be 0 or more.")
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "backend.parsers.JSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]

# Bodies larger than this are refused by their Content-Length (413) before anything reads them: a receipt and
# the form around it. Form fields without files, and files kept in memory rather than on disk, are smaller.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", RECEIPT_MAX_BYTES + 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A database that does not answer is a 503 with this Retry-After, not a hung worker: connecting gives up soon.
DATABASE_RETRY_AFTER_SECONDS = env_int("DATABASE_RETRY_AFTER_SECONDS", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
if "replica" in DATABASES and DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))

MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
# Before anything that reads the body or redirects, after the ones that only add headers (security, CSP, CORS),
# so that its early answers carry them too.
MIDDLEWARE.insert(
    MIDDLEWARE.index("corsheaders.middleware.CorsMiddleware") + 1, "backend.middleware.ApiErrorMiddleware"
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
INSTALLED_APPS += ["axes", "rest_framework_simplejwt.token_blacklist", "csp"]

# Login lockout (django-axes) on every login: the JWT token endpoint, the admin and the browsable API's form.
# An address is locked after AXES_FAILURE_LIMIT failures whatever the accounts, and an account whatever the
# addresses, for AXES_COOLOFF_MINUTES; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Load tests and the API fuzz pass log in (and fail to) from one address; with throttling they switch this off.
AXES_ENABLED = not env_bool("DEFAULT_THROTTLE_OFF", False)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "backend.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.login_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Failures are rows (cleared by a success, or once their cool-off has passed); successes are not logged, so that
# no table grows with every login.
AXES_DISABLE_ACCESS_LOG = True

# Rotated refresh tokens are blacklisted at once; logout blacklists the one it is given.
SIMPLE_JWT["BLACKLIST_AFTER_ROTATION"] = True
# A password change or a deactivation ends every session (accounts/sessions.py): access tokens carry a digest of
# the password hash, which authentication compares with the stored one, and refresh tokens are blacklisted.
SIMPLE_JWT["CHECK_REVOKE_TOKEN"] = True

# Content-Security-Policy: only this origin's scripts and styles (the Swagger UI's bundle comes from its CDN
# until it is served from here). No inline scripts anywhere: the docs use the split view, whose settings
# script is a file. The admin and the Swagger UI set inline styles, hence style-src 'unsafe-inline' (styles only).
SWAGGER_UI_CDN = "https://cdn.jsdelivr.net"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", SWAGGER_UI_CDN],
        "style-src": ["'self'", "'unsafe-inline'", SWAGGER_UI_CDN],
        "img-src": ["'self'", "data:", SWAGGER_UI_CDN],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
