"""Reading another site's iCalendar feed into the dates its events block: a pure core with no database.

All-day events block their DATEs (DTEND exclusive); timed events block every date they touch in Asia/Tokyo
(floating times are read in the calendar's X-WR-TIMEZONE, else Tokyo), and keep their moments for units booked by
the hour, which they block only from start to end. Recurring series (RRULE, RDATE,
EXDATE, RECURRENCE-ID) are expanded lazily with dateutil's rule iterators, one occurrence at a time and only up
to two years ahead; plain events are read directly, which keeps a large feed of single bookings fast. Summaries
and descriptions are never read.

What a feed may cost is bounded while it is read, not after: at most MAX_OCCURRENCES occurrences are kept (the
earliest; never more than one over that is held), at most MAX_SERIES series are expanded, and expanding them may
take CPU_SECONDS of this thread's CPU time, after which the feed is refused as too complex (TooComplex). A rule
of many occurrences a day (BYHOUR, BYMINUTE, BYSECOND) stops at the cap as soon as it has given the earliest ones.
"""

import hashlib
import heapq
import itertools
import time as clock
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrule, rruleset, rrulestr

TOKYO = ZoneInfo("Asia/Tokyo")
# Bounds on what one feed may cost: occurrences kept in the window and recurring series expanded.
MAX_OCCURRENCES = 20_000
MAX_SERIES = 1_000
# Recurrences are expanded this far ahead at most, whatever the unit's booking window.
HORIZON_DAYS = 2 * 366
# CPU time (of the thread reading the feed) that expanding its recurrences may take.
CPU_SECONDS = 5.0
# Recurrences finer than a day only repeat dates a daily rule would give, at a cost without bound.
SUB_DAILY = {"SECONDLY", "MINUTELY", "HOURLY"}


class NotICalendar(Exception):
    """The body is not an iCalendar document (an HTML error page, JSON, garbage)."""


class TooComplex(Exception):
    """Expanding the feed's recurrences took more than CPU_SECONDS of CPU time."""


@dataclass(frozen=True)
class Occurrence:
    """One event, or one occurrence of a recurring one, as the dates [start, end) it blocks."""

    key: str
    start: date
    end: date
    sequence: int
    last_modified: datetime | None
    cancelled: bool
    # TRANSP:TRANSPARENT: the event leaves its time free (Google's all-day events); the import decides.
    transparent: bool = False
    # A timed event's moments, [starts_at, ends_at) (None for an all-day one): what it blocks of an hourly unit.
    # Without DTEND (or with one not after DTSTART) the event is the instant of its start.
    starts_at: datetime | None = None
    ends_at: datetime | None = None


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


def _bounds(component) -> tuple[date, date | None] | None:
    """DTSTART and DTEND (or DTSTART + DURATION) as given, or None without a usable DTSTART."""
    start_prop = component.get("DTSTART")
    if start_prop is None:
        return None
    start = start_prop.dt
    if not isinstance(start, date):
        return None
    end_prop = component.get("DTEND")
    end = end_prop.dt if end_prop is not None else None
    if end is None and component.get("DURATION") is not None:
        duration = component.get("DURATION").dt
        end = start + duration if isinstance(duration, timedelta) else None
    return start, end if isinstance(end, date) else None


def _dates(start: date, end: date | None, zone) -> tuple[date, date]:
    """[first, last + 1) of the dates an event from `start` to `end` blocks."""
    if not isinstance(start, datetime):
        # All-day: DTEND is exclusive; missing or not after DTSTART, the event is that one day.
        end_date = end if isinstance(end, date) and not isinstance(end, datetime) else None
        if end_date is None and isinstance(end, datetime):
            end_date = _local_date(end, zone)
        if end_date is None or end_date <= start:
            end_date = start + timedelta(days=1)
        return start, end_date
    first = _local_date(start, zone)
    if end is None:
        return first, first + timedelta(days=1)
    end_moment = _to_datetime(end, zone)
    start_moment = _to_datetime(start, zone)
    if end_moment <= start_moment:
        return first, first + timedelta(days=1)
    # The last date touched is the one holding the last instant before DTEND.
    last = (end_moment - timedelta(microseconds=1)).astimezone(TOKYO).date()
    return first, max(last, first) + timedelta(days=1)


def _moments(start: date, end: date | None, zone) -> tuple[datetime, datetime] | None:
    """[start, end) of a timed event in Asia/Tokyo, or None for an all-day event."""
    if not isinstance(start, datetime):
        return None
    start_moment = _to_datetime(start, zone).astimezone(TOKYO)
    end_moment = _to_datetime(end, zone).astimezone(TOKYO) if isinstance(end, date) else start_moment
    return start_moment, max(end_moment, start_moment)


def _moment_text(value: date) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(TOKYO)
    return value.isoformat()


def _recurrence_text(component) -> str:
    prop = component.get("RECURRENCE-ID")
    if prop is None:
        return ""
    return _moment_text(prop.dt)


def _occurrence(
    component, zone, *, uid: str, recurrence: str, first: date, last: date, bounds: tuple | None = None
) -> Occurrence | None:
    """The occurrence (of the event, or from and to `bounds` when given), or None without a usable DTSTART or
    wholly outside [first, last]."""
    bounds = bounds or _bounds(component)
    if bounds is None:
        return None
    span = _dates(bounds[0], bounds[1], zone)
    if span[1] <= first or span[0] > last:
        return None
    moments = _moments(bounds[0], bounds[1], zone)
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
        transparent=str(component.get("TRANSP", "")).upper() == "TRANSPARENT",
        starts_at=moments[0] if moments else None,
        ends_at=moments[1] if moments else None,
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


class _Earliest:
    """The `limit` earliest occurrences given (by first date), holding at most `limit` + 1 at any time."""

    def __init__(self, limit: int):
        self.limit = limit
        self.heap: list[tuple[int, int, Occurrence]] = []
        self.order = itertools.count()
        self.dropped = False

    def add(self, occurrence: Occurrence) -> None:
        # A max-heap on the first date (the latest added first among equals): the one to drop is on top.
        heapq.heappush(self.heap, (-occurrence.start.toordinal(), -next(self.order), occurrence))
        if len(self.heap) > self.limit:
            heapq.heappop(self.heap)
            self.dropped = True

    def cannot_take(self, occurrence: Occurrence) -> bool:
        """Whether the occurrence, and every later one, would only be dropped again."""
        return len(self.heap) >= self.limit and occurrence.start.toordinal() >= -self.heap[0][0]

    def occurrences(self) -> list[Occurrence]:
        return [occurrence for _, _, occurrence in self.heap]


class _Budget:
    """CPU time this thread may spend expanding; checked every few hundred steps."""

    def __init__(self, seconds: float):
        self.until = clock.thread_time() + seconds
        self.seconds = seconds
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps % 256 == 0 and clock.thread_time() > self.until:
            raise TooComplex(f"expanding the recurring events took more than {self.seconds:g} seconds")


def occurrences_in_window(
    body: bytes, *, first: date, last: date, cpu_seconds: float | None = None, today: date | None = None
) -> Parsed:
    """The occurrences of the feed's events touching [first, last] (both included), cut to that window.
    Recurrences are expanded up to HORIZON_DAYS after `today` (default: `first`); TooComplex when expanding
    them takes more than `cpu_seconds` (default CPU_SECONDS) of CPU time."""
    calendar = parse_calendar(body)
    zone = _zone(calendar)
    # Events are the calendar's own subcomponents (walk() would also search inside each of them).
    events = [component for component in calendar.subcomponents if component.name == "VEVENT"]
    recurring_uids = {str(event.get("UID", "")) for event in events if _is_recurring(event)}
    kept = _Earliest(MAX_OCCURRENCES)
    series: dict[str, list] = {}
    for index, event in enumerate(events):
        uid = str(event.get("UID", "") or "")
        if uid and uid in recurring_uids:
            series.setdefault(uid, []).append(event)
            continue
        try:
            occurrence = _occurrence(event, zone, uid=uid or f"#no-uid-{index}", recurrence="", first=first, last=last)
        except Exception:  # one unreadable event (a broken date, a wrong type) is skipped, not the feed
            occurrence = None
        if occurrence is not None:
            kept.add(occurrence)
    truncated = len(series) > MAX_SERIES
    if series:
        horizon = min(last, (today or first) + timedelta(days=HORIZON_DAYS))
        budget = _Budget(CPU_SECONDS if cpu_seconds is None else cpu_seconds)
        generators = []
        for uid, components in itertools.islice(series.items(), MAX_SERIES):
            generators.append(_series(uid, components, zone, first=first, last=horizon, kept=kept, budget=budget))
        # Every series yields in date order, so the merge does too: once an occurrence cannot be kept, none after it
        # can, and the expansion stops there.
        for occurrence in heapq.merge(*generators, key=lambda occurrence: occurrence.start):
            if kept.cannot_take(occurrence):
                truncated = True
                break
            kept.add(occurrence)
    found = sorted(kept.occurrences(), key=lambda occurrence: (occurrence.start, occurrence.key))
    clipped = [replace(o, start=max(o.start, first), end=min(o.end, last + timedelta(days=1))) for o in found]
    return Parsed(occurrences=clipped, truncated=truncated or kept.dropped)


def _series(uid: str, components, zone, *, first: date, last: date, kept: _Earliest, budget: _Budget):
    """The occurrences of one series in [first, last], in date order. Its RECURRENCE-ID overrides are events of
    their own (added to `kept` at once: the feed holds each of them); a series that cannot be read gives nothing."""
    master = None
    overridden: set[str] = set()
    for component in components:
        if component.get("RECURRENCE-ID") is None:
            master = master if master is not None else component
            continue
        try:
            recurrence = _recurrence_text(component)
            occurrence = _occurrence(component, zone, uid=uid, recurrence=recurrence, first=first, last=last)
        except Exception:  # an unreadable override is skipped like an unreadable event
            continue
        overridden.add(recurrence)
        if occurrence is not None:
            kept.add(occurrence)
    if master is None:
        return
    try:
        starts = _starts(master, zone, first=first, last=last, budget=budget)
        bounds = _bounds(master)
    except TooComplex:
        raise
    except Exception:  # a rule or date the parser cannot read: the series is skipped, not the feed
        return
    if bounds is None:
        return
    start, end = bounds
    length = (end - start) if end is not None and type(end) is type(start) else None
    while True:
        try:
            moment = next(starts)
        except StopIteration:
            return
        except TooComplex:
            raise
        except Exception:  # dateutil refusing a rule part while iterating
            return
        recurrence = _moment_text(moment)
        if recurrence in overridden:
            continue
        until = moment + length if length is not None else None
        if _dates(moment, until, zone)[0] > last:
            return
        try:
            occurrence = _occurrence(
                master, zone, uid=uid, recurrence=recurrence, first=first, last=last, bounds=(moment, until)
            )
        except Exception:
            return
        if occurrence is not None:
            yield occurrence


def _starts(master, zone, *, first: date, last: date, budget: _Budget) -> Iterator[date]:
    """The starts of a series' occurrences (of the kind of its DTSTART: date, floating or zoned), lazily and in
    order, from a little before `first` to a little after `last`; each step spends from the budget."""
    start = master.get("DTSTART").dt
    kind = "date" if not isinstance(start, datetime) else "floating" if start.tzinfo is None else "zoned"
    anchor = datetime.combine(start, time.min) if kind == "date" else start

    def moment(value) -> datetime:
        """A DATE, floating or zoned value as a moment of the series' kind, comparable with its starts."""
        if kind == "zoned":
            if not isinstance(value, datetime):
                return datetime.combine(value, anchor.timetz())
            return value if value.tzinfo is not None else value.replace(tzinfo=anchor.tzinfo)
        if not isinstance(value, datetime):
            return datetime.combine(value, time.min if kind == "date" else anchor.time())
        return value.astimezone(zone).replace(tzinfo=None) if value.tzinfo is not None else value

    # Occurrences starting up to a few days before the window may still reach into it (the length of the event is
    # not bounded, so the margin is generous); the window's far end gets a day for time zones.
    low = moment(datetime.combine(first - timedelta(days=3), time.min, tzinfo=TOKYO))
    high = moment(datetime.combine(last + timedelta(days=2), time.min, tzinfo=TOKYO))
    rules = master.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
    moments = rruleset(cache=False)
    moments.rdate(anchor)  # DTSTART is the first occurrence, whether or not it matches the rule
    for rule in rules:
        if str(rule.get("FREQ", [""])[0]).upper() in SUB_DAILY:
            return iter(())
        moments.rrule(_rule(rule, anchor, moment, low))
    for name, add in (("RDATE", moments.rdate), ("EXDATE", moments.exdate)):
        values = master.get(name)
        for listed in values if isinstance(values, list) else [values] if values is not None else []:
            for item in listed.dts:
                value = item.dt
                if isinstance(value, tuple):  # an RDATE period: its start
                    value = value[0]
                if isinstance(value, date):
                    add(moment(value))

    def walk() -> Iterator[date]:
        for found in moments:
            budget.step()
            if found < low:
                continue
            if found > high:
                return
            yield found.date() if kind == "date" else found

    return walk()


def _rule(rule, anchor: datetime, moment, low: datetime):
    """dateutil's rule for an RRULE: UNTIL made of the series' kind (dateutil refuses a floating or DATE UNTIL
    with a zoned DTSTART), and a rule without COUNT repeating every N days or weeks started again shortly before
    the window, which skips its past without walking through it."""
    parts = {name: values for name, values in rule.items() if name != "UNTIL"}
    text = icalendar.vRecur(parts).to_ical().decode()
    until = rule.get("UNTIL")
    start = anchor
    frequency = str(rule.get("FREQ", [""])[0]).upper()
    if frequency in ("DAILY", "WEEKLY") and "COUNT" not in rule and "BYSETPOS" not in rule and anchor < low:
        interval = int(rule.get("INTERVAL", [1])[0] or 1)
        step = max(interval, 1) * (7 if frequency == "WEEKLY" else 1)
        periods = (low.date() - anchor.date()).days // step
        if periods > 0:
            start = anchor + timedelta(days=periods * step)
    parsed = rrulestr(text, dtstart=start, cache=False)
    if not isinstance(parsed, rrule):
        raise ValueError("one RRULE gave a set of rules")
    if until:
        parsed = parsed.replace(until=moment(until[0]))
    return parsed
