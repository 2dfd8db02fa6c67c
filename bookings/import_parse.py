"""Reading another site's iCalendar feed into the dates its events block: a pure core with no database.

All-day events block their DATEs (DTEND exclusive); timed events block every date they touch in Asia/Tokyo
(floating times are read in the calendar's X-WR-TIMEZONE, else Tokyo). Recurring series (RRULE, RDATE,
EXDATE, RECURRENCE-ID) are expanded with recurring-ical-events, only over the booking window; plain events
are read directly, which keeps a large feed of single bookings fast. Summaries and descriptions are never read.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

TOKYO = ZoneInfo("Asia/Tokyo")
# Bounds on what one feed may cost: occurrences kept in the window and recurring series expanded.
MAX_OCCURRENCES = 20_000
MAX_SERIES = 1_000
# Recurrences finer than a day only repeat dates a daily rule would give, at a cost without bound.
SUB_DAILY = {"SECONDLY", "MINUTELY", "HOURLY"}


class NotICalendar(Exception):
    """The body is not an iCalendar document (an HTML error page, JSON, garbage)."""


@dataclass(frozen=True)
class Occurrence:
    """One event, or one occurrence of a recurring one, as the dates [start, end) it blocks."""

    key: str
    start: date
    end: date
    sequence: int
    last_modified: datetime | None
    cancelled: bool


@dataclass(frozen=True)
class Parsed:
    occurrences: list[Occurrence]
    # Whether bounds cut the feed short (more occurrences or series than kept).
    truncated: bool


def _key(uid: str, recurrence: str) -> str:
    return hashlib.sha256(f"{uid}\x00{recurrence}".encode("utf-8", "replace")).hexdigest()


def _local_date(value, zone) -> date:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(TOKYO).date()


def _to_datetime(value, zone) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    return datetime.combine(value, time.min, tzinfo=TOKYO)


def _span(component, zone) -> tuple[date, date] | None:
    """[first, last + 1) of the dates an event blocks, or None without a usable DTSTART."""
    start_prop = component.get("DTSTART")
    if start_prop is None:
        return None
    start = start_prop.dt
    end_prop = component.get("DTEND")
    end = end_prop.dt if end_prop is not None else None
    if end is None and component.get("DURATION") is not None:
        duration = component.get("DURATION").dt
        end = start + duration if isinstance(duration, timedelta) else None
    if not isinstance(start, datetime):
        if not isinstance(start, date):
            return None
        # All-day: DTEND is exclusive; missing or not after DTSTART, the event is that one day.
        end_date = end if isinstance(end, date) and not isinstance(end, datetime) else None
        if end_date is None and isinstance(end, datetime):
            end_date = _local_date(end, zone)
        if end_date is None or end_date <= start:
            end_date = start + timedelta(days=1)
        return start, end_date
    first = _local_date(start, zone)
    if end is None or not isinstance(end, (date, datetime)):
        return first, first + timedelta(days=1)
    end_moment = _to_datetime(end, zone)
    start_moment = _to_datetime(start, zone)
    if end_moment <= start_moment:
        return first, first + timedelta(days=1)
    # The last date touched is the one holding the last instant before DTEND.
    last = (end_moment - timedelta(microseconds=1)).astimezone(TOKYO).date()
    return first, max(last, first) + timedelta(days=1)


def _recurrence_text(component) -> str:
    prop = component.get("RECURRENCE-ID")
    if prop is None:
        return ""
    value = prop.dt
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(TOKYO)
    return value.isoformat()


def _occurrence(component, zone, *, uid: str, recurrence: str, first: date, last: date) -> Occurrence | None:
    """The occurrence, or None without a usable DTSTART or wholly outside [first, last]."""
    span = _span(component, zone)
    if span is None or span[1] <= first or span[0] > last:
        return None
    try:
        sequence = int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        sequence = 0
    modified = component.get("LAST-MODIFIED")
    modified = modified.dt if modified is not None else None
    if not isinstance(modified, datetime):
        modified = None
    elif modified.tzinfo is None:
        modified = modified.replace(tzinfo=zone)
    status = str(component.get("STATUS", "")).upper()
    return Occurrence(
        key=_key(uid, recurrence),
        start=span[0],
        end=span[1],
        sequence=sequence,
        last_modified=modified,
        cancelled=status == "CANCELLED",
    )


def _is_recurring(component) -> bool:
    return any(name in component for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _zone(calendar) -> ZoneInfo:
    name = str(calendar.get("X-WR-TIMEZONE", "") or "")
    try:
        return ZoneInfo(name) if name else TOKYO
    except (ValueError, KeyError, OSError):
        return TOKYO


def parse_calendar(body: bytes) -> icalendar.Calendar:
    """The VCALENDAR of a feed body; NotICalendar for anything else."""
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError... on bad input
        raise NotICalendar(str(exc)[:200]) from exc
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise NotICalendar("the document is not a VCALENDAR")
    return calendar


def occurrences_in_window(body: bytes, *, first: date, last: date) -> Parsed:
    """The occurrences of the feed's events touching [first, last] (both included), cut to that window."""
    calendar = parse_calendar(body)
    zone = _zone(calendar)
    # Events are the calendar's own subcomponents (walk() would also search inside each of them).
    events = [component for component in calendar.subcomponents if component.name == "VEVENT"]
    recurring_uids = {str(event.get("UID", "")) for event in events if _is_recurring(event)}
    found: list[Occurrence] = []
    truncated = False
    series = []
    for index, event in enumerate(events):
        uid = str(event.get("UID", "") or "")
        if uid and uid in recurring_uids:
            series.append(event)
            continue
        try:
            occurrence = _occurrence(event, zone, uid=uid or f"#no-uid-{index}", recurrence="", first=first, last=last)
        except Exception:  # one unreadable event (a broken date, a wrong type) is skipped, not the feed
            occurrence = None
        if occurrence is not None:
            found.append(occurrence)
    if series:
        found.extend(_expand(calendar, series, zone, first=first, last=last))
        truncated = len({str(event.get("UID")) for event in series}) > MAX_SERIES
    if len(found) > MAX_OCCURRENCES:
        found.sort(key=lambda occurrence: occurrence.start)
        found, truncated = found[:MAX_OCCURRENCES], True
    clipped = [
        Occurrence(
            key=o.key,
            start=max(o.start, first),
            end=min(o.end, last + timedelta(days=1)),
            sequence=o.sequence,
            last_modified=o.last_modified,
            cancelled=o.cancelled,
        )
        for o in found
    ]
    return Parsed(occurrences=clipped, truncated=truncated)


def _expand(calendar, series, zone, *, first: date, last: date) -> list[Occurrence]:
    """Occurrences of the recurring series in the window, through recurring-ical-events."""
    kept_uids: list[str] = []
    only = icalendar.Calendar()
    for name in ("X-WR-TIMEZONE",):
        if name in calendar:
            only[name] = calendar[name]
    for timezone in (component for component in calendar.subcomponents if component.name == "VTIMEZONE"):
        only.add_component(timezone)
    for event in series:
        rule = event.get("RRULE")
        rules = rule if isinstance(rule, list) else [rule] if rule is not None else []
        try:
            if any(str(part.get("FREQ", [""])[0]).upper() in SUB_DAILY for part in rules):
                continue
        except Exception:  # a rule icalendar could not read (icalendar 7 raises BrokenCalendarProperty on access)
            continue
        uid = str(event.get("UID"))
        if uid not in kept_uids:
            if len(kept_uids) >= MAX_SERIES:
                continue
            kept_uids.append(uid)
        only.add_component(event)
    # One day of margin each side: timed occurrences near midnight can touch the window in Tokyo time.
    found = []
    try:
        # The library reads every series when it is built: a series without DTSTART raises there, not in between().
        query = recurring_ical_events.of(only, skip_bad_series=True)
        components = query.between(first - timedelta(days=1), last + timedelta(days=2))
    except Exception:  # a series the library cannot read is skipped like a bad series
        return []
    for component in components:
        try:
            occurrence = _occurrence(
                component,
                zone,
                uid=str(component.get("UID", "")),
                recurrence=_recurrence_text(component),
                first=first,
                last=last,
            )
        except Exception:  # as for plain events: an unreadable occurrence is skipped
            occurrence = None
        if occurrence is not None:
            found.append(occurrence)
    return found
