"""Where the time of one `POST /api/v1/bookings/` goes: cProfile around Django's test client (the whole stack:
middleware, authentication, validation, the booking's transaction, the payment, the estimates, the response) on
PostgreSQL, paid on site, after a few warm-up requests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otameshi .venv/bin/python bench/booking_profile.py [N]

Creates its own database (dropped at the end), never touches the one DATABASE_URL names. Prints the mean time
of a booking, its queries and the profile's top entries by cumulative time, then by own time.
`BOOKING_PROFILE_STATS=path` also writes the raw profile there (for `python -m pstats path`).
"""

import cProfile
import io
import os
import pstats
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_env, drop_database, make_database, migrate_and_set_up, saku_hotel  # noqa: E402

WARM_UP = 10
UNITS = 8
TOP = 40


def main():
    requests_profiled = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    name, url, admin = make_database(os.environ.get("DATABASE_URL", ""), "booking_profile")
    try:
        migrate_and_set_up(django_env(url))
        run(requests_profiled)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(admin, name)


def run(requests_profiled: int) -> None:
    from django.db import connection
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from bookings import selectors
    from facilities.models import Unit

    town, organisation, facility = saku_hotel()
    units = [
        Unit.objects.create(
            facility=facility, unit_type="room", name_ja=f"部屋{n}", capacity=2, count=1, price_yen=8000, max_nights=30
        )
        for n in range(UNITS)
    ]
    # As in bench/booking.py: one visitor per unit, each booking one night after another.
    clients = []
    for n in range(UNITS):
        client = APIClient()
        visitor = User.objects.create_user(f"bench-profile{n}@example.jp", "x")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(visitor).access_token}")
        clients.append(client)
    today = selectors.today()

    def book(k):
        # One night every other day, on the units in turn (a booking window of a year holds 180 per unit).
        body = {
            "unit": units[k % UNITS].id,
            "check_in": (today + timedelta(days=1 + 2 * (k // UNITS))).isoformat(),
            "check_out": (today + timedelta(days=2 + 2 * (k // UNITS))).isoformat(),
            "adults": 1,
        }
        response = clients[k % UNITS].post("/api/v1/bookings/", body, format="json")
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code} {response.content[:200]!r}")

    for k in range(WARM_UP):
        book(k)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        book(WARM_UP)

    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    for k in range(WARM_UP + 1, WARM_UP + 1 + requests_profiled):
        book(k)
    profile.disable()
    elapsed = time.perf_counter() - start

    print(f"{requests_profiled} bookings through the test client, PostgreSQL, paid on site")
    print(f"mean {elapsed / requests_profiled * 1000:.1f} ms per booking (profiled), {len(queries)} queries each")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(TOP)
    stats.sort_stats("tottime").print_stats(TOP // 2)
    print(out.getvalue())
    if os.environ.get("BOOKING_PROFILE_STATS"):
        profile.dump_stats(os.environ["BOOKING_PROFILE_STATS"])


if __name__ == "__main__":
    main()
