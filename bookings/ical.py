"""iCalendar (RFC 5545) text: escaping, line folding, VEVENTs of all-day events and of timed ones in Japan time.

Written by hand rather than through icalendar's object model because a feed of thousands of events is
rendered on every calendar poll; the tests check the output with icalendar and a second strict parser.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CRLF = "\r\n"
PRODID = "-//Otameshi//Bookings 1.0//JA"
TZID = "Asia/Tokyo"
TOKYO = ZoneInfo(TZID)
# Japan has kept +09:00 all year since 1951: one STANDARD rule describes it.
VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:" + TZID,
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0900",
    "TZOFFSETTO:+0900",
    "TZNAME:JST",
    "END:STANDARD",
    "END:VTIMEZONE",
]


@dataclass(frozen=True)
class Event:
    """One all-day event of [start, end): DTEND is exclusive, as RFC 5545 has it for DATE values. With
    datetimes for start and end, a timed event written in Japan time (TZID=Asia/Tokyo)."""

    uid: str
    start: date
    end: date
    stamp: datetime
    summary: str
    status: str = "CONFIRMED"
    sequence: int = 0
    location: str = ""
    geo: tuple[float, float] | None = None
    url: str = ""
    description: str = ""


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    if len(line) <= 75 and (line.isascii() or len(line.encode("utf-8")) <= 75):
        return line
    if line.isascii():
        parts = [line[:75]] + [line[i : i + 74] for i in range(75, len(line), 74)]
        return "\r\n ".join(parts)
    current: list[str]
    parts, current, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, moment: date) -> str:
    if isinstance(moment, datetime):
        return f"{name};TZID={TZID}:" + moment.astimezone(TOKYO).strftime("%Y%m%dT%H%M%S")
    return f"{name};VALUE=DATE:" + moment.strftime("%Y%m%d")


def event_lines(event: Event) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        fold("UID:" + escape_text(event.uid)),
        "DTSTAMP:" + utc_stamp(event.stamp),
        "LAST-MODIFIED:" + utc_stamp(event.stamp),
        _when("DTSTART", event.start),
        _when("DTEND", event.end),
        fold("SUMMARY:" + escape_text(event.summary)),
        "STATUS:" + event.status,
        "SEQUENCE:" + str(event.sequence),
        "TRANSP:" + ("TRANSPARENT" if event.status == "CANCELLED" else "OPAQUE"),
    ]
    if event.location:
        lines.append(fold("LOCATION:" + escape_text(event.location)))
    if event.geo is not None:
        lines.append(f"GEO:{event.geo[0]:.6f};{event.geo[1]:.6f}")
    if event.url:
        lines.append(fold("URL:" + event.url))
    if event.description:
        lines.append(fold("DESCRIPTION:" + escape_text(event.description)))
    lines.append("END:VEVENT")
    return lines


def calendar_text(*, name: str, events) -> str:
    """A whole VCALENDAR (METHOD:PUBLISH) with CRLF line ends; with the VTIMEZONE its timed events refer to."""
    events = list(events)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:" + PRODID,
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        fold("X-WR-CALNAME:" + escape_text(name)),
    ]
    if any(isinstance(event.start, datetime) for event in events):
        lines.extend(VTIMEZONE)
    for event in events:
        lines.extend(event_lines(event))
    lines.append("END:VCALENDAR")
    return CRLF.join(lines) + CRLF
