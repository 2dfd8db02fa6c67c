"""Units booked by the hour: opening hours, the grid, the 15-minute slots whose stock rows hold the capacity, and a
day's free intervals. Pure rules over datetimes in Asia/Tokyo; stays.py checks and prices an hourly request with
them, services.py locks the slots they name."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from facilities.models import Unit
from facilities.opening_hours import QUARTER, weekday_minutes

TOKYO = ZoneInfo("Asia/Tokyo")
# One stock row per unit and 15 minutes: every grid a unit may have (Unit.SLOT_MINUTES) is a multiple of it, so a
# change of grid never leaves two bookings overlapping on rows neither of them holds.
STOCK_MINUTES = QUARTER
STOCK_STEP = timedelta(minutes=STOCK_MINUTES)


def local(moment: datetime) -> datetime:
    return moment.astimezone(TOKYO)


def at(day: date, minutes: int) -> datetime:
    """`minutes` after midnight of `day` in Japan time (1440: the next midnight)."""
    return datetime.combine(day, time(0), TOKYO) + timedelta(minutes=minutes)


def minute_of_day(moment: datetime) -> int:
    moment = local(moment)
    return moment.hour * 60 + moment.minute


def on_grid(moment: datetime, grid_minutes: int) -> bool:
    moment = local(moment)
    return moment.second == 0 and moment.microsecond == 0 and minute_of_day(moment) % grid_minutes == 0


def opening(unit: Unit, day: date) -> tuple[datetime, datetime] | None:
    """When the unit opens and closes on `day`, or None when it is closed that weekday."""
    minutes = weekday_minutes(unit.opening_hours, day.weekday())
    return None if minutes is None else (at(day, minutes[0]), at(day, minutes[1]))


def slots(starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """The start of every stock slot of [starts_at, ends_at), in time order (the lock's order)."""
    out, moment = [], local(starts_at)
    while moment < ends_at:
        out.append(moment)
        moment += STOCK_STEP
    return out


def interval_text(starts_at: datetime, ends_at: datetime) -> str:
    """ "2026-12-17 10:00–11:00" (Japan time), for messages."""
    start, end = local(starts_at), local(ends_at)
    last = "24:00" if end.date() > start.date() and end.time() == time(0) else end.strftime("%H:%M")
    return f"{start.date().isoformat()} {start.strftime('%H:%M')}–{last}"


def price(*, rate_per_hour: int, minutes: int, day_cap_yen: int | None) -> int:
    """An hourly booking's price: the hour's rate for each minute (rounded down to the yen), at most the day cap."""
    total = rate_per_hour * minutes // 60
    return min(total, day_cap_yen) if day_cap_yen is not None else total


def free_intervals(
    *, unit_count: int, opens: datetime, closes: datetime, not_before: datetime, taken: dict, closed: list
) -> list[dict]:
    """A day's free intervals: from opening to closing, each stock slot not closed (`closed`: (start, end) pairs)
    and not started before `not_before`, with its free units (`taken`: per slot start); runs of slots with the
    same number free make one interval."""
    intervals: list[dict] = []
    for slot in slots(opens, closes):
        end = slot + STOCK_STEP
        if slot < not_before or any(start < end and slot < stop for start, stop in closed):
            continue
        free = max(unit_count - taken.get(slot, 0), 0)
        if free < 1:
            continue
        last = intervals[-1] if intervals else None
        if last is not None and last["ends_at"] == slot and last["free"] == free:
            last["ends_at"] = end
        else:
            intervals.append({"starts_at": slot, "ends_at": end, "free": free})
    return intervals
