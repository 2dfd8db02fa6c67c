"""Health checks for the load balancer and the orchestrator: /healthz says the process answers (it touches
nothing), /readyz that it can serve (the database and the cache answer), 503 with Retry-After when not."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as exc:
        logger.warning("Readiness: the database does not answer: %s", exc)
        # A broken connection must not be reused by the next request in this thread.
        connection.close_if_unusable_or_obsolete()
        return False


def _cache_answers() -> bool:
    key, value = "readyz-probe", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        return cache.get(key) == value
    except Exception as exc:  # every cache backend raises its own errors (redis, memcached)
        logger.warning("Readiness: the cache does not answer: %s", exc)
        return False


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    ready = all(checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {name: "ok" if answered else "unavailable" for name, answered in checks.items()},
    }
    response = JsonResponse(body, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    return response
