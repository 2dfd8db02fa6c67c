"""Where a 366-day availability read spends its time: cProfile over repeated
`GET /api/v1/units/{id}/availability/` through Django's test client (routing, middleware, the view, the selector,
serialisation, JSON), on PostgreSQL, for an anonymous visitor and for the unit's operator.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otameshi .venv/bin/python bench/availability_profile.py

Creates its own database (`otameshi_bench_availability_<pid>`, dropped at the end); prints the profile's top
entries by cumulative and by own time and the mean time of a request with the profiler off.
"""

import cProfile
import os
import pstats
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_env, drop_database, make_database, migrate_and_set_up, saku_hotel  # noqa: E402

REQUESTS = 200
TOP = 25


def main():
    name, url, admin = make_database(os.environ.get("DATABASE_URL", ""), "availability")
    try:
        migrate_and_set_up(django_env(url))
        run()
    finally:
        drop_database(admin, name)


def run():
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from bookings.models import Closure, PriceOverride, UnitStock
    from facilities.models import Unit

    today = timezone.localdate()
    town, organisation, facility = saku_hotel()
    operator = User.objects.create_user("bench-operator@example.jp", "x", role="operator", organisation=organisation)
    unit = Unit.objects.create(
        facility=facility, unit_type="room", name_ja="部屋", capacity=2, count=3, price_yen=8000, max_nights=30
    )
    # Half the dates booked (some full), two closures and four seasonal prices.
    UnitStock.objects.bulk_create(
        [UnitStock(unit=unit, date=today + timedelta(days=n), total=3, taken=1 + n % 3) for n in range(0, 366, 2)]
    )
    for start in (30, 200):
        Closure.objects.create(
            unit=unit, start_date=today + timedelta(days=start), end_date=today + timedelta(days=start + 6)
        )
    for start in (60, 120, 240, 300):
        PriceOverride.objects.create(
            unit=unit,
            start_date=today + timedelta(days=start),
            end_date=today + timedelta(days=start + 20),
            price_yen=12000,
            label="繁忙期",
        )
    url = f"/api/v1/units/{unit.id}/availability/?from={today}&to={today + timedelta(days=365)}"

    for label, client in (("anonymous", Client()), ("operator", _logged_in(Client(), operator))):
        assert client.get(url).status_code == 200  # warm: imports, connection, caches
        start = time.perf_counter()
        for _ in range(REQUESTS):
            client.get(url)
        mean = (time.perf_counter() - start) / REQUESTS
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(REQUESTS):
            response = client.get(url)
        profile.disable()
        assert response.status_code == 200 and len(response.json()["days"]) == 366
        print(f"\n=== {label}: {REQUESTS} requests, mean {mean * 1000:.2f} ms a request without the profiler ===")
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(TOP)
        stats.sort_stats("tottime").print_stats(TOP)


def _logged_in(client, user):
    client.force_login(user)
    return client


if __name__ == "__main__":
    main()
