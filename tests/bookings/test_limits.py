"""Hard bounds of a stay whatever a unit's own rules allow: at most 366 nights or days, and a total no larger
than one booking may cost. Quote and booking refuse the same way (400 naming the field), nothing is held,
and no total ever reaches the database as an out-of-range integer."""

import pytest

from bookings import stays
from bookings.models import Booking, PriceOverride
from tests.bookings.factories import PriceOverrideFactory, day, iso
from tests.bookings.helpers import BOOKINGS, QUOTES, error, taken
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def both(client, body):
    """The quote's and the booking's answers to the same body."""
    return [client.post(url, body, format="json") for url in (QUOTES, BOOKINGS)]


def assert_refused_by_both(client, unit, body, code, field):
    for response in both(client, body):
        assert response.status_code == 400, response.content
        assert error(response)["code"] == code
        assert list(error(response)["fields"]) == [field]
    assert Booking.objects.filter(unit=unit).count() == 0
    assert taken(unit) == 0


def test_a_total_above_the_limit_is_refused_by_quote_and_booking(house, visitor_client):
    house.price_yen = 2_000_000_000
    house.save()
    body = {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1}

    assert_refused_by_both(visitor_client, house, body, "total_too_large", "check_out")
    message = error(visitor_client.post(QUOTES, body, format="json"))["fields"]["check_out"][0]
    assert "4,000,000,000" in message and "99,999,999" in message


def test_the_limit_is_explained_in_english_too(house, visitor):
    house.price_yen = 2_000_000_000
    house.save()
    body = {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1}

    response = client_for(visitor, "en").post(QUOTES, body, format="json")

    assert error(response)["message"] == (
        "This booking would cost 4,000,000,000 yen; one booking may cost at most 99,999,999 yen."
    )


def test_a_stay_of_699_nights_is_refused_whatever_the_units_max_nights(house, visitor_client):
    house.max_nights = 700
    house.booking_window_days = 1000
    house.save()
    PriceOverrideFactory(unit=house, start_date=day(1), end_date=day(720), price_yen=10_000_000)
    body = {"unit": house.id, "check_in": iso(1), "check_out": iso(700), "adults": 1}

    assert_refused_by_both(visitor_client, house, body, "too_many_nights", "check_out")
    assert "366" in error(visitor_client.post(QUOTES, body, format="json"))["message"]


def test_a_stay_of_366_nights_is_still_allowed(house, visitor_client):
    house.max_nights = 700
    house.booking_window_days = 1000
    house.save()
    body = {"unit": house.id, "check_in": iso(1), "check_out": iso(367), "adults": 1}

    quote, booking = both(visitor_client, body)

    assert quote.status_code == 200 and booking.status_code == 201, booking.content
    assert quote.json()["total_yen"] == booking.json()["total_yen"] == 366 * 9000
    assert len(booking.json()["lines"]) == 366


def test_day_passes_over_the_total_limit_are_refused_on_dates(desks, visitor_client):
    PriceOverrideFactory(unit=desks, start_date=day(1), end_date=day(20), price_yen=10_000_000)
    desks.max_nights = 30
    desks.save()
    body = {"unit": desks.id, "dates": [iso(n) for n in range(1, 11)], "adults": 1}

    assert_refused_by_both(visitor_client, desks, body, "total_too_large", "dates")


def test_a_total_exactly_at_the_limit_books(house, visitor_client):
    house.price_yen = stays.MAX_TOTAL_YEN
    house.save()
    body = {"unit": house.id, "check_in": iso(10), "check_out": iso(11), "adults": 1}

    quote, booking = both(visitor_client, body)

    assert quote.status_code == 200 and booking.status_code == 201, booking.content
    assert quote.json()["total_yen"] == booking.json()["total_yen"] == 99_999_999


def test_a_price_raised_while_booking_is_checked_again_under_the_lock(house, visitor_client, monkeypatch):
    """The stay is priced when checked and again once its stock rows are locked; the second pricing counts."""
    override = PriceOverrideFactory(unit=house, start_date=day(10), end_date=day(11), price_yen=10_000)
    original = stays.stay_resolve

    def raise_price_meanwhile(**kwargs):
        stay = original(**kwargs)
        PriceOverride.objects.filter(pk=override.pk).update(price_yen=60_000_000)
        return stay

    monkeypatch.setattr(stays, "stay_resolve", raise_price_meanwhile)

    response = visitor_client.post(
        BOOKINGS, {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1}, format="json"
    )

    assert response.status_code == 400 and error(response)["code"] == "total_too_large"
    assert Booking.objects.filter(unit=house).count() == 0
    assert taken(house) == 0


def test_booking_totals_are_64_bit_columns(house, visitor):
    """Defence in depth below the limit: a total beyond 2**31 fits the column on every database."""
    booking = Booking.objects.create(
        visitor=visitor,
        unit=house,
        kind="stay",
        check_in=day(10),
        check_out=day(12),
        total_yen=4_000_000_000,
        cancellation_fee_yen=3_000_000_000,
    )

    booking.refresh_from_db()
    assert (booking.total_yen, booking.cancellation_fee_yen) == (4_000_000_000, 3_000_000_000)
