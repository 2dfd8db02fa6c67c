"""Production settings: secure defaults; SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS must be set."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env_bool, env_int

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
# No silent fall-back to the development database or hosts.
for _name in ("DATABASE_URL", "ALLOWED_HOSTS"):
    if not os.environ.get(_name, "").strip():
        raise ImproperlyConfigured(f"{_name} must be set in production.")

# Connections are kept between requests (a new PostgreSQL connection costs a few milliseconds, more with TLS, on
# every request otherwise) and checked before a request reuses one, so that one broken by a database restart is
# replaced instead of failing the request. Each gunicorn worker holds at most one; with PgBouncer in front of
# PostgreSQL (transaction pooling), set DB_CONN_MAX_AGE=0 and let PgBouncer keep them (docs/scaling.md).
for _alias in DATABASES:  # noqa: F405
    DATABASES[_alias]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)  # noqa: F405
    DATABASES[_alias]["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", True)  # noqa: F405
    # Behind PgBouncer's transaction pooling a server-side cursor (the claims' CSV export) cannot span statements.
    DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False)  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The console's language choice (django.views.i18n.set_language) is a cookie like the others.
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Calendar imports fetching plain http from the server's own loopback: for tests and local development only.
if env_bool("CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP", False):
    raise ImproperlyConfigured("CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP must not be set in production.")
