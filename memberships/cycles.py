"""A membership's billing cycles, counted from its start date (as Cobot counts them): signed up on 18 March, the
first cycle covers 18 March to 17 April, the next 18 April to 17 May. Pure date arithmetic."""

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter (31 January + 1: 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def cycle_index(starts_on: date, day: date) -> int:
    """Which cycle `day` falls in (0: the first); -1 before the start. Each cycle starts on the start date's day
    of the month counted from the start date itself, so that short months never shift the later cycles."""
    if day < starts_on:
        return -1
    index = (day.year - starts_on.year) * 12 + day.month - starts_on.month
    while index > 0 and add_months(starts_on, index) > day:
        index -= 1
    while add_months(starts_on, index + 1) <= day:
        index += 1
    return index


def cycle_bounds(starts_on: date, index: int) -> tuple[date, date]:
    """The first and last day (both included) of cycle `index`."""
    return add_months(starts_on, index), add_months(starts_on, index + 1) - timedelta(days=1)


def notice_end(*, cancelled_on: date, notice_days: int) -> date:
    """The last day a membership cancelled on `cancelled_on` covers: `notice_days` later (14 days' notice, cancelled
    on 2 June: 16 June)."""
    return cancelled_on + timedelta(days=notice_days)
