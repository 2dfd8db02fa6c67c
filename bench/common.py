"""What the benchmarks share: a throwaway PostgreSQL database of their own, and the figures they print."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent


def p95(samples):
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def make_database(url: str, label: str) -> tuple[str, str, str]:
    """Creates `otameshi_bench_<label>_<pid>` beside the database DATABASE_URL names (which is never touched);
    returns its name, its URL and the maintenance database's URL to drop it with."""
    import psycopg

    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit(f"bench/{label}.py needs DATABASE_URL=postgres://...")
    name = f"otameshi_bench_{label}_{os.getpid()}"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, urlunparse(parsed._replace(path=f"/{name}")), admin


def drop_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_env(url: str, **extra: str) -> dict[str, str]:
    """The environment a benchmark runs Django in: its own database, production's settings module with its
    database settings as they are (connections kept, health-checked), quiet logs and no throttles (a few accounts
    make thousands of requests a minute here); `extra` adds to it or overrides it. The one other difference from a
    deployment: plain HTTP on loopback, where TLS ends at the proxy in front of gunicorn."""
    environ = {name: value for name, value in os.environ.items() if not name.startswith("DB_")}
    return {
        **environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "backend.settings.production",
        "SECRET_KEY": "benchmark-only-secret-key-not-used-anywhere-else-0123456789",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "WARNING",
        "DEFAULT_THROTTLE_OFF": "1",
        **extra,
    }


def migrate_and_set_up(env: dict[str, str]) -> None:
    """Migrates the benchmark's database and sets Django up in this process, with `env` as its environment."""
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    import django

    django.setup()


def saku_hotel():
    """Saku, an operator organisation and a telework hotel there: where the booking benchmarks book."""
    from facilities.models import Facility, Municipality, OperatorOrganisation

    town = Municipality.objects.create(
        code="202177", prefecture_ja="長野県", prefecture_en="Nagano", name_ja="佐久市", name_en="Saku"
    )
    organisation = OperatorOrganisation.objects.create(name="ベンチ運営")
    facility = Facility.objects.create(
        kind="telework_hotel",
        operator=organisation,
        municipality=town,
        name_ja="ベンチホテル",
        name_en="Bench Hotel",
        address_ja="佐久市1-1",
        latitude=36.27,
        longitude=138.47,
    )
    return town, organisation, facility
