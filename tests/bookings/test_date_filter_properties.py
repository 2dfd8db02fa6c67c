"""Property: the search's SQL date filter (units open and not sold out on every date) says yes exactly when the
Python availability check that quotes, bookings and calendars run (bookings.stays.check_available) passes, whatever the stock rows (bookings and calendar
import blocks both take stock), the unit's count (which may have changed since a row was made) and closures."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import stays
from bookings.errors import UnitClosed, UnitUnavailable
from bookings.models import Booking, UnitStock
from facilities.models import Unit
from tests.bookings.factories import ClosureFactory, LodgingUnitFactory, day

pytestmark = pytest.mark.django_db

DAYS = 12


@st.composite
def calendars(draw):
    count = draw(st.integers(min_value=1, max_value=3))
    stock = {}
    for offset in draw(st.sets(st.integers(min_value=1, max_value=DAYS), max_size=DAYS)):
        # The row's total is the count when it was made, which may differ from the count now.
        total = draw(st.integers(min_value=1, max_value=4))
        stock[offset] = (total, draw(st.integers(min_value=0, max_value=total)))
    closures = [
        tuple(sorted(draw(st.tuples(st.integers(1, DAYS), st.integers(1, DAYS)))))
        for _ in range(draw(st.integers(min_value=0, max_value=2)))
    ]
    first = draw(st.integers(min_value=1, max_value=DAYS))
    last = draw(st.integers(min_value=first, max_value=DAYS))
    return count, stock, closures, first, last


def python_check_passes(unit: Unit, first: int, last: int) -> bool:
    stay = stays.BookingRequest(
        unit=unit,
        kind=Booking.Kind.STAY,
        check_in=day(first),
        check_out=day(last + 1),
        dates=tuple(day(n) for n in range(first, last + 1)),
        adults=1,
        children=0,
        infants=0,
    )
    answers = set()
    # Quotes and calendars check without locks, bookings under the stock lock (this test's transaction): one rule.
    for locked in (False, True):
        try:
            stays.check_available(stay, locked=locked)
        except (UnitClosed, UnitUnavailable):
            answers.add(False)
        else:
            answers.add(True)
    assert len(answers) == 1
    return answers.pop()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=calendars())
def test_the_sql_date_filter_agrees_with_the_python_check(case):
    count, stock, closures, first, last = case
    with transaction.atomic():
        unit = LodgingUnitFactory(count=count)
        UnitStock.objects.bulk_create(
            [
                UnitStock(unit=unit, date=day(offset), total=total, taken=taken)
                for offset, (total, taken) in stock.items()
            ]
        )
        for start, end in closures:
            ClosureFactory(unit=unit, start_date=day(start), end_date=day(end))

        in_sql = stays.units_open_and_free(
            units=Unit.objects.filter(pk=unit.pk), first_day=day(first), last_day=day(last)
        ).exists()

        assert in_sql == python_check_passes(unit, first, last), (count, stock, closures, first, last)
        transaction.set_rollback(True)


def test_a_unit_whose_count_grew_is_found_on_a_date_its_old_stock_row_calls_full():
    unit = LodgingUnitFactory(count=2)
    UnitStock.objects.create(unit=unit, date=day(3), total=1, taken=1)

    found = stays.units_open_and_free(units=Unit.objects.filter(pk=unit.pk), first_day=day(3), last_day=day(3))

    assert list(found) == [unit]
    assert python_check_passes(unit, 3, 3)


def test_a_unit_whose_count_shrank_is_not_found_where_it_is_now_full():
    unit = LodgingUnitFactory(count=1)
    UnitStock.objects.create(unit=unit, date=day(3), total=2, taken=1)

    found = stays.units_open_and_free(units=Unit.objects.filter(pk=unit.pk), first_day=day(3), last_day=day(3))

    assert list(found) == []
    assert not python_check_passes(unit, 3, 3)
