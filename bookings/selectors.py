"""Reads for bookings: the rules a stay must follow, prices, availability calendars and booking lists."""

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.ids import parse_id
from facilities.models import Unit

from .errors import BookingNotFound, InvalidStay, UnitClosed, UnitNotFound, UnitUnavailable, UnknownUnit
from .models import Booking, Closure, ImportedBlock, PriceOverride, UnitStock

# A stay or a set of day passes never has more dates than this, whatever the unit's max_nights says; it also
# bounds every date loop.
MAX_DATES = 366
MAX_DATES_SHOWN = 10
# The largest total one booking may have: the most a card payment in yen can carry (Stripe's limit for JPY),
# and far inside the 32-bit yen columns of payments and refunds.
MAX_TOTAL_YEN = 99_999_999


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


def unit_bookable(*, unit_id: int) -> Unit:
    """The unit a quote or booking names; an unknown, inactive or unpublished one is a 400 on `unit`."""
    unit = _units().filter(id=unit_id, is_active=True, facility__is_published=True).first()
    if unit is None:
        raise UnknownUnit(fields={"unit": [str(UnknownUnit.default_message)]})
    return unit


def unit_public_get(*, unit_id) -> Unit:
    unit_id = parse_id(unit_id)
    unit = _units().filter(id=unit_id, is_active=True, facility__is_published=True).first() if unit_id else None
    if unit is None:
        raise UnitNotFound()
    return unit


def unit_for_operator(*, user, unit_id) -> Unit:
    """A unit of one of the operator's facilities; any other is not found (its existence is not revealed)."""
    unit_id = parse_id(unit_id)
    unit = None
    if unit_id and user.is_authenticated and user.is_operator:
        unit = _units().filter(id=unit_id, facility__operator_id=user.organisation_id).first()
    if unit is None:
        raise UnitNotFound()
    return unit


def is_unit_operator(*, user, unit: Unit) -> bool:
    return bool(
        user and user.is_authenticated and user.is_operator and user.organisation_id == unit.facility.operator_id
    )


# --- stays -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stay:
    """A checked request: the unit, the dates it takes (nights or pass dates) and the party."""

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

    @property
    def persons(self) -> int:
        return self.adults + self.children + self.infants

    @property
    def total_yen(self) -> int:
        return sum(price for _day, price in self.lines)

    @property
    def dates_field(self) -> str:
        """The request field that sets the stay's dates, for errors about its length or total."""
        return "dates" if self.kind == Booking.Kind.DAY_PASS else "check_out"

    def calendar_dates(self) -> list[date]:
        """Every calendar date of the stay, check-in to check-out inclusive (the pass dates for day passes)."""
        if self.kind == Booking.Kind.DAY_PASS:
            return list(self.dates)
        return date_range(self.check_in, self.check_out + timedelta(days=1))


def booking_request_fingerprint(
    *,
    unit_id: int,
    check_in: date | None,
    check_out: date | None,
    dates: list[date] | None,
    adults: int,
    children: int,
    infants: int,
) -> str:
    """The canonical validated body of a booking request, so that an Idempotency-Key retry is recognised
    before anything about the unit or today is checked again (a retry must not fail where the first succeeded)."""
    canonical = {
        "unit": unit_id,
        "check_in": check_in.isoformat() if check_in else None,
        "check_out": check_out.isoformat() if check_out else None,
        "dates": sorted({d.isoformat() for d in dates}) if dates else None,
        "party": [adults, children, infants],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


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
    priced: bool = True,
) -> Stay:
    """Checks a stay against the unit's rules (raises InvalidStay naming the field) and lists its dates;
    `priced` also prices it (a booking prices under its lock instead)."""
    first_day = today()
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
        taken = tuple(date_range(check_in, check_out))
        first_field, last_field = "check_in", "check_out"
    else:
        kind = Booking.Kind.DAY_PASS
        if not dates and check_in is not None and check_out is not None and check_out > check_in:
            if (check_out - check_in).days <= MAX_DATES:
                dates = date_range(check_in, check_out)
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
    persons = adults + children + infants
    if persons > unit.capacity:
        raise _invalid(
            "party_over_capacity",
            "adults",
            _("This unit takes at most %(capacity)s persons, infants included; the party has %(persons)s."),
            capacity=unit.capacity,
            persons=persons,
        )
    stay = Stay(
        unit=unit,
        kind=kind,
        check_in=check_in,
        check_out=check_out,
        dates=taken,
        adults=adults,
        children=children,
        infants=infants,
    )
    return replace(stay, lines=stay_lines(stay=stay)) if priced else stay


def stay_lines(*, stay: Stay) -> tuple[tuple[date, int], ...]:
    """The price of each date of the stay; a total above MAX_TOTAL_YEN is refused (400 on the dates' field).
    Quotes use the lines stay_resolve priced; a booking prices again under its lock, through here."""
    lines = tuple(prices_for(unit=stay.unit, dates=stay.dates))
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


# --- prices, closures, stock -----------------------------------------------------------------------------------


def _overrides(unit: Unit, start: date, end: date) -> list[PriceOverride]:
    """Overrides touching [start, end] (both included)."""
    return list(PriceOverride.objects.filter(unit=unit, start_date__lte=end, end_date__gte=start))


def _closures(unit: Unit, start: date, end: date) -> list[Closure]:
    return list(Closure.objects.filter(unit=unit, start_date__lte=end, end_date__gte=start))


def _covering(ranges, day: date):
    for item in ranges:
        if item.start_date <= day <= item.end_date:
            return item
    return None


def prices_for(*, unit: Unit, dates) -> list[tuple[date, int]]:
    """The price of each date: an override covering it, else the unit's base price."""
    if not dates:
        return []
    overrides = _overrides(unit, min(dates), max(dates))
    lines = []
    for day in dates:
        override = _covering(overrides, day)
        lines.append((day, override.price_yen if override else unit.price_yen))
    return lines


def closed_dates(*, unit: Unit, dates) -> list[date]:
    if not dates:
        return []
    closures = _closures(unit, min(dates), max(dates))
    return [day for day in dates if _covering(closures, day)]


def taken_by_date(*, unit: Unit, dates) -> dict[date, int]:
    if not dates:
        return {}
    return dict(UnitStock.objects.filter(unit=unit, date__in=list(dates)).values_list("date", "taken"))


def stay_check_available(*, stay: Stay) -> None:
    """Raises UnitClosed or UnitUnavailable when some date of the stay cannot be had. Without locks for a
    quote; booking creation calls it again once it holds the stock rows."""
    closed = closed_dates(unit=stay.unit, dates=stay.dates)
    if closed:
        raise UnitClosed(dates=dates_text(closed))
    taken = taken_by_date(unit=stay.unit, dates=stay.dates)
    full = [day for day in stay.dates if stay.unit.count - taken.get(day, 0) < 1]
    if full:
        raise UnitUnavailable(dates=dates_text(full))


# --- availability calendar -------------------------------------------------------------------------------------


def _imported_by_date(unit: Unit, start: date, end: date) -> dict[date, dict[bool, list[str]]]:
    """Per date, the names of the calendar imports blocking it: held (taking a unit) or in conflict."""
    by_date: dict[date, dict[bool, list[str]]] = {}
    rows = (
        ImportedBlock.objects.filter(unit=unit, date__gte=start, date__lte=end)
        .order_by("date", "calendar_import_id")
        .values_list("date", "held", "calendar_import__name")
    )
    for day, held, name in rows:
        by_date.setdefault(day, {}).setdefault(held, []).append(name)
    return by_date


def availability(*, unit: Unit, start: date, end: date, detailed: bool) -> list[dict]:
    """Per date of [start, end] (both included): free units, price, closure and whether it can be booked;
    with `detailed` (the unit's operator) also what is taken, why it is closed and which price applies."""
    days = date_range(start, end + timedelta(days=1))
    taken = dict(UnitStock.objects.filter(unit=unit, date__gte=start, date__lte=end).values_list("date", "taken"))
    closures = _closures(unit, start, end)
    overrides = _overrides(unit, start, end)
    first_day = today()
    last_day = first_day + timedelta(days=unit.booking_window_days)
    imported = _imported_by_date(unit, start, end) if detailed else {}
    result = []
    for day in days:
        closure = _covering(closures, day)
        override = _covering(overrides, day)
        used = taken.get(day, 0)
        # A closed date has nothing to offer, whatever its stock says.
        free = 0 if closure is not None else max(unit.count - used, 0)
        row = {
            "date": day,
            "free": free,
            "price_yen": override.price_yen if override else unit.price_yen,
            "closed": closure is not None,
            "bookable": free > 0 and closure is None and first_day <= day <= last_day,
            "taken": used if detailed else None,
            "total": unit.count if detailed else None,
            "closure_reason": (closure.reason if closure else "") if detailed else None,
            "price_label": ((override.label or "") if override else "") if detailed else None,
            "imported_from": imported.get(day, {}).get(True, []) if detailed else None,
            "import_conflicts": imported.get(day, {}).get(False, []) if detailed else None,
        }
        result.append(row)
    return result


# --- the catalogue's search (facilities.hooks) ----------------------------------------------------------------


def units_open_and_free(*, units: QuerySet[Unit], first_day: date, last_day: date) -> QuerySet[Unit]:
    """The units open and not sold out on every date of [first_day, last_day], in SQL: the search's twin of
    closed_dates and taken_by_date. Full means taken up to the unit's count now, as the locked check decides, not
    up to the row's total (made with the count of its day, which the unit may since have changed)."""
    return units.exclude(
        Exists(Closure.objects.filter(unit=OuterRef("pk"), start_date__lte=last_day, end_date__gte=first_day))
    ).exclude(
        Exists(
            UnitStock.objects.filter(
                unit=OuterRef("pk"), date__gte=first_day, date__lte=last_day, taken__gte=OuterRef("count")
            )
        )
    )


def units_have_active_bookings(*, units) -> bool:
    return Booking.objects.filter(
        unit__in=units, status__in=[Booking.Status.PENDING, Booking.Status.CONFIRMED]
    ).exists()


def units_have_bookings(*, units) -> bool:
    return Booking.objects.filter(unit__in=units).exists()


# --- bookings --------------------------------------------------------------------------------------------------


def _bookings() -> QuerySet[Booking]:
    return Booking.objects.select_related("unit__facility", "payment").prefetch_related("lines", "payment__refunds")


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
) -> QuerySet[Booking]:
    """Bookings the user may see; `date_from`/`date_to` keep those whose stay touches that period."""
    bookings = bookings_visible_to(user=user)
    if status:
        bookings = bookings.filter(status=status)
    if date_from:
        bookings = bookings.filter(check_out__gt=date_from)
    if date_to:
        bookings = bookings.filter(check_in__lte=date_to)
    if unit:
        bookings = bookings.filter(unit_id=unit)
    return bookings


def booking_get(*, user, booking_id) -> Booking:
    booking_id = parse_id(booking_id)
    booking = bookings_visible_to(user=user).filter(id=booking_id).first() if booking_id else None
    if booking is None:
        raise BookingNotFound()
    return booking


def closure_list(*, unit: Unit) -> QuerySet[Closure]:
    return Closure.objects.filter(unit=unit)


def price_override_list(*, unit: Unit) -> QuerySet[PriceOverride]:
    return PriceOverride.objects.filter(unit=unit)


def active_dates_between(*, unit: Unit, start: date, end: date) -> list[date]:
    """Dates of [start, end] on which the unit has active (held, confirmed or completed) bookings: units
    taken beyond those that calendar imports' blocks hold."""
    taken = dict(
        UnitStock.objects.filter(unit=unit, date__gte=start, date__lte=end, taken__gt=0).values_list("date", "taken")
    )
    imported: dict[date, int] = {}
    for day in ImportedBlock.objects.filter(unit=unit, date__in=list(taken), held=True).values_list("date", flat=True):
        imported[day] = imported.get(day, 0) + 1
    return sorted(day for day, count in taken.items() if count > imported.get(day, 0))


def overlapping_override(*, unit: Unit, start: date, end: date, exclude_id=None) -> PriceOverride | None:
    overrides = PriceOverride.objects.filter(unit=unit, start_date__lte=end, end_date__gte=start)
    if exclude_id:
        overrides = overrides.exclude(id=exclude_id)
    return overrides.order_by("start_date").first()
