"""A facility's own figures, month by month, for its operator: active members of its plans (joined, left) and the
occupancy of its rooms booked by the hour (hours booked here over the hours they were open).

Members are memberships of the facility's plans as they stand on each month's last day: started by then and not
ended before it. Three joining in January and one leaving in February are 3, then 2. Residents' plans are not
joined, so they have no members here.

Open hours are each hourly unit's opening hours on every date of the month, times its count, less closed dates
and closures by the hour; booked hours are the confirmed and completed hourly bookings made here on those dates
(calendar imports are other sites' bookings, left out). Five queries whatever the period."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from bookings import hours
from bookings.models import Booking, Closure, TimeClosure
from facilities.models import Facility, Unit
from memberships.models import Membership

# Occupancy is a percentage with one decimal place ("37.5").
PERCENT_PLACES = Decimal("0.1")
# The longest period one request may ask for, in months.
MAX_MONTHS = 36


@dataclass
class _Month:
    first: date
    last: date
    members: int = 0
    joined: int = 0
    left: int = 0
    open_minutes: int = 0
    booked_minutes: int = 0


def month_start(value: date) -> date:
    return value.replace(day=1)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months [first, last] spans, both counted (January to March: 3)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def occupancy_percent(booked_minutes: int, open_minutes: int) -> str | None:
    if not open_minutes:
        return None
    return str((Decimal(100 * booked_minutes) / open_minutes).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP))


def _minutes(start: datetime, end: datetime) -> int:
    return max(int((end - start).total_seconds() // 60), 0)


def _overlap(start: datetime, end: datetime, opens: datetime, closes: datetime) -> int:
    """Minutes of [start, end) within [opens, closes)."""
    seconds = (min(end, closes) - max(start, opens)).total_seconds()
    return max(int(seconds // 60), 0)


def _closed_minutes(spans: list[tuple[datetime, datetime]], opens: datetime, closes: datetime) -> int:
    """Minutes of [opens, closes) that the closures by the hour cover, overlapping ones counted once."""
    total, reached = 0, opens
    for start, end in sorted(spans):
        start, end = max(start, reached), min(end, closes)
        if end > start:
            total += _overlap(start, end, opens, closes)
            reached = end
    return total


def facility_kpis(*, facility: Facility, first_month: date, last_month: date) -> dict:
    """The facility's figures for each month of [first_month, last_month] (their first days) and the period's
    occupancy over all of them."""
    months = [
        _Month(first=month, last=month.replace(day=calendar.monthrange(month.year, month.month)[1]))
        for month in (add_months(first_month, n) for n in range(months_between(first_month, last_month)))
    ]
    start, end = months[0].first, months[-1].last

    memberships = Membership.objects.filter(plan__facility=facility, starts_on__lte=end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start - timedelta(days=1))
    )
    for starts_on, ends_on in memberships.values_list("starts_on", "ends_on"):
        for month in months:
            if starts_on <= month.last and (ends_on is None or ends_on >= month.last):
                month.members += 1
            if month.first <= starts_on <= month.last:
                month.joined += 1
            # Left in the month: the first day it no longer covers falls in it.
            if ends_on is not None and month.first <= ends_on + timedelta(days=1) <= month.last:
                month.left += 1

    units = list(
        Unit.objects.filter(facility=facility, booking_mode=Unit.BookingMode.HOURLY, is_active=True).order_by("id")
    )
    unit_ids = [unit.id for unit in units]
    closed_dates = {
        (unit_id, day)
        for unit_id, first, last in Closure.objects.filter(
            unit_id__in=unit_ids, start_date__lte=end, end_date__gte=start
        ).values_list("unit_id", "start_date", "end_date")
        for day in (max(first, start) + timedelta(days=n) for n in range((min(last, end) - max(first, start)).days + 1))
    }
    window = (hours.at(start, 0), hours.at(end, 24 * 60))
    time_closures: dict[int, list[tuple[datetime, datetime]]] = {}
    for unit_id, closure_start, closure_end in TimeClosure.objects.filter(
        unit_id__in=unit_ids, starts_at__lt=window[1], ends_at__gt=window[0]
    ).values_list("unit_id", "starts_at", "ends_at"):
        time_closures.setdefault(unit_id, []).append((closure_start, closure_end))
    for month in months:
        day = month.first
        while day <= month.last:
            for unit in units:
                opening = hours.opening(unit, day)
                if opening is None or (unit.id, day) in closed_dates:
                    continue
                opens, closes = opening
                open_minutes = _minutes(opens, closes)
                open_minutes -= _closed_minutes(time_closures.get(unit.id, []), opens, closes)
                month.open_minutes += open_minutes * unit.count
            day += timedelta(days=1)

    by_month = {month.first: month for month in months}
    booked = Booking.objects.filter(
        unit_id__in=unit_ids,
        kind=Booking.Kind.HOURLY,
        status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED],
        check_in__gte=start,
        check_in__lte=end,
    ).values_list("check_in", "starts_at", "ends_at")
    for check_in, starts_at, ends_at in booked:
        if starts_at is not None and ends_at is not None:  # hours have both (a CHECK)
            by_month[month_start(check_in)].booked_minutes += _minutes(starts_at, ends_at)

    open_total = sum(month.open_minutes for month in months)
    booked_total = sum(month.booked_minutes for month in months)
    return {
        "facility": facility.id,
        "from_month": f"{start:%Y-%m}",
        "to_month": f"{end:%Y-%m}",
        "hourly_units": len(units),
        "open_minutes": open_total,
        "booked_minutes": booked_total,
        "occupancy_percent": occupancy_percent(booked_total, open_total),
        "months": [
            {
                "month": f"{month.first:%Y-%m}",
                "active_members": month.members,
                "joined": month.joined,
                "left": month.left,
                "open_minutes": month.open_minutes,
                "booked_minutes": month.booked_minutes,
                "occupancy_percent": occupancy_percent(month.booked_minutes, month.open_minutes),
            }
            for month in months
        ],
    }
