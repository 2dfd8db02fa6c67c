"""A calendar site on 127.0.0.1 for calendar-import tests: serves iCal bodies per path with ETag and
Last-Modified, answers conditional requests with 304, and records what each request sent."""

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=dict)
    # Seconds to wait before answering (timeouts).
    delay: float = 0.0
    # Validators are sent and honoured unless switched off.
    validators: bool = True
    # Seconds between the body's bytes, sent one at a time after a Content-Length for the whole (a slow drip).
    drip: float = 0.0


class FeedServer:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []
        # Bytes of each dripping body sent so far.
        self.dripped: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.delay:
                    time.sleep(route.delay)
                etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
                if route.validators and route.status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.validators and route.status == 200:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", "Sun, 01 Nov 2026 00:00:00 GMT")
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if not route.drip:
                        self.wfile.write(route.body)
                        return
                    for offset in range(len(route.body)):
                        self.wfile.write(route.body[offset : offset + 1])
                        self.wfile.flush()
                        server.dripped[self.path] = offset + 1
                        time.sleep(route.drip)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, body: bytes | str, **options) -> str:
        self.routes[path] = Route(body=body.encode() if isinstance(body, str) else body, **options)
        return self.url(path)

    def requests_to(self, path: str) -> list[dict]:
        return [headers for requested, headers in self.requests if requested == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server(settings):
    """The local calendar site, with plain http to 127.0.0.1 allowed as in local development."""
    settings.CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP = True
    server = FeedServer()
    yield server
    server.close()


# --- iCalendar bodies ------------------------------------------------------------------------------------------


def _d(value: date) -> str:
    return value.strftime("%Y%m%d")


def all_day(uid: str, start: date, end: date, *, sequence: int = 0, status: str = "", extra: str = "") -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261101T000000Z",
        f"DTSTART;VALUE=DATE:{_d(start)}",
        f"DTEND;VALUE=DATE:{_d(end)}",
        f"SEQUENCE:{sequence}",
        "SUMMARY:Reserved - Taro Yamada",
    ]
    if status:
        lines.append(f"STATUS:{status}")
    if extra:
        lines.extend(extra.strip().splitlines())
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


def timed(uid: str, start: datetime, end: datetime) -> str:
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20261101T000000Z",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            "SUMMARY:Meeting",
            "END:VEVENT",
        ]
    )


def calendar(*events: str, extra: str = "") -> str:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Other Site//Test//EN"]
    if extra:
        head.extend(extra.strip().splitlines())
    return "\r\n".join(head + list(events) + ["END:VCALENDAR"]) + "\r\n"


def nights(start: date, count: int) -> list[date]:
    return [start + timedelta(days=n) for n in range(count)]
