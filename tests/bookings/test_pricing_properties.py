"""Property: whatever the base price, overrides and stay, the quote and the booking agree to the yen and
each night costs its override's price or the base price."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bookings.factories import LodgingUnitFactory, PriceOverrideFactory, day
from tests.bookings.helpers import QUOTES, book

pytestmark = pytest.mark.django_db


@st.composite
def priced_stays(draw):
    base = draw(st.integers(min_value=0, max_value=200_000))
    # Non-overlapping overrides: cut points in days 1..60, every other gap priced.
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=60), max_size=8)))
    overrides = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        overrides.append((start, end, draw(st.integers(min_value=0, max_value=200_000))))
    check_in = draw(st.integers(min_value=1, max_value=55))
    nights = draw(st.integers(min_value=1, max_value=10))
    return base, overrides, check_in, nights


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=priced_stays())
def test_quote_and_booking_agree_and_price_every_night(visitor_client, case):
    base, overrides, check_in, nights = case
    unit = LodgingUnitFactory(price_yen=base)
    for start, end, price in overrides:
        PriceOverrideFactory(unit=unit, start_date=day(start), end_date=day(end), price_yen=price)
    body = {
        "unit": unit.id,
        "check_in": day(check_in).isoformat(),
        "check_out": (day(check_in) + timedelta(days=nights)).isoformat(),
        "adults": 1,
    }

    quote = visitor_client.post(QUOTES, body, format="json").json()
    booking = book(visitor_client, body).json()

    expected = []
    for offset in range(check_in, check_in + nights):
        price = next((p for start, end, p in overrides if start <= offset <= end), base)
        expected.append({"date": day(offset).isoformat(), "price_yen": price})
    assert quote["lines"] == booking["lines"] == expected
    assert quote["total_yen"] == booking["total_yen"] == sum(line["price_yen"] for line in expected)
