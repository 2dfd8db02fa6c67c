"""Settings come from the environment; production settings refuse to start half-configured and pass
Django's deployment checklist without warnings."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "backend.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "api.otameshi.example",
    "DATABASE_URL": "postgres://otameshi@db.internal:5432/otameshi",
}

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "CORS_ALLOWED_ORIGINS": settings.CORS_ALLOWED_ORIGINS,
    "DATABASE": settings.DATABASES["default"]["ENGINE"] + " " + settings.DATABASES["default"]["NAME"],
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "THROTTLES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"],
}))
"""


def _run(args, **env):
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "ALLOWED_HOSTS", "SECRET_KEY", "DEBUG", "CORS_ALLOWED_ORIGINS"}
        and not key.startswith("DB_")
        and key != "DATABASE_REPLICA_URL"
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = _run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_settings_are_read_from_the_environment():
    result = _run(
        ["-c", PRINT_SETTINGS],
        DJANGO_SETTINGS_MODULE="backend.settings.base",
        DEBUG="false",
        ALLOWED_HOSTS="api.example.jp, admin.example.jp",
        CORS_ALLOWED_ORIGINS="https://app.example.jp",
        DATABASE_URL="postgres://u@h:5432/otameshi_x",
        CACHE_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["DEBUG"] is False
    assert settings["ALLOWED_HOSTS"] == ["api.example.jp", "admin.example.jp"]
    assert settings["CORS_ALLOWED_ORIGINS"] == ["https://app.example.jp"]
    assert settings["DATABASE"] == "django.db.backends.postgresql otameshi_x"
    assert settings["CACHE"] == "django.core.cache.backends.redis.RedisCache"
    assert settings["THROTTLES"] == [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ]


def test_throttling_can_be_switched_off_for_load_tests():
    result = _run(["-c", PRINT_SETTINGS], DJANGO_SETTINGS_MODULE="backend.settings.base", DEFAULT_THROTTLE_OFF="1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["THROTTLES"] == []


def test_a_nonsensical_hold_time_is_refused():
    result = _run(["-c", PRINT_SETTINGS], DJANGO_SETTINGS_MODULE="backend.settings.base", BOOKING_HOLD_MINUTES="0")
    assert result.returncode != 0
    assert "BOOKING_HOLD_MINUTES" in result.stderr


def test_production_refuses_calendar_imports_from_the_loopback():
    result = _run(["manage.py", "check"], **PRODUCTION, CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP="true")
    assert result.returncode != 0
    assert "CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP must not be set in production" in result.stderr


def test_a_nonsensical_calendar_import_interval_is_refused():
    result = _run(["-c", PRINT_SETTINGS], DJANGO_SETTINGS_MODULE="backend.settings.base", CALENDAR_IMPORT_MINUTES="0")
    assert result.returncode != 0
    assert "CALENDAR_IMPORT_MINUTES" in result.stderr


PRINT_DATABASES = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    alias: {"NAME": db["NAME"], "CONN_MAX_AGE": db["CONN_MAX_AGE"], "CONN_HEALTH_CHECKS": db["CONN_HEALTH_CHECKS"]}
    for alias, db in settings.DATABASES.items()
}))
"""


def test_production_keeps_connections_and_checks_them_before_reuse():
    result = _run(["-c", PRINT_DATABASES], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "default": {"NAME": "otameshi", "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    }


def test_behind_pgbouncer_production_can_close_connections_after_each_request():
    result = _run(["-c", PRINT_DATABASES], **PRODUCTION, DB_CONN_MAX_AGE="0")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["default"]["CONN_MAX_AGE"] == 0


def test_a_replica_url_adds_the_replica_alias_with_the_same_connection_settings():
    replica = "postgres://otameshi@replica.internal:5432/otameshi_replica"
    result = _run(["-c", PRINT_DATABASES], **PRODUCTION, DATABASE_REPLICA_URL=replica)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "default": {"NAME": "otameshi", "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True},
        "replica": {"NAME": "otameshi_replica", "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True},
    }


SET_LANGUAGE = """
import django
django.setup()
from django.test import Client
response = Client().post(
    "/console/i18n/setlang/", {"language": "en", "next": "/console/"}, secure=True, HTTP_HOST="api.otameshi.example"
)
cookie = response.cookies["django_language"]
print(response.status_code, repr(cookie["secure"]), cookie["samesite"])
"""


def test_in_production_the_consoles_language_cookie_is_secure_and_same_site_lax():
    result = _run(["-c", SET_LANGUAGE], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["302", "True", "Lax"]
