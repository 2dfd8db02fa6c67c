"""The stay: one request checked against the unit's rules, priced, and whether it can be had. Quotes, bookings
(under the stock lock), the availability calendar and the catalogue's date filter all read these rules here."""

import functools
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.plain_sql import column, table
from facilities.models import Unit

from . import hooks, hours, selectors
from .errors import InvalidStay, UnitClosed, UnitUnavailable
from .models import Booking, Closure, PriceOverride, SlotStock, TimeClosure, UnitStock

# A stay or a set of day passes never has more dates than this, whatever the unit's max_nights says; it also
# bounds every date loop.
MAX_DATES = 366
# The largest total one booking may have: the most a card payment in yen can carry (Stripe's limit for JPY),
# and far inside the 32-bit yen columns of payments and refunds.
MAX_TOTAL_YEN = 99_999_999


def calendar_dates(*, kind: str, check_in: date, check_out: date, dates) -> tuple[date, ...]:
    """Every calendar date of a stay, check-in to check-out inclusive; a day pass's are its pass dates. What
    subsidies count as the days of a stay (spec rule 1); hours count as their date."""
    if kind in (Booking.Kind.DAY_PASS, Booking.Kind.HOURLY):
        return tuple(sorted(dates))
    return tuple(selectors.date_range(check_in, check_out + timedelta(days=1)))


@dataclass(frozen=True)
class BookingRequest:
    """A checked request for a booking of any kind: the unit, the dates it takes (nights of a stay, the dates of
    day passes, or the one date of hours [starts_at, ends_at)) and the party. (`Booking.Kind.STAY` is the nights
    kind only.)"""

    unit: Unit
    kind: str
    check_in: date
    check_out: date
    dates: tuple[date, ...]
    adults: int
    children: int
    infants: int
    # (date, price) for each date, as priced when the stay was checked.
    lines: tuple[tuple[date, int], ...] = ()
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @property
    def is_hourly(self) -> bool:
        return self.kind == Booking.Kind.HOURLY

    @property
    def slots(self) -> list[datetime]:
        """The stock slots hours take (none for dates)."""
        if self.starts_at is None or self.ends_at is None:
            return []
        return hours.slots(self.starts_at, self.ends_at)

    @property
    def minutes(self) -> int:
        if self.starts_at is None or self.ends_at is None:
            return 0
        return int((self.ends_at - self.starts_at).total_seconds()) // 60

    @property
    def persons(self) -> int:
        return self.adults + self.children + self.infants

    @property
    def total_yen(self) -> int:
        return sum(price for _day, price in self.lines)

    @property
    def dates_field(self) -> str:
        """The request field that sets the stay's dates, for errors about its length or total."""
        if self.is_hourly:
            return "ends_at"
        return "dates" if self.kind == Booking.Kind.DAY_PASS else "check_out"

    def calendar_dates(self) -> tuple[date, ...]:
        return calendar_dates(kind=self.kind, check_in=self.check_in, check_out=self.check_out, dates=self.dates)


def booking_stay(*, booking: Booking, unit: Unit, dates) -> BookingRequest:
    """A booking's stay as it was booked, to check again (a late payment takes the units back)."""
    return BookingRequest(
        unit=unit,
        kind=booking.kind,
        check_in=booking.check_in,
        check_out=booking.check_out,
        dates=tuple(dates),
        adults=booking.adults,
        children=booking.children,
        infants=booking.infants,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
    )


# --- the request's rules ---------------------------------------------------------------------------------------


def _invalid(code: str, field: str, message, **params) -> InvalidStay:
    return InvalidStay(
        message, code=code, fields={field: [str(message) % params if params else str(message)]}, **params
    )


def stay_resolve(
    *,
    unit: Unit,
    check_in: date | None,
    check_out: date | None,
    dates: list[date] | None,
    adults: int,
    children: int = 0,
    infants: int = 0,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> BookingRequest:
    """Checks a stay against the unit's rules (raises InvalidStay naming the field) and lists its dates; the
    stay is not priced yet (stay_price_and_check does that)."""
    if unit.is_hourly:
        if dates or check_in is not None or check_out is not None:
            field = "dates" if dates else "check_in" if check_in is not None else "check_out"
            raise _invalid(
                "times_required", field, _("This unit is booked by the hour: give starts_at and ends_at instead.")
            )
        stay = _hours_resolve(unit=unit, starts_at=starts_at, ends_at=ends_at)
        _check_party(unit=unit, adults=adults, children=children, infants=infants)
        return replace(stay, adults=adults, children=children, infants=infants)
    if starts_at is not None or ends_at is not None:
        raise _invalid(
            "times_not_accepted",
            "starts_at" if starts_at is not None else "ends_at",
            _("This unit is booked by the night or the day, not by the hour: give dates instead of times."),
        )
    first_day = selectors.today()
    if unit.books_nights:
        kind = Booking.Kind.STAY
        if dates:
            raise _invalid(
                "nights_required",
                "dates",
                _("This unit is booked by the night: give check_in and check_out instead of dates."),
            )
        for name, value in (("check_in", check_in), ("check_out", check_out)):
            if value is None:
                raise _invalid("dates_required", name, _("This field is required for a stay."))
        assert check_in is not None and check_out is not None  # checked just above; tells the type checker
        if check_out <= check_in:
            raise _invalid("check_out_not_after_check_in", "check_out", _("Check-out must be after check-in."))
        nights = (check_out - check_in).days
        if nights < unit.min_nights:
            raise _invalid(
                "too_few_nights",
                "check_out",
                _("This unit is booked for at least %(min)s nights; this stay has %(nights)s."),
                min=unit.min_nights,
                nights=nights,
            )
        if nights > min(unit.max_nights, MAX_DATES):
            raise _invalid(
                "too_many_nights",
                "check_out",
                _("This unit is booked for at most %(max)s nights; this stay has %(nights)s."),
                max=min(unit.max_nights, MAX_DATES),
                nights=nights,
            )
        taken = tuple(selectors.date_range(check_in, check_out))
        first_field, last_field = "check_in", "check_out"
    else:
        kind = Booking.Kind.DAY_PASS
        if not dates and check_in is not None and check_out is not None and check_out > check_in:
            if (check_out - check_in).days <= MAX_DATES:
                dates = selectors.date_range(check_in, check_out)
        if not dates:
            raise _invalid("dates_required", "dates", _("Give the dates of the day passes."))
        taken = tuple(sorted(set(dates)))
        if len(taken) < unit.min_nights:
            raise _invalid(
                "too_few_nights",
                "dates",
                _("This unit is booked for at least %(min)s days; this booking has %(nights)s."),
                min=unit.min_nights,
                nights=len(taken),
            )
        if len(taken) > min(unit.max_nights, MAX_DATES):
            raise _invalid(
                "too_many_nights",
                "dates",
                _("This unit is booked for at most %(max)s days; this booking has %(nights)s."),
                max=min(unit.max_nights, MAX_DATES),
                nights=len(taken),
            )
        check_in, check_out = taken[0], taken[-1] + timedelta(days=1)
        first_field = last_field = "dates"
    if taken[0] < first_day:
        raise _invalid("date_in_past", first_field, _("%(date)s is in the past."), date=taken[0].isoformat())
    last_bookable = first_day + timedelta(days=unit.booking_window_days)
    if taken[-1] > last_bookable:
        raise _invalid(
            "beyond_booking_window",
            last_field,
            _("This unit can be booked at most %(days)s days ahead (until %(last)s)."),
            days=unit.booking_window_days,
            last=last_bookable.isoformat(),
        )
    _check_party(unit=unit, adults=adults, children=children, infants=infants)
    return BookingRequest(
        unit=unit,
        kind=kind,
        check_in=check_in,
        check_out=check_out,
        dates=taken,
        adults=adults,
        children=children,
        infants=infants,
    )


def _check_party(*, unit: Unit, adults: int, children: int, infants: int) -> None:
    persons = adults + children + infants
    if persons > unit.capacity:
        raise _invalid(
            "party_over_capacity",
            "adults",
            _("This unit takes at most %(capacity)s persons, infants included; the party has %(persons)s."),
            capacity=unit.capacity,
            persons=persons,
        )


def _hours_resolve(*, unit: Unit, starts_at: datetime | None, ends_at: datetime | None) -> BookingRequest:
    """Hours checked against an hourly unit's rules, in the order a visitor fixes them: both times given, in
    order, on the grid, long enough and not too long, within one day's opening hours, not past, in the window."""
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is None:
            raise _invalid("times_required", name, _("This field is required for a booking by the hour."))
    assert starts_at is not None and ends_at is not None  # checked just above; tells the type checker
    starts_at, ends_at = hours.local(starts_at), hours.local(ends_at)
    if ends_at <= starts_at:
        raise _invalid("ends_not_after_starts", "ends_at", _("The end must be after the start."))
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not hours.on_grid(value, unit.slot_minutes):
            raise _invalid(
                "off_grid",
                name,
                _("Bookings of this unit start and end on the %(minutes)s-minute grid (:00, :%(minutes)s, ...)."),
                minutes=unit.slot_minutes,
            )
    minutes = int((ends_at - starts_at).total_seconds()) // 60
    if minutes < unit.min_minutes:
        raise _invalid(
            "too_short",
            "ends_at",
            _("This unit is booked for at least %(min)s minutes; this booking has %(minutes)s."),
            min=unit.min_minutes,
            minutes=minutes,
        )
    if minutes > unit.max_minutes:
        raise _invalid(
            "too_long",
            "ends_at",
            _("This unit is booked for at most %(max)s minutes; this booking has %(minutes)s."),
            max=unit.max_minutes,
            minutes=minutes,
        )
    day = starts_at.date()
    opening = hours.opening(unit, day)
    if opening is None:
        raise _invalid("outside_opening_hours", "starts_at", _("The unit is closed on %(date)s."), date=day.isoformat())
    if starts_at < opening[0] or ends_at > opening[1]:
        raise _invalid(
            "outside_opening_hours",
            "starts_at",
            _("The unit is open %(hours)s; the booking must lie within its opening hours."),
            hours=hours.interval_text(*opening),
        )
    if starts_at < hours.local(timezone.now()):
        raise _invalid("date_in_past", "starts_at", _("%(date)s is in the past."), date=starts_at.isoformat())
    last_bookable = selectors.today() + timedelta(days=unit.booking_window_days)
    if day > last_bookable:
        raise _invalid(
            "beyond_booking_window",
            "starts_at",
            _("This unit can be booked at most %(days)s days ahead (until %(last)s)."),
            days=unit.booking_window_days,
            last=last_bookable.isoformat(),
        )
    return BookingRequest(
        unit=unit,
        kind=Booking.Kind.HOURLY,
        check_in=day,
        check_out=day + timedelta(days=1),
        dates=(day,),
        adults=1,
        children=0,
        infants=0,
        starts_at=starts_at,
        ends_at=ends_at,
    )


def stay_quote(
    *,
    unit: Unit,
    check_in: date | None,
    check_out: date | None,
    dates: list[date] | None,
    adults: int,
    children: int = 0,
    infants: int = 0,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    hold: bool = False,
) -> BookingRequest:
    """The one way from a request to a stay that can be had: resolve → price → check. A quote takes all three
    steps here, without locks. A booking (`hold`) only resolves here, outside any transaction, and takes the other
    two once it holds the stock rows (stay_price_and_check with `locked`): checking twice would cost queries and
    decide nothing."""
    stay = stay_resolve(
        unit=unit,
        check_in=check_in,
        check_out=check_out,
        dates=dates,
        adults=adults,
        children=children,
        infants=infants,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    return stay if hold else stay_price_and_check(stay, locked=False)


def stay_price_and_check(stay: BookingRequest, *, locked: bool, taken: dict | None = None) -> BookingRequest:
    """The stay priced afresh (a total above MAX_TOTAL_YEN is a 400), then checked to be open and free (`taken`:
    as for check_available). The unit's closures and price overrides are read once, for both."""
    rules = unit_rules(unit=stay.unit, dates=stay.dates)
    priced = replace(stay, lines=stay_lines(stay=stay, rules=rules))
    check_available(priced, locked=locked, taken=taken, rules=rules)
    return priced


# --- closures and prices ---------------------------------------------------------------------------------------


class _Rule(NamedTuple):
    """A closure (text: its reason) or a price override (value: its price, text: its label), as a calendar reads it."""

    start_date: date
    end_date: date
    value: int
    text: str


class UnitRules(NamedTuple):
    """The unit's closures and price overrides touching some dates, each in the order the operator's lists show."""

    closures: list[_Rule]
    overrides: list[_Rule]


_CLOSURE, _OVERRIDE = 0, 1


@functools.cache
def _rules_sql() -> str:
    """The unit's closures and price overrides touching [first, last] in one statement, in plain SQL that both
    PostgreSQL and SQLite run: a booking reads them under its lock, and nothing is built or compiled per request."""
    parts = []
    for kind, model, value, text in (
        (_CLOSURE, Closure, "0", "reason"),
        (_OVERRIDE, PriceOverride, "price_yen", "label"),
    ):
        parts.append(
            f"SELECT {kind} AS kind, {column(model, 'start_date')} AS start_date, {column(model, 'end_date')} AS "
            f"end_date, {value if value == '0' else column(model, value)} AS value, {column(model, text)} AS text, "
            f"{column(model, 'id')} AS ref FROM {table(model)} WHERE {column(model, 'unit')} = %(unit)s AND "
            f"{column(model, 'start_date')} <= %(last)s AND {column(model, 'end_date')} >= %(first)s"
        )
    return " UNION ALL ".join(parts) + " ORDER BY kind, start_date, ref"


def unit_rules(*, unit: Unit, dates) -> UnitRules:
    """The unit's closures and price overrides touching the span of `dates` (one query; none without dates)."""
    rules = UnitRules([], [])
    if not dates:
        return rules
    with connection.cursor() as cursor:
        cursor.execute(_rules_sql(), {"unit": unit.pk, "first": min(dates), "last": max(dates)})
        for kind, first, last, value, text, _ref in cursor.fetchall():
            rule = _Rule(_as_date(first), _as_date(last), value, text or "")
            (rules.closures if kind == _CLOSURE else rules.overrides).append(rule)
    return rules


def override_rule(override: PriceOverride) -> _Rule:
    """A price override read by the ORM, as unit_rules reads it (search_prices reads several units' at once)."""
    return _Rule(override.start_date, override.end_date, override.price_yen, override.label)


def _by_date(ranges, start: date, end: date) -> dict:
    """Each date of [start, end] that one of the ranges covers, with the first range (in their order) covering it."""
    covered: dict = {}
    for item in ranges:
        day, last = max(item.start_date, start), min(item.end_date, end)
        while day <= last:
            covered.setdefault(day, item)
            day += timedelta(days=1)
    return covered


def prices_for(*, unit: Unit, dates, rules: UnitRules | None = None) -> list[tuple[date, int]]:
    """The price of each date: an override covering it, else the unit's base price (`rules`: as unit_rules read
    them, read here when not given)."""
    if not dates:
        return []
    first, last = min(dates), max(dates)
    overrides = _by_date((rules or unit_rules(unit=unit, dates=dates)).overrides, first, last)
    return [(day, overrides[day].value if day in overrides else unit.price_yen) for day in dates]


def stay_lines(*, stay: BookingRequest, rules: UnitRules | None = None) -> tuple[tuple[date, int], ...]:
    """The price of each date of the stay; a total above MAX_TOTAL_YEN is refused (400 on the dates' field). Hours
    are one line: the date's rate an hour (an override's, else the unit's) for their minutes, at most the day cap."""
    lines = tuple(prices_for(unit=stay.unit, dates=stay.dates, rules=rules))
    if stay.is_hourly:
        lines = tuple(
            (day, hours.price(rate_per_hour=rate, minutes=stay.minutes, day_cap_yen=stay.unit.day_cap_yen))
            for day, rate in lines
        )
    total = sum(price for _day, price in lines)
    if total > MAX_TOTAL_YEN:
        raise _invalid(
            "total_too_large",
            stay.dates_field,
            _("This booking would cost %(total)s yen; one booking may cost at most %(max)s yen."),
            total=f"{total:,}",
            max=f"{MAX_TOTAL_YEN:,}",
        )
    return lines


# --- open and free ---------------------------------------------------------------------------------------------


def free_units(*, count: int, taken: int, closed: bool) -> int:
    """Units left on a date: none while it is closed, else the unit's count now less what its stock row has taken
    (the row's total was the count when it was made; the count may have changed since)."""
    return 0 if closed else max(count - taken, 0)


def closed_dates(*, unit: Unit, dates, rules: UnitRules | None = None) -> list[date]:
    if not dates:
        return []
    first, last = min(dates), max(dates)
    closed = _by_date((rules or unit_rules(unit=unit, dates=dates)).closures, first, last)
    return [day for day in dates if day in closed]


def taken_by_date(*, unit: Unit, dates) -> dict[date, int]:
    if not dates:
        return {}
    return dict(UnitStock.objects.filter(unit=unit, date__in=list(dates)).values_list("date", "taken"))


def taken_by_slot(*, unit_id: int, starts_at: datetime, ends_at: datetime) -> dict[datetime, int]:
    """Units taken in each stock slot of [starts_at, ends_at) that has a row (one query)."""
    rows = SlotStock.objects.filter(unit_id=unit_id, starts_at__gte=starts_at, starts_at__lt=ends_at, taken__gt=0)
    return dict(rows.values_list("starts_at", "taken"))


def time_closures(*, unit_id: int, starts_at: datetime, ends_at: datetime) -> list[tuple[datetime, datetime]]:
    """The unit's closures by the hour overlapping [starts_at, ends_at), as (start, end) in time order."""
    closures = TimeClosure.objects.filter(unit_id=unit_id, starts_at__lt=ends_at, ends_at__gt=starts_at)
    return list(closures.order_by("starts_at", "id").values_list("starts_at", "ends_at"))


def check_available(
    stay: BookingRequest, *, locked: bool, taken: dict | None = None, rules: UnitRules | None = None
) -> None:
    """Raises UnitClosed or UnitUnavailable when some date of the stay cannot be had. `locked`: the caller holds
    the stay's stock rows (booking, late confirmation), so the answer holds until it commits; without it (a quote)
    it is what the rows say now. `taken`: the units taken per date (per slot, for hours) as the lock just returned
    the rows (not read again); read here when not given, as are the closures (`rules`)."""
    if locked and not connection.in_atomic_block:
        raise RuntimeError("The locked availability check runs inside the transaction that locked the stock rows.")
    closed = closed_dates(unit=stay.unit, dates=stay.dates, rules=rules)
    if closed:
        raise UnitClosed(dates=selectors.dates_text(closed))
    if stay.is_hourly:
        _check_hours_available(stay, taken=taken)
        return
    if taken is None:
        taken = taken_by_date(unit=stay.unit, dates=stay.dates)
    count = stay.unit.count
    full = [day for day in stay.dates if free_units(count=count, taken=taken.get(day, 0), closed=False) < 1]
    if full:
        raise UnitUnavailable(dates=selectors.dates_text(full))


def _check_hours_available(stay: BookingRequest, *, taken: dict | None) -> None:
    assert stay.starts_at is not None and stay.ends_at is not None  # hours have both (_hours_resolve)
    closed = time_closures(unit_id=stay.unit.pk, starts_at=stay.starts_at, ends_at=stay.ends_at)
    if closed:
        first, last = max(closed[0][0], stay.starts_at), min(max(end for _start, end in closed), stay.ends_at)
        raise UnitClosed(dates=hours.interval_text(first, last))
    if taken is None:
        taken = taken_by_slot(unit_id=stay.unit.pk, starts_at=stay.starts_at, ends_at=stay.ends_at)
    full = [
        slot for slot in stay.slots if free_units(count=stay.unit.count, taken=taken.get(slot, 0), closed=False) < 1
    ]
    if full:
        raise UnitUnavailable(dates=hours.interval_text(full[0], full[-1] + hours.STOCK_STEP))


def units_open_and_free(*, units: QuerySet[Unit], first_day: date, last_day: date) -> QuerySet[Unit]:
    """The units open and not sold out on every date of [first_day, last_day], in SQL: the search's twin of
    check_available (tests/bookings/test_date_filter_properties.py holds them to the same answers). Full means taken
    up to the unit's count now, as free_units counts, not up to the row's total."""
    return units.exclude(
        Exists(Closure.objects.filter(unit=OuterRef("pk"), start_date__lte=last_day, end_date__gte=first_day))
    ).exclude(
        Exists(
            UnitStock.objects.filter(
                unit=OuterRef("pk"), date__gte=first_day, date__lte=last_day, taken__gte=OuterRef("count")
            )
        )
    )


# --- the availability calendar ---------------------------------------------------------------------------------


def _as_date(value) -> date:
    # PostgreSQL gives dates; SQLite gives the text of a column read through a UNION.
    return value if isinstance(value, date) else date.fromisoformat(value)


def _as_time(value) -> time | None:
    return time.fromisoformat(value) if isinstance(value, str) else value


def _by_offset(rules: list[tuple], start: date, length: int) -> list[_Rule | None]:
    """For each date of the calendar (by its offset from `start`), the first of the rules (sorted by start, then
    id) covering it."""
    covering: list[_Rule | None] = [None] * length
    for _first, _ref, rule in sorted(rules):
        for offset in range(max((rule.start_date - start).days, 0), min((rule.end_date - start).days + 1, length)):
            if covering[offset] is None:
                covering[offset] = rule
    return covering


def _calendar_days(
    unit: selectors.CalendarUnit, facts: list[selectors.CalendarFact], start: date, end: date, *, detailed: bool
) -> list[dict]:
    """One dict per date of [start, end] in the shape the API shows (the date as ISO text), from the calendar
    query's fact rows; dates are counted by their offset from `start` rather than looked up."""
    length = (end - start).days + 1
    taken = [0] * length
    rules: dict[int, list[tuple]] = {selectors.CALENDAR_CLOSURE: [], selectors.CALENDAR_OVERRIDE: []}
    imported: list[tuple] = []
    for fact in facts:
        first = _as_date(fact.first_day)
        if fact.kind == selectors.CALENDAR_STOCK:
            taken[(first - start).days] = fact.value
        elif fact.kind == selectors.CALENDAR_IMPORTED:
            imported.append(((first - start).days, fact.ref, bool(fact.value), fact.text))
        else:
            rule = _Rule(first, _as_date(fact.last_day), fact.value, fact.text or "")
            rules[fact.kind].append((first, fact.ref, rule))
    # The first closure covering a date (by start, then id, as the closures' list orders them) gives its reason.
    closures = _by_offset(rules[selectors.CALENDAR_CLOSURE], start, length)
    overrides = _by_offset(rules[selectors.CALENDAR_OVERRIDE], start, length)
    days = [(start + timedelta(days=offset)).isoformat() for offset in range(length)]
    today = selectors.today()
    # Bookable from today to the end of the booking window, as offsets.
    window_first = (today - start).days
    window_last = window_first + unit.booking_window_days
    count, base_price = unit.unit_count, unit.price_yen

    # An imported date names its imports in the order they were made (only the operator's calendar shows them).
    blocks: list[dict[bool, list[str]]] = [{} for _ in range(length)] if detailed else []
    for offset, _ref, held, name in sorted(imported) if detailed else ():
        blocks[offset].setdefault(held, []).append(name)
    result = []
    for offset, (day, used, closure, override) in enumerate(zip(days, taken, closures, overrides, strict=True)):
        free = free_units(count=count, taken=used, closed=closure is not None)
        row = {
            "date": day,
            "free": free,
            "price_yen": override.value if override else base_price,
            "closed": closure is not None,
            "bookable": free > 0 and window_first <= offset <= window_last,
            "taken": None,
            "total": None,
            "closure_reason": None,
            "price_label": None,
            "imported_from": None,
            "import_conflicts": None,
        }
        if detailed:
            block = blocks[offset]
            row["taken"], row["total"] = used, count
            row["closure_reason"] = closure.text if closure else ""
            row["price_label"] = override.text if override else ""
            row["imported_from"], row["import_conflicts"] = block.get(True, []), block.get(False, [])
        result.append(row)
    return result


def unit_availability(*, user, unit_id, start: date, end: date) -> dict:
    """What GET /units/{id}/availability/ answers: the unit's rules and, per date of [start, end] (both included),
    free units, price, closure and whether it can be booked; the unit's own operator also sees what is taken, why
    it is closed, which price applies and which calendar imports block it. One query whatever the length."""
    unit, operates, facts = selectors.unit_calendar_read(user=user, unit_id=unit_id, start=start, end=end)
    return {
        "unit": unit.id,
        "min_nights": unit.min_nights,
        "max_nights": unit.max_nights,
        "booking_window_days": unit.booking_window_days,
        "check_in_time": _as_time(unit.check_in_time),
        "check_out_time": _as_time(unit.check_out_time),
        "free_cancellation_days": unit.free_cancellation_days,
        "cancellation_fee_percent": unit.cancellation_fee_percent,
        "days": _calendar_days(unit, facts, start, end, detailed=operates),
    }


# --- a day's free hours ---------------------------------------------------------------------------------------


def unit_slots(*, user, unit_id, day: date) -> dict:
    """What GET /units/{id}/slots/?date= answers: an hourly unit's rules and that day's free intervals (none on a
    closed date, before now or beyond the booking window)."""
    unit, _operates = selectors.unit_calendar_get(user=user, unit_id=unit_id)
    if not unit.is_hourly:
        raise _invalid("not_hourly", "unit", _("This unit is not booked by the hour; see its availability instead."))
    opening = hours.opening(unit, day)
    rules = unit_rules(unit=unit, dates=[day])
    today = selectors.today()
    intervals: list[dict] = []
    if opening is not None and not closed_dates(unit=unit, dates=[day], rules=rules):
        if today <= day <= today + timedelta(days=unit.booking_window_days):
            opens, closes = opening
            intervals = hours.free_intervals(
                unit_count=unit.count,
                opens=opens,
                closes=closes,
                not_before=hours.local(timezone.now()),
                taken=taken_by_slot(unit_id=unit.pk, starts_at=opens, ends_at=closes),
                closed=time_closures(unit_id=unit.pk, starts_at=opens, ends_at=closes),
            )
    return {
        "unit": unit.pk,
        "date": day,
        "opens_at": opening[0] if opening else None,
        "closes_at": opening[1] if opening else None,
        "slot_minutes": unit.slot_minutes,
        "min_minutes": unit.min_minutes,
        "max_minutes": unit.max_minutes,
        "price_per_hour_yen": prices_for(unit=unit, dates=[day], rules=rules)[0][1],
        "day_cap_yen": unit.day_cap_yen,
        "free": intervals,
    }


# --- quotes ----------------------------------------------------------------------------------------------------


def quote_get(
    *,
    user,
    unit_id: int,
    check_in: date | None,
    check_out: date | None,
    dates: list[date] | None,
    adults: int,
    children: int = 0,
    infants: int = 0,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> dict:
    """What POST /quotes/ answers: the stay priced and checked as a booking would be, without holding anything,
    with the subsidy estimates of the visitor asking (reimbursements fills the hook)."""
    unit = selectors.unit_bookable(unit_id=unit_id)
    stay = stay_quote(
        unit=unit,
        check_in=check_in,
        check_out=check_out,
        dates=dates,
        adults=adults,
        children=children,
        infants=infants,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    visitor = user if user.is_authenticated and user.is_visitor else None
    charge = hooks.member_charge(visitor=visitor, stay=stay, locked=False) if visitor is not None else None
    if charge is not None:
        stay = replace(stay, lines=charge.lines)
    estimates = hooks.estimate_for_quote(
        visitor=user if user.is_authenticated and user.is_visitor else None,
        unit=unit,
        kind=stay.kind,
        dates=list(stay.calendar_dates()),
        nights=stay.lines if stay.kind == Booking.Kind.STAY else [],
        adults=stay.adults,
        children=stay.children,
        infants=stay.infants,
    )
    return {
        "unit": unit.id,
        "kind": stay.kind,
        "check_in": stay.check_in,
        "check_out": stay.check_out,
        "dates": list(stay.dates),
        "starts_at": stay.starts_at,
        "ends_at": stay.ends_at,
        "adults": stay.adults,
        "children": stay.children,
        "infants": stay.infants,
        "total_yen": stay.total_yen,
        "lines": [{"date": day, "price_yen": price} for day, price in stay.lines],
        **estimates,
    }
