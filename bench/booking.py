"""Booking benchmark: bookings per second and p95 under gunicorn (2 workers) on PostgreSQL, against the
framework's floor (an authenticated GET of /api/v1/me/ on the same server, same run); p95 of a 366-day
availability calendar; a 2,000-booking feed against icalendar alone, and a 304 to If-None-Match and to
If-Modified-Since.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otameshi .venv/bin/python bench/booking.py [--availability]

With --availability it measures only the floor and the 366-day availability (200 requests, after the same 80
bookings of the calendar's unit), with p50, p95 and the ratio to the floor's p95, to compare that figure quickly
between two checkouts. Creates its own database (dropped at the end), never touches the one DATABASE_URL names.

The hourly run (in the full run, or alone with --hourly): meeting rooms booked by the hour at a coworking space,
one room per client, each client booking an hour a day on the quarter-hour grid (each booking locks its date's row
and four slot rows), against the floor's p95 (goal: within 3x, as a night's booking); then a day's free slots of a
room with bookings on it (GET /units/{id}/slots/?date=) against the floor's p95 (goal: within 1.5x).
"""

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_env, drop_database, make_database, migrate_and_set_up, p95, saku_hotel  # noqa: E402

CLIENTS = 8
BOOKINGS_PER_CLIENT = 80
# Half of the floor's requests are made before the bookings and half after, and pooled: the machine's pace drifts
# within a run, and a floor taken on one side only would carry the drift into both ratios.
FLOOR_REQUESTS_PER_CLIENT = 120
CALENDAR_REQUESTS = 160
# With --availability the calendar is the only figure: more requests make its p95 steadier.
CALENDAR_REQUESTS_ALONE = 200
FEED_BOOKINGS = 2000
FEED_RUNS = 15
SERVER_START_SECONDS = 90
HOURLY_BOOKINGS_PER_CLIENT = 40
SLOTS_REQUESTS = 160


def ms(seconds):
    return f"{seconds * 1000:8.1f} ms"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(server, url: str) -> None:
    """Waits for gunicorn's first answer (a cold worker may take seconds to import everything); stops the run
    with a plain message if gunicorn exits or never answers."""
    import requests

    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if server.poll() is not None:
            sys.exit(
                f"bench/booking.py: gunicorn exited with status {server.returncode} before answering "
                "(its log is above)."
            )
        try:
            requests.get(url, timeout=15)
            return
        except requests.RequestException as exc:
            if time.monotonic() > deadline:
                sys.exit(
                    f"bench/booking.py: gunicorn did not answer {url} within {SERVER_START_SECONDS} s "
                    f"(last error: {exc})."
                )
            time.sleep(0.2)


def timed_requests(session_headers, calls):
    """Runs each client's list of (method, url, json) in its own thread; returns all latencies and wall time."""
    import requests

    latencies, lock = [], threading.Lock()

    def client(index):
        session = requests.Session()
        session.headers.update(session_headers[index])
        mine = []
        for method, url, body in calls[index]:
            start = time.perf_counter()
            response = session.request(method, url, json=body, timeout=60)
            mine.append(time.perf_counter() - start)
            if response.status_code >= 400:
                raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:200]}")
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        list(pool.map(client, range(len(calls))))
    return latencies, time.perf_counter() - start


def main():
    only_availability = "--availability" in sys.argv[1:]
    only_hourly = "--hourly" in sys.argv[1:]
    source = os.environ.get("DATABASE_URL", "")
    name, url, admin = make_database(source, "booking")
    env = django_env(url)
    try:
        migrate_and_set_up(env)
        run(env, only_availability=only_availability, only_hourly=only_hourly)
    finally:
        drop_database(admin, name)


def hourly_run(auth, base, organisation, town) -> tuple[list[float], float, list[float]]:
    """The hourly bookings (latencies and wall time) and a day's slots (latencies), as the module's docstring says."""
    from bookings import selectors
    from bookings.models import Booking
    from facilities.models import Facility, Unit

    space = Facility.objects.create(
        kind="coworking",
        operator=organisation,
        municipality=town,
        name_ja="ベンチコワーキング",
        address_ja="佐久市1-2",
        latitude=36.27,
        longitude=138.47,
    )
    rooms = [
        Unit.objects.create(
            facility=space,
            unit_type="meeting_room",
            name_ja=f"会議室{n}",
            capacity=6,
            count=1,
            price_yen=1100,
            booking_mode="hourly",
            opening_hours={weekday: ["09:00", "18:00"] for weekday in Unit.WEEKDAYS},
        )
        for n in range(len(auth))
    ]
    today = selectors.today()

    def hour(day_offset: int, start: int) -> dict:
        day = (today + timedelta(days=day_offset)).isoformat()
        return {"starts_at": f"{day}T{start:02d}:15:00+09:00", "ends_at": f"{day}T{start + 1:02d}:15:00+09:00"}

    calls = [
        [
            ("POST", f"{base}/api/v1/bookings/", {"unit": room.id, "adults": 1, **hour(1 + k // 4, 9 + 2 * (k % 4))})
            for k in range(HOURLY_BOOKINGS_PER_CLIENT)
        ]
        for room in rooms
    ]
    latencies, wall = timed_requests(auth, calls)
    assert Booking.objects.filter(kind="hourly", status="confirmed").count() == len(rooms) * HOURLY_BOOKINGS_PER_CLIENT
    # A day of the first room with four bookings on it.
    day = (today + timedelta(days=1)).isoformat()
    slots_calls = [
        [("GET", f"{base}/api/v1/units/{rooms[0].id}/slots/?date={day}", None)] * (SLOTS_REQUESTS // len(auth))
        for _ in auth
    ]
    slots, _ = timed_requests(auth, slots_calls)
    return latencies, wall, slots


def print_hourly(floor, latencies, wall, slots) -> None:
    print(
        f"POST /api/v1/bookings/ (hours) {len(latencies) / wall:8.1f} bookings/s p95 {ms(p95(latencies))}"
        f"   ({len(latencies)} bookings of an hour, one room per client)"
    )
    print(f"  ratio to the floor:       p95 {p95(latencies) / p95(floor):5.2f}x   (goal <= 3x)")
    print(
        f"a day's slots               p50 {ms(statistics.median(slots))}   p95 {ms(p95(slots))}"
        f"   ({len(slots)} requests; {p95(slots) / p95(floor):5.2f}x the floor's p95, goal <= 1.5x)"
    )


def run(env, *, only_availability=False, only_hourly=False):
    import icalendar
    from django.db.models import F
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from bookings import selectors
    from bookings.models import Booking, BookingLine, CalendarFeed, UnitStock
    from facilities.models import Unit

    town, organisation, facility = saku_hotel()
    operator = User.objects.create_user("bench-operator@example.jp", "x", role="operator", organisation=organisation)
    units = [
        Unit.objects.create(
            facility=facility, unit_type="room", name_ja=f"部屋{n}", capacity=2, count=1, price_yen=8000, max_nights=30
        )
        for n in range(CLIENTS)
    ]
    visitors = [User.objects.create_user(f"bench{n}@example.jp", "x") for n in range(CLIENTS)]
    auth = [{"Authorization": f"Bearer {RefreshToken.for_user(v).access_token}"} for v in visitors]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "backend.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        import requests

        wait_until_serving(server, f"{base}/api/v1/me/")

        today = selectors.today()
        # Warm both workers (connections, imports) before measuring anything.
        timed_requests(auth, [[("GET", f"{base}/api/v1/me/", None)] * 5 for _ in range(CLIENTS)])

        floor_calls = [[("GET", f"{base}/api/v1/me/", None)] * (FLOOR_REQUESTS_PER_CLIENT // 2) for _ in range(CLIENTS)]
        floor, floor_wall = timed_requests(auth, floor_calls)
        if only_hourly:
            hourly = hourly_run(auth, base, organisation, town)
            floor_after, floor_after_wall = timed_requests(auth, floor_calls)
            floor, floor_wall = floor + floor_after, floor_wall + floor_after_wall
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"gunicorn 2 workers, PostgreSQL, {CLIENTS} concurrent clients; load average {load} (1, 5, 15 min)")
            print(f"floor: GET /api/v1/me/      {len(floor) / floor_wall:8.1f} req/s   p95 {ms(p95(floor))}")
            print_hourly(floor, *hourly)
            return
        calls = [
            [
                (
                    "POST",
                    f"{base}/api/v1/bookings/",
                    {
                        "unit": unit.id,
                        "check_in": (today + timedelta(days=1 + 2 * k)).isoformat(),
                        "check_out": (today + timedelta(days=2 + 2 * k)).isoformat(),
                        "adults": 1,
                    },
                )
                for k in range(BOOKINGS_PER_CLIENT)
            ]
            for unit in units
        ]
        if only_availability:
            # The calendar's unit gets the bookings it has in the whole run; nothing else is measured.
            calls = [calls[0]]
        booking_latencies, booking_wall = timed_requests(auth, calls)
        assert Booking.objects.filter(status="confirmed").count() == len(calls) * BOOKINGS_PER_CLIENT
        floor_after, floor_after_wall = timed_requests(auth, floor_calls)
        floor, floor_wall = floor + floor_after, floor_wall + floor_after_wall

        calendar_calls = [
            [
                (
                    "GET",
                    f"{base}/api/v1/units/{units[0].id}/availability/?from={today}&to={today + timedelta(days=365)}",
                    None,
                )
            ]
            * ((CALENDAR_REQUESTS_ALONE if only_availability else CALENDAR_REQUESTS) // CLIENTS)
            for _ in range(CLIENTS)
        ]
        calendar, _ = timed_requests(auth, calendar_calls)
        hourly = None if only_availability else hourly_run(auth, base, organisation, town)
        if only_availability:
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"gunicorn 2 workers, PostgreSQL, {CLIENTS} concurrent clients; load average {load} (1, 5, 15 min)")
            print(f"floor: GET /api/v1/me/      {len(floor) / floor_wall:8.1f} req/s   p95 {ms(p95(floor))}")
            print(
                f"366-day availability        p50 {ms(statistics.median(calendar))}   p95 {ms(p95(calendar))}"
                f"   ({len(calendar)} requests)"
            )
            print(f"  ratio to the floor:       p95 {p95(calendar) / p95(floor):5.2f}x")
            return

        # A 20-room block with 2,000 one-night bookings, straight into the tables.
        hotel = Unit.objects.create(
            facility=facility, unit_type="room", name_ja="スタンダード", capacity=2, count=20, price_yen=9000
        )
        nights = [today + timedelta(days=1 + n // 20) for n in range(FEED_BOOKINGS)]
        created = Booking.objects.bulk_create(
            [
                Booking(
                    visitor=visitors[n % CLIENTS],
                    unit=hotel,
                    kind="stay",
                    check_in=night,
                    check_out=night + timedelta(days=1),
                    status="confirmed",
                    total_yen=9000,
                    sequence=1,
                )
                for n, night in enumerate(nights)
            ]
        )
        BookingLine.objects.bulk_create([BookingLine(booking=b, date=b.check_in, price_yen=9000) for b in created])
        UnitStock.objects.bulk_create(
            [UnitStock(unit=hotel, date=night, total=20, taken=0) for night in sorted(set(nights))]
        )
        UnitStock.objects.filter(unit=hotel).update(taken=F("total"))
        feed = CalendarFeed.objects.create(owner=operator, scope="unit", unit=hotel, token="bench-feed-token")
        feed_url = f"{base}/api/v1/calendars/{feed.token}.ics"

        session = requests.Session()
        feed_times, first = [], None
        for _ in range(FEED_RUNS):
            start = time.perf_counter()
            response = session.get(feed_url, timeout=60)
            feed_times.append(time.perf_counter() - start)
            first = first or response
        assert first.status_code == 200 and first.text.count("BEGIN:VEVENT") == FEED_BOOKINGS

        rows = list(
            Booking.objects.filter(unit=hotel)
            .order_by("check_in", "id")
            .values_list("id", "check_in", "check_out", "status", "sequence", "updated_at")
        )
        baseline_times = []
        for _ in range(FEED_RUNS):
            start = time.perf_counter()
            calendar_object = icalendar.Calendar()
            calendar_object.add("prodid", "-//Otameshi//Bookings 1.0//JA")
            calendar_object.add("version", "2.0")
            for booking_id, check_in, check_out, _status, sequence, updated_at in rows:
                event = icalendar.Event()
                event.add("uid", f"booking-{booking_id}@127.0.0.1")
                event.add("dtstamp", updated_at)
                event.add("last-modified", updated_at)
                event.add("dtstart", check_in)
                event.add("dtend", check_out)
                event.add("summary", "予約済み：スタンダード")
                event.add("status", "CONFIRMED")
                event.add("sequence", sequence)
                event.add("transp", "OPAQUE")
                calendar_object.add_component(event)
            calendar_object.to_ical()
            baseline_times.append(time.perf_counter() - start)

        # A 304 both ways calendar apps ask: by ETag, and by date alone.
        not_modified = {"If-None-Match": [], "If-Modified-Since": []}
        validators = {"If-None-Match": first.headers["ETag"], "If-Modified-Since": first.headers["Last-Modified"]}
        for header, samples in not_modified.items():
            for _ in range(FEED_RUNS):
                start = time.perf_counter()
                response = session.get(feed_url, headers={header: validators[header]}, timeout=60)
                samples.append(time.perf_counter() - start)
                assert response.status_code == 304, (header, response.status_code)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    floor_rps = len(floor) / floor_wall
    booking_rps = len(booking_latencies) / booking_wall
    feed_median, baseline_median = statistics.median(feed_times), statistics.median(baseline_times)
    # The machine may be shared: how busy it was tells how far this run's figures compare with another's.
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"gunicorn 2 workers, PostgreSQL, {CLIENTS} concurrent clients; load average {load} (1, 5, 15 min)")
    print(f"floor: GET /api/v1/me/      {floor_rps:8.1f} req/s   p95 {ms(p95(floor))}")
    print(
        f"POST /api/v1/bookings/      {booking_rps:8.1f} bookings/s p95 {ms(p95(booking_latencies))}"
        f"   (distinct units; {len(booking_latencies)} bookings)"
    )
    print(
        f"  ratio to the floor:       throughput {booking_rps / floor_rps:5.2f}x   "
        f"p95 {p95(booking_latencies) / p95(floor):5.2f}x"
    )
    print(
        f"366-day availability        p95 {ms(p95(calendar))}   ({len(calendar)} requests; "
        f"{p95(calendar) / p95(floor):5.2f}x the floor's p95)"
    )
    print(
        f"feed of {FEED_BOOKINGS} bookings (HTTP) median {ms(feed_median)}   "
        f"icalendar alone median {ms(baseline_median)}   ratio {feed_median / baseline_median:5.2f} (target <= 1.5)"
    )
    for header, samples in not_modified.items():
        print(f"feed 304 ({header + ')':<18} median {ms(statistics.median(samples))}   p95 {ms(p95(samples))}")
    if hourly is not None:
        print_hourly(floor, *hourly)


if __name__ == "__main__":
    main()
