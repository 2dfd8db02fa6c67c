"""Calendar import benchmark: a 2,000-event feed synced into a unit that has bookings, then re-synced
unchanged (a 304) and with 1 % of its events moved, each against parsing the same file with icalendar alone,
all in the same run, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otameshi .venv/bin/python bench/calendar_import.py

Creates its own database (dropped at the end), never touches the one DATABASE_URL names. The feed is served
over HTTP from 127.0.0.1 (CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP is switched on for this process only).
Target: a changed re-sync within 2x the parse alone.
"""

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


if __name__ == "__main__":
    main()
