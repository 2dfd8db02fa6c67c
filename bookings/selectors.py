"""Reads for bookings: units as bookings see them, booking lists, operators' rules and calendar feeds. The stay's
own rules (checks, prices, availability) are in stays.py."""

import functools
import hashlib
import json
from datetime import date, datetime, time, timedelta
from typing import NamedTuple, cast

from django.db import connection, connections, router
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from backend.ids import parse_id
from backend.plain_sql import Part, PlainRead, column, table
from facilities.errors import FacilityNotFound, UnitNotFound
from facilities.models import Facility, Unit
from facilities.selectors import operator_unit_get

from .errors import (
    BookingNotFound,
    CalendarFeedNotFound,
    CalendarImportNotFound,
    CalendarImportSyncNotFound,
    ClosureNotFound,
    ConsultationsFeedForStaffOnly,
    PriceOverrideNotFound,
    StaysFeedForVisitorsOnly,
    UnknownUnit,
)
from .models import (
    Booking,
    BookingEvent,
    CalendarFeed,
    CalendarImport,
    CalendarImportSync,
    Closure,
    ImportedBlock,
    PriceOverride,
    TimeClosure,
    UnitStock,
)

MAX_DATES_SHOWN = 10


def today() -> date:
    """Today in Asia/Tokyo, the day every stay rule counts from."""
    return timezone.localdate()


def dates_text(dates) -> str:
    """Dates for an error message: ISO, at most MAX_DATES_SHOWN of them."""
    shown = [d.isoformat() for d in sorted(dates)[:MAX_DATES_SHOWN]]
    return ", ".join(shown) + (" …" if len(dates) > MAX_DATES_SHOWN else "")


def date_range(start: date, end: date) -> list[date]:
    """Every date of [start, end)."""
    return [start + timedelta(days=offset) for offset in range((end - start).days)]


# --- units -----------------------------------------------------------------------------------------------------


def _units() -> QuerySet[Unit]:
    return Unit.objects.select_related("facility")


_BOOKABLE_UNIT = PlainRead([Part("u", Unit), Part("f", Facility)])


@functools.cache
def _bookable_unit_sql() -> str:
    """The unit with its facility, if both may be booked, in plain SQL both databases run, written once: every
    quote and booking reads it first, and the ORM's compiling of this join cost more than running it."""
    return (
        f"SELECT {_BOOKABLE_UNIT.select_list()} FROM {table(Unit)} u "
        f"JOIN {table(Facility)} f ON {column(Facility, 'id', 'f')} = {column(Unit, 'facility', 'u')} "
        f"WHERE {column(Unit, 'id', 'u')} = %s AND {column(Unit, 'is_active', 'u')} = %s "
        f"AND {column(Facility, 'is_published', 'f')} = %s"
    )


def unit_bookable(*, unit_id: int) -> Unit:
    """The unit a quote or booking names, with its facility (one query); an unknown, inactive or unpublished one
    is a 400 on `unit`."""
    with connection.cursor() as cursor:
        cursor.execute(_bookable_unit_sql(), [unit_id, True, True])
        row = cursor.fetchone()
    if row is None:
        raise UnknownUnit(fields={"unit": [str(UnknownUnit.default_message)]})
    (unit, facility), _extras = _BOOKABLE_UNIT.convert(row)
    unit = cast(Unit, unit)
    Unit.facility.field.set_cached_value(unit, cast(Facility, facility))
    return unit


def is_unit_operator(*, user, unit: Unit) -> bool:
    return bool(
        user and user.is_authenticated and user.is_operator and user.organisation_id == unit.facility.operator_id
    )


def unit_calendar_get(*, user, unit_id) -> tuple[Unit, bool]:
    """The unit whose availability is asked for, and whether the user operates it: its own operator sees it even
    while it is unpublished or inactive (and sees the details); anyone else sees a bookable unit only. One query."""
    pk = parse_id(unit_id)
    unit = _units().filter(id=pk).first() if pk else None
    operates = unit is not None and is_unit_operator(user=user, unit=unit)
    if unit is None or not _calendar_shown(
        operates=operates, is_active=unit.is_active, is_published=unit.facility.is_published
    ):
        raise UnitNotFound()
    return unit, operates


def _calendar_shown(*, operates: bool, is_active: bool, is_published: bool) -> bool:
    return operates or (is_active and is_published)


class CalendarUnit(NamedTuple):
    """The unit's columns a calendar answer shows or counts with (check-in and check-out times already fall back
    to the facility's)."""

    id: int
    unit_count: int  # `count` would shadow tuple.count
    price_yen: int
    booking_window_days: int
    min_nights: int
    max_nights: int
    check_in_time: time | None
    check_out_time: time | None
    free_cancellation_days: int
    cancellation_fee_percent: int


# Kinds of the calendar query's fact rows.
CALENDAR_STOCK, CALENDAR_CLOSURE, CALENDAR_OVERRIDE, CALENDAR_IMPORTED = 0, 1, 2, 3


class CalendarFact(NamedTuple):
    """One fact of a calendar's range: a stock row (value = taken), a closure (text = reason), a price override
    (value = price, text = label) or an imported block (value = held as 1 or 0, text = the import's name, ref = the
    import's id). Dates come as dates on PostgreSQL and as ISO text from SQLite's UNION."""

    kind: int
    first_day: date | str
    last_day: date | str
    value: int
    text: str
    ref: int


@functools.cache
def _calendar_sql() -> str:
    """The unit with its facility, and beside it (LEFT JOIN, so that a unit with no facts is still one row) its
    stock rows, closures, price overrides and calendar imports' blocks touching the range: one statement in plain
    SQL that both PostgreSQL and SQLite run, so that nothing is built or compiled per request."""

    def unit(name: str) -> str:
        return f"u.{column(Unit, name)}"

    def facility(name: str) -> str:
        return f"f.{column(Facility, name)}"

    stock, closure, override, block, feed = UnitStock, Closure, PriceOverride, ImportedBlock, CalendarImport
    return f"""
SELECT {unit("id")} AS id, {unit("count")} AS unit_count, {unit("price_yen")} AS price_yen,
  {unit("booking_window_days")} AS booking_window_days, {unit("min_nights")} AS min_nights,
  {unit("max_nights")} AS max_nights,
  COALESCE({unit("check_in_time")}, {facility("check_in_time")}) AS check_in_time,
  COALESCE({unit("check_out_time")}, {facility("check_out_time")}) AS check_out_time,
  {unit("free_cancellation_days")} AS free_cancellation_days,
  {unit("cancellation_fee_percent")} AS cancellation_fee_percent, {unit("is_active")} AS is_active,
  {facility("is_published")} AS is_published, {facility("operator_id")} AS operator_id,
  facts.kind AS kind, facts.first_day AS first_day, facts.last_day AS last_day, facts.value AS value,
  facts.text AS text, facts.ref AS ref
FROM {table(Unit)} u
JOIN {table(Facility)} f ON f.{column(Facility, "id")} = {unit("facility")}
LEFT JOIN (
  SELECT {CALENDAR_STOCK} AS kind, {column(stock, "unit")} AS unit_id, {column(stock, "date")} AS first_day,
    {column(stock, "date")} AS last_day, {column(stock, "taken")} AS value, '' AS text, {column(stock, "id")} AS ref
  FROM {table(stock)}
  WHERE {column(stock, "unit")} = %(unit)s AND {column(stock, "date")} >= %(start)s
    AND {column(stock, "date")} <= %(end)s
  UNION ALL
  SELECT {CALENDAR_CLOSURE}, {column(closure, "unit")}, {column(closure, "start_date")},
    {column(closure, "end_date")}, 0, {column(closure, "reason")}, {column(closure, "id")}
  FROM {table(closure)}
  WHERE {column(closure, "unit")} = %(unit)s AND {column(closure, "start_date")} <= %(end)s
    AND {column(closure, "end_date")} >= %(start)s
  UNION ALL
  SELECT {CALENDAR_OVERRIDE}, {column(override, "unit")}, {column(override, "start_date")},
    {column(override, "end_date")}, {column(override, "price_yen")}, {column(override, "label")},
    {column(override, "id")}
  FROM {table(override)}
  WHERE {column(override, "unit")} = %(unit)s AND {column(override, "start_date")} <= %(end)s
    AND {column(override, "end_date")} >= %(start)s
  UNION ALL
  SELECT {CALENDAR_IMPORTED}, b.{column(block, "unit")}, b.{column(block, "date")}, b.{column(block, "date")},
    CASE WHEN b.{column(block, "held")} THEN 1 ELSE 0 END, i.{column(feed, "name")},
    b.{column(block, "calendar_import")}
  FROM {table(block)} b
  JOIN {table(feed)} i ON i.{column(feed, "id")} = b.{column(block, "calendar_import")}
  WHERE %(imports)s = 1 AND b.{column(block, "unit")} = %(unit)s AND b.{column(block, "date")} >= %(start)s
    AND b.{column(block, "date")} <= %(end)s AND (b.{column(block, "held")} OR NOT b.{column(block, "echo")})
) facts ON facts.unit_id = {unit("id")}
WHERE {unit("id")} = %(unit)s
"""


def unit_calendar_read(*, user, unit_id, start: date, end: date) -> tuple[CalendarUnit, bool, list[CalendarFact]]:
    """The unit whose calendar of [start, end] is asked for, whether the user operates it, and its facts: stock
    (taken), closures (reason), price overrides (price, label) and, for an operator, imported blocks (held as 1 or
    0, the import's name, its id). Its own operator sees the unit even while it is unpublished or inactive; anyone
    else sees a bookable unit only. One query, whose columns are read by their names."""
    pk = parse_id(unit_id)
    if not pk:
        raise UnitNotFound()
    organisation = user.organisation_id if user and user.is_authenticated and user.is_operator else None
    # The public calendar may be read from a replica (backend/replica.py): the ORM's router decides here too.
    with connections[router.db_for_read(Unit)].cursor() as cursor:
        cursor.execute(_calendar_sql(), {"unit": pk, "start": start, "end": end, "imports": 1 if organisation else 0})
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not rows:
        raise UnitNotFound()
    first = rows[0]
    operates = organisation is not None and organisation == first["operator_id"]
    if not _calendar_shown(operates=operates, is_active=first["is_active"], is_published=first["is_published"]):
        raise UnitNotFound()
    unit = CalendarUnit(**{name: first[name] for name in CalendarUnit._fields})
    # A unit with no facts is one row whose facts' columns are null.
    facts = [
        CalendarFact(**{name: row[name] for name in CalendarFact._fields})
        for row in rows
        if row["kind"] is not None and (operates or row["kind"] != CALENDAR_IMPORTED)
    ]
    return unit, operates, facts


def units_have_active_bookings(*, units) -> bool:
    return Booking.objects.filter(
        unit__in=units, status__in=[Booking.Status.PENDING, Booking.Status.CONFIRMED]
    ).exists()


def units_have_bookings(*, units) -> bool:
    return Booking.objects.filter(unit__in=units).exists()


# --- booking requests ------------------------------------------------------------------------------------------


def booking_request_fingerprint(
    *,
    unit_id: int,
    check_in: date | None,
    check_out: date | None,
    dates: list[date] | None,
    adults: int,
    children: int,
    infants: int,
    starts_at=None,
    ends_at=None,
) -> str:
    """The canonical validated body of a booking request, so that an Idempotency-Key retry is recognised
    before anything about the unit or today is checked again (a retry must not fail where the first succeeded)."""
    canonical: dict[str, object] = {
        "unit": unit_id,
        "check_in": check_in.isoformat() if check_in else None,
        "check_out": check_out.isoformat() if check_out else None,
        "dates": sorted({d.isoformat() for d in dates}) if dates else None,
        "party": [adults, children, infants],
    }
    if starts_at is not None or ends_at is not None:
        # Hours as instants: the same moment written with another offset is the same request.
        canonical["hours"] = [moment.timestamp() if moment else None for moment in (starts_at, ends_at)]
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


# --- bookings --------------------------------------------------------------------------------------------------


def _bookings() -> QuerySet[Booking]:
    return Booking.objects.select_related("unit__facility", "payment", "visitor").prefetch_related(
        "lines", "payment__refunds"
    )


def bookings_visible_to(*, user, queryset=None) -> QuerySet[Booking]:
    """A visitor's own bookings, an operator's facilities', a staff member's municipality's."""
    queryset = _bookings() if queryset is None else queryset
    if not user or not user.is_authenticated:
        return queryset.none()
    if user.is_visitor:
        return queryset.filter(visitor=user)
    if user.is_operator:
        return queryset.filter(unit__facility__operator_id=user.organisation_id)
    if user.is_municipal_staff:
        return queryset.filter(unit__facility__municipality_id=user.municipality_id)
    return queryset.none()


def booking_for_response(*, booking_id: int) -> Booking:
    """A booking just written, with what its API response shows (the caller already knows it may see it)."""
    return _bookings().select_related("visitor").get(pk=booking_id)


def booking_list(
    *,
    user,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    unit: int | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Booking]:
    """Bookings the user may see; `date_from`/`date_to` keep those whose stay touches that period;
    `updated_since` those that changed after it."""
    bookings = bookings_visible_to(user=user)
    if updated_since is not None:
        bookings = _changed_since(bookings, updated_since)
    if status:
        bookings = bookings.filter(status=status)
    if date_from:
        bookings = bookings.filter(check_out__gt=date_from)
    if date_to:
        bookings = bookings.filter(check_in__lte=date_to)
    if unit:
        bookings = bookings.filter(unit_id=unit)
    return bookings


def _changed_since(bookings: QuerySet[Booking], since: datetime) -> QuerySet[Booking]:
    """Bookings whose answer changed after `since`: the booking itself, an event of its trail, its payment or a
    refund of it. (Estimates are computed on reading: a booking's ETag follows them, this does not.)"""
    return bookings.filter(
        Q(updated_at__gt=since)
        | Q(payment__updated_at__gt=since)
        | Exists(BookingEvent.objects.filter(booking_id=OuterRef("pk"), at__gt=since))
        | Q(pk__in=Booking.objects.filter(payment__refunds__created_at__gt=since).values("pk"))
    )


def bookings_removed_since(*, user, updated_since: datetime, **filters) -> list[int]:
    """For offline sync: the ids of the bookings the user may see that changed after `updated_since` and no longer
    match the list's `filters` (cancelled under `status=confirmed`, moved out of the dates): a client holding the
    filtered list removes them. Bookings are never deleted, so nothing else leaves a list."""
    changed = _changed_since(bookings_visible_to(user=user, queryset=Booking.objects.all()), updated_since)
    if not any(value for value in filters.values()):
        return []
    kept = booking_list(user=user, updated_since=updated_since, **filters).values("pk")
    return list(changed.exclude(pk__in=kept).order_by("pk").values_list("pk", flat=True))


def booking_get(*, user, booking_id) -> Booking:
    booking_id = parse_id(booking_id)
    booking = bookings_visible_to(user=user).filter(id=booking_id).first() if booking_id else None
    if booking is None:
        raise BookingNotFound()
    return booking


# --- operators' rules: closures and price overrides ------------------------------------------------------------


def closure_list(*, unit: Unit) -> QuerySet[Closure]:
    return Closure.objects.filter(unit=unit)


def closure_get(*, unit: Unit, closure_id) -> Closure:
    pk = parse_id(closure_id)
    closure = closure_list(unit=unit).filter(id=pk).first() if pk else None
    if closure is None:
        raise ClosureNotFound()
    return closure


def price_override_list(*, unit: Unit) -> QuerySet[PriceOverride]:
    return PriceOverride.objects.filter(unit=unit)


def price_override_get(*, unit: Unit, override_id) -> PriceOverride:
    pk = parse_id(override_id)
    override = price_override_list(unit=unit).filter(id=pk).first() if pk else None
    if override is None:
        raise PriceOverrideNotFound()
    return override


def active_dates_between(*, unit: Unit, start: date, end: date) -> list[date]:
    """Dates of [start, end] on which the unit has active (held, confirmed or completed) bookings: units
    taken beyond those that calendar imports' blocks hold."""
    taken = dict(
        UnitStock.objects.filter(unit=unit, date__gte=start, date__lte=end, taken__gt=0).values_list("date", "taken")
    )
    imported: dict[date, int] = {}
    for day in ImportedBlock.objects.filter(unit=unit, date__in=list(taken), held=True).values_list("date", flat=True):
        imported[day] = imported.get(day, 0) + 1
    booked = {day for day, count in taken.items() if count > imported.get(day, 0)}
    # Hours take their slots, not the date's stock.
    hourly = Booking.objects.filter(
        unit=unit,
        kind=Booking.Kind.HOURLY,
        status__in=Booking.ACTIVE_STATUSES,
        check_in__gte=start,
        check_in__lte=end,
    )
    booked.update(hourly.values_list("check_in", flat=True))
    return sorted(booked)


def hours_booked_between(*, unit: Unit, starts_at, ends_at) -> list[Booking]:
    """The unit's active hourly bookings overlapping [starts_at, ends_at), in time order."""
    return list(
        Booking.objects.filter(
            unit=unit,
            kind=Booking.Kind.HOURLY,
            status__in=Booking.ACTIVE_STATUSES,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        ).order_by("starts_at", "id")
    )


def time_closure_list(*, unit: Unit) -> QuerySet[TimeClosure]:
    return TimeClosure.objects.filter(unit=unit)


def time_closure_get(*, unit: Unit, closure_id) -> TimeClosure:
    pk = parse_id(closure_id)
    closure = time_closure_list(unit=unit).filter(id=pk).first() if pk else None
    if closure is None:
        raise ClosureNotFound()
    return closure


def overlapping_override(*, unit: Unit, start: date, end: date, exclude_id=None) -> PriceOverride | None:
    overrides = PriceOverride.objects.filter(unit=unit, start_date__lte=end, end_date__gte=start)
    if exclude_id:
        overrides = overrides.exclude(id=exclude_id)
    return overrides.order_by("start_date").first()


# --- calendar imports ------------------------------------------------------------------------------------------


def calendar_import_list(*, unit: Unit) -> QuerySet[CalendarImport]:
    """The unit's calendar imports, each with its conflicts (blocks not held, echoes aside) in date order."""
    conflicts = Prefetch("blocks", queryset=ImportedBlock.objects.filter(held=False, echo=False).order_by("date"))
    return CalendarImport.objects.filter(unit=unit).prefetch_related(conflicts).order_by("id")


def calendar_import_get(*, unit: Unit, import_id) -> CalendarImport:
    pk = parse_id(import_id)
    found = calendar_import_list(unit=unit).filter(id=pk).first() if pk else None
    if found is None:
        raise CalendarImportNotFound()
    return found


def calendar_import_sync_get(*, calendar_import: CalendarImport, sync_id) -> CalendarImportSync:
    pk = parse_id(sync_id)
    found = CalendarImportSync.objects.filter(calendar_import=calendar_import, id=pk).first() if pk else None
    if found is None:
        raise CalendarImportSyncNotFound()
    return found


# --- calendar feeds --------------------------------------------------------------------------------------------


def calendar_feed_list(*, user) -> QuerySet[CalendarFeed]:
    """The user's own feeds; nobody sees another's (their URLs are secrets)."""
    return CalendarFeed.objects.filter(owner=user)


def calendar_feed_get(*, user, feed_id) -> CalendarFeed:
    pk = parse_id(feed_id)
    feed = calendar_feed_list(user=user).filter(id=pk).first() if pk else None
    if feed is None:
        raise CalendarFeedNotFound()
    return feed


def calendar_feed_target(*, user, scope: str, unit_id=None, facility_id=None) -> tuple[Unit | None, Facility | None]:
    """What a new feed of this scope shows, checked against who asks: a visitor's own stays, municipal staff's
    town's consultations, or one of the operator's units or facilities (another's is not found). Returns the
    (unit, facility) the feed is about, both None for the personal scopes."""
    if scope == CalendarFeed.Scope.STAYS:
        if not user.is_visitor:
            raise StaysFeedForVisitorsOnly(fields={"scope": [str(StaysFeedForVisitorsOnly.default_message)]})
        return None, None
    if scope == CalendarFeed.Scope.CONSULTATIONS:
        if not user.is_municipal_staff:
            raise ConsultationsFeedForStaffOnly(fields={"scope": [str(ConsultationsFeedForStaffOnly.default_message)]})
        return None, None
    if scope == CalendarFeed.Scope.UNIT:
        return operator_unit_get(user=user, unit_id=unit_id), None
    facility = (
        Facility.objects.filter(id=facility_id, operator_id=user.organisation_id).first() if user.is_operator else None
    )
    if facility is None:
        raise FacilityNotFound()
    return None, facility


def visitor_bookings_to_come(*, user) -> dict[str, list[int]]:
    """The visitor's bookings not yet over (held or confirmed, leaving after today): they block the account's
    deletion (accounts.hooks.deletion_blockers)."""
    ids = Booking.objects.filter(
        visitor=user,
        status__in=[Booking.Status.PENDING, Booking.Status.CONFIRMED],
        check_out__gt=timezone.localdate(),
    ).values_list("id", flat=True)
    return {"bookings": list(ids)}
