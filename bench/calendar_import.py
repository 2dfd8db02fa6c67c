"""Calendar import benchmark: a 2,000-event feed synced into a unit that has bookings, then re-synced
unchanged (a 304) and with 1 % of its events moved, each against parsing the same file with icalendar alone,
all in the same run, on PostgreSQL; then the hostile feeds (a rule of every second, 3,000 series, a rule that
walks fifty years, a 1 GB gzip bomb, a 50 MB body, 100,000 events, a body dripping a byte a second behind its
Content-Length), each synced once with its time, status and peak memory above the process's size before it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otameshi .venv/bin/python bench/calendar_import.py

Creates its own database (dropped at the end), never touches the one DATABASE_URL names. The feed is served
over HTTP from 127.0.0.1 (CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP is switched on for this process only).
Targets: a changed re-sync within 2x the parse alone; each hostile feed within 30 s and 200 MB.
"""

import gzip
import io
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import drop_database, make_database  # noqa: E402

EVENTS = 2000
CHANGED_SHARE = 0.01
BOOKINGS = 150
RUNS = 7
PARSE_RUNS = 7


class Feed:
    """The body served, with an ETag that changes with it and 304s to a matching If-None-Match."""

    def __init__(self):
        self.body = b""
        self.etag = '"0"'
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.headers.get("If-None-Match") == feed.etag:
                    self.send_response(304)
                    self.send_header("ETag", feed.etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", feed.etag)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                self.wfile.write(feed.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def set(self, body: bytes, version: int):
        self.body, self.etag = body, f'"{version}"'

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/airbnb.ics"


def ical(events) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Other Site//Bench//EN"]
    for uid, start, nights, sequence in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20261101T000000Z",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{start + timedelta(days=nights):%Y%m%d}",
            f"SEQUENCE:{sequence}",
            "SUMMARY:Reserved",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class HostileFeeds:
    """Bodies by path, each with its own headers, optionally dripped a byte at a time."""

    def __init__(self):
        self.routes: dict[str, tuple[bytes, dict, float]] = {}
        feeds = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                body, headers, drip = feeds.routes[self.path]
                self.send_response(200)
                for name, value in {"Content-Type": "text/calendar", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if not drip:
                        self.wfile.write(body)
                        return
                    for offset in range(len(body)):
                        self.wfile.write(body[offset : offset + 1])
                        self.wfile.flush()
                        time.sleep(drip)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, path: str, body: bytes, headers: dict | None = None, drip: float = 0.0) -> str:
        self.routes[path] = (body, headers or {}, drip)
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


def _rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakMemory:
    """The process's largest resident size while the block runs, sampled every 5 ms, above its size before."""

    def __enter__(self):
        self.resting = self.peak = _rss()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, _rss())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def above(self) -> int:
        return self.peak - self.resting


def hostile_bodies(today) -> dict[str, tuple[bytes, dict, float]]:
    def cal(events: list[str]) -> bytes:
        return (
            "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Attacker//Bench//EN", *events])
            + "\r\nEND:VCALENDAR\r\n"
        ).encode()

    every = {name: ",".join(str(n) for n in range(count)) for name, count in (("H", 24), ("M", 60), ("S", 60))}

    def rule(start: str, extra: str) -> str:
        return (
            f"BEGIN:VEVENT\r\nUID:rule@attacker.example\r\nDTSTART:{start}\r\nDURATION:PT1S\r\n"
            f"RRULE:FREQ=DAILY;BYHOUR={every['H']};BYMINUTE={every['M']}{extra}\r\nEND:VEVENT"
        )

    soon = f"{today + timedelta(days=3):%Y%m%d}T000000Z"
    series = [
        f"BEGIN:VEVENT\r\nUID:s{n}@attacker.example\r\nDTSTART;VALUE=DATE:{today + timedelta(days=1):%Y%m%d}"
        f"\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT"
        for n in range(3000)
    ]
    many = [
        f"BEGIN:VEVENT\r\nUID:e{n}@attacker.example\r\nDTSTART;VALUE=DATE:{today + timedelta(days=n % 700):%Y%m%d}"
        "\r\nEND:VEVENT"
        for n in range(100_000)
    ]
    bomb = io.BytesIO()
    with gzip.GzipFile(fileobj=bomb, mode="wb", compresslevel=6) as packed:
        zeros = b"\0" * (1 << 20)
        for _ in range(1024):
            packed.write(zeros)
    return {
        "every second of every day (BYSECOND)": (cal([rule(soon, ";BYSECOND=" + every["S"])]), {}, 0.0),
        "every minute of every day (no BYSECOND)": (cal([rule(soon, "")]), {}, 0.0),
        "3,000 daily series": (cal(series), {}, 0.0),
        "every second from 1970 (COUNT)": (
            cal([rule("19700101T000000Z", ";BYSECOND=" + every["S"] + ";COUNT=2000000000")]),
            {},
            0.0,
        ),
        "100,000 events": (cal(many), {}, 0.0),
        "1 GB gzip bomb": (bomb.getvalue(), {"Content-Encoding": "gzip"}, 0.0),
        "50 MB body": (b"X" * (50 << 20), {}, 0.0),
        "60 bytes at 1 byte/s (Content-Length)": (cal([])[:60].ljust(60, b" "), {}, 1.0),
    }


def run_hostile(unit_factory, today):
    from bookings import imports
    from bookings.models import CalendarImport, UnitStock

    feeds = HostileFeeds()
    print()
    print("hostile feeds (one sync each)          wire size   status         time     peak above resting")
    for index, (name, (body, headers, drip)) in enumerate(hostile_bodies(today).items()):
        unit = unit_factory()
        url = feeds.serve(f"/h{index}.ics", body, headers, drip)
        calendar_import = CalendarImport.objects.create(unit=unit, name=name[:100], url=url)
        stock_before = UnitStock.objects.exclude(unit=unit).count()
        with PeakMemory() as memory:
            started = time.perf_counter()
            result = imports.calendar_import_sync_safely(calendar_import=calendar_import)
            elapsed = time.perf_counter() - started
        assert UnitStock.objects.exclude(unit=unit).count() == stock_before
        print(
            f"{name:<38} {len(body) / 1024:8.0f} KiB  {result.status:<13} {elapsed:6.1f} s   "
            f"{memory.above / 2**20:6.0f} MB   (targets 30 s, 200 MB)"
        )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main():
    source = os.environ.get("DATABASE_URL", "")
    name, url, admin = make_database(source, "calendar_import")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "backend.settings.base",
        "CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP": "true",
    }
    os.environ.update(env)
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        import django

        django.setup()
        run()
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(admin, name)


def run():
    import icalendar

    from bookings import imports, selectors
    from bookings.models import CalendarImport
    from bookings.services import booking_create
    from tests import factories

    rng = random.Random(7)
    today = selectors.today()
    unit = factories.UnitFactory(count=3, booking_window_days=730, max_nights=30)
    visitor = factories.VisitorFactory()
    for n in range(BOOKINGS):
        check_in = today + timedelta(days=1 + (n * 4) % 700)
        booking_create(visitor=visitor, unit=unit, check_in=check_in, check_out=check_in + timedelta(days=2), adults=1)
    events = [
        [f"res-{n}@airbnb.example", today + timedelta(days=rng.randrange(0, 720)), rng.randrange(1, 4), 0]
        for n in range(EVENTS)
    ]
    feed = Feed()
    version = 1
    feed.set(ical(events), version)
    calendar_import = CalendarImport.objects.create(unit=unit, name="Airbnb", url=feed.url)

    def sync():
        started = time.perf_counter()
        result = imports.calendar_import_sync(calendar_import=CalendarImport.objects.get(pk=calendar_import.pk))
        return time.perf_counter() - started, result.status

    def parse_alone():
        samples = []
        for _ in range(PARSE_RUNS):
            started = time.perf_counter()
            icalendar.Calendar.from_ical(feed.body)
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    first, status = sync()
    assert status == "ok", status
    parse_first = parse_alone()
    unchanged, changed, parses = [], [], []
    for _ in range(RUNS):
        elapsed, status = sync()
        assert status == "not_modified", status
        unchanged.append(elapsed)
        for event in rng.sample(events, int(EVENTS * CHANGED_SHARE)):
            event[1] = today + timedelta(days=rng.randrange(0, 720))
            event[3] += 1
        version += 1
        feed.set(ical(events), version)
        parses.append(parse_alone())
        elapsed, status = sync()
        assert status == "ok", status
        changed.append(elapsed)
    current = CalendarImport.objects.get(pk=calendar_import.pk)
    parse = statistics.median(parses)
    print(
        f"feed: {EVENTS} events, {len(feed.body) / 1024:.0f} KiB; unit with {BOOKINGS} bookings; "
        f"{current.block_count} blocked dates, {current.blocks.filter(held=False).count()} in conflict"
    )
    print(f"icalendar parse alone (median)     {ms(parse)}")
    print(f"first sync                         {ms(first)}   ratio {first / parse_first:5.2f}")
    print(
        f"re-sync unchanged, 304 (median)    {ms(statistics.median(unchanged))}   "
        f"ratio {statistics.median(unchanged) / parse:5.2f}"
    )
    print(
        f"re-sync, 1 % changed (median)      {ms(statistics.median(changed))}   "
        f"ratio {statistics.median(changed) / parse:5.2f}   (target <= 2.00)"
    )
    run_hostile(lambda: factories.UnitFactory(count=1, booking_window_days=730), today)


if __name__ == "__main__":
    main()
