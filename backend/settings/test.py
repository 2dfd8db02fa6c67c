"""Settings for the test suite: the database still comes from DATABASE_URL (SQLite by default)."""

from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STRIPE_SECRET_KEY = ""
STRIPE_WEBHOOK_SECRET = ""
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "password_reset": None}}  # noqa: F405

import os  # noqa: E402

# Lets several suites run side by side on one machine without sharing a test database.
_suffix = os.environ.get("TEST_DB_SUFFIX", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that live-server tests get real separate connections and real contention.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db{_suffix}.sqlite3")}  # noqa: F405
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}{_suffix}"}  # noqa: F405
AXES_ENABLED = True  # login lockout stays on in tests whatever DEFAULT_THROTTLE_OFF says; tests/accounts prove it

# A replica alias pointing at the primary's test database, as a deployment with DATABASE_REPLICA_URL has one;
# reads go to it only in the tests that switch DATABASE_REPLICA_READS on (with committed data, since the alias
# is a connection of its own and would not see another connection's open transaction).
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_REPLICA_READS = False

# Tasks queued on commit (pushes, a calendar import's "sync now") run at once in the test's process, against
# the local stand-ins.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
FCM_CREDENTIALS_FILE = ""
FCM_PROJECT_ID = ""
FCM_ENDPOINT = ""

# Uploads a test does not redirect itself go to a folder of this process's own, so that suites running side by
# side (CI runs SQLite's and PostgreSQL's at once) never read each other's files.
if "MEDIA_ROOT" not in os.environ:
    import tempfile  # noqa: E402

    MEDIA_ROOT = Path(tempfile.gettempdir()) / f"otameshi-test-media-{os.getpid()}"  # noqa: F405
