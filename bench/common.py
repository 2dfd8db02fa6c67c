"""What the benchmarks share: a throwaway PostgreSQL database of their own, and the figures they print."""

import os
import sys
from urllib.parse import urlparse, urlunparse


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
