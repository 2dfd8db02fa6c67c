"""Where a facility search spends its time: the 200 searches of bench/search.py on its 10,000-facility catalogue,
through Django's test client, on PostgreSQL: first timed with each SQL statement's share (no profiler), then
under cProfile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otameshi .venv/bin/python bench/search_profile.py

Creates its own database (`otameshi_bench_search_profile_<pid>`, dropped at the end). Prints the mean time of a
search, the time each kind of statement takes per search, and the profile's top entries by cumulative time.
`SEARCH_PROFILE_STATS=path` also writes the raw profile there (for `python -m pstats path`).
"""

import cProfile
import io
import os
import pstats
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_env, drop_database, make_database, migrate_and_set_up  # noqa: E402
from bench.search import WARM_UP, build_catalogue, searches  # noqa: E402

TOP = 40


def main() -> None:
    name, url, admin = make_database(os.environ.get("DATABASE_URL", ""), "search_profile")
    try:
        migrate_and_set_up(django_env(url))
        run()
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(admin, name)


def run() -> None:
    from django.db import connection
    from django.test import Client

    rng = random.Random(20261124)  # the same catalogue and searches as bench/search.py
    build_catalogue(rng)
    urls = ["/api/v1/facilities/?" + urlencode(query) for query in searches(rng)]
    client = Client(HTTP_HOST="127.0.0.1")
    for url in urls[:WARM_UP]:
        assert client.get(url).status_code == 200

    spent: dict[str, float] = defaultdict(float)

    def timed(execute, sql, *args):
        start = time.perf_counter()
        try:
            return execute(sql, *args)
        finally:
            spent[" ".join(sql.split())[:70]] += time.perf_counter() - start

    start = time.perf_counter()
    with connection.execute_wrapper(timed):
        for url in urls:
            client.get(url)
    elapsed = time.perf_counter() - start
    print(f"{len(urls)} searches through the test client, PostgreSQL")
    print(f"mean {elapsed / len(urls) * 1000:.2f} ms a search (no profiler), of which SQL per search:")
    for sql, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {seconds / len(urls) * 1000:6.2f} ms  {sql}")

    profile = cProfile.Profile()
    profile.enable()
    for url in urls:
        client.get(url)
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(TOP)
    print(out.getvalue())
    if os.environ.get("SEARCH_PROFILE_STATS"):
        profile.dump_stats(os.environ["SEARCH_PROFILE_STATS"])


if __name__ == "__main__":
    main()
