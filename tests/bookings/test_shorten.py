"""Shortening a stay: the visitor gives up nights not yet begun under the unit's policy, the operator records an
early departure with a reason; the nights go back on sale and the total drops by their price."""

import pytest

from bookings.models import Booking
from tests.bookings.factories import CoworkingUnitFactory, day, iso
from tests.bookings.helpers import BOOKINGS, availability, book, error, taken, trail
from tests.conftest import client_for
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Moves the booking rules' today to `offset` days from the real one."""
    return lambda offset: monkeypatch.setattr("bookings.selectors.today", lambda: day(offset))


def make(client, unit, start, end) -> dict:
    response = book(client, {"unit": unit.id, "check_in": iso(start), "check_out": iso(end), "adults": 2})
    assert response.status_code == 201, response.content
    return response.json()


def shorten(client, booking, check_out, reason=None):
    body = {"check_out": check_out} if reason is None else {"check_out": check_out, "reason": reason}
    return client.post(f"{BOOKINGS}{booking['id']}/shorten/", body, format="json")


def test_the_visitor_gives_up_the_last_nights_free_before_the_policy_days(house, visitor_client, api_client):
    booking = make(visitor_client, house, 10, 14)  # 4 nights at 9,000 yen

    response = shorten(visitor_client, booking, iso(12))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["check_in"], body["check_out"], body["total_yen"], body["cancellation_fee_yen"]) == (
        iso(10),
        iso(12),
        18000,
        0,
    )
    assert body["status"] == "confirmed" and body["sequence"] == booking["sequence"] + 1
    days = availability(api_client, house, iso(10), iso(13))
    assert [days[iso(offset)]["free"] for offset in (10, 11, 12, 13)] == [0, 0, 1, 1]
    assert taken(house) == 2
    assert trail(visitor_client, booking["id"])[-1][0] == "changed"
    assert f"check_out {iso(14)} -> {iso(12)}" in trail(visitor_client, booking["id"])[-1][4]


def test_nights_given_up_inside_the_policy_days_keep_the_fee_on_them(house, visitor_client):
    booking = make(visitor_client, house, 3, 6)  # 27,000 yen; 50 % kept inside 7 days

    body = shorten(visitor_client, booking, iso(5)).json()

    assert (body["total_yen"], body["cancellation_fee_yen"]) == (18000, 4500)


def test_the_operator_records_an_early_departure_with_a_reason_and_no_fee(
    house, visitor_client, operator_client, clock
):
    booking = make(visitor_client, house, 1, 4)
    clock(2)  # the guest is staying: the second night has begun

    refused = shorten(operator_client, booking, iso(2), "  ")
    done = shorten(operator_client, booking, iso(2), "急用のため早期チェックアウト")

    assert refused.status_code == 400 and error(refused)["code"] == "reason_required"
    assert list(error(refused)["fields"]) == ["reason"]
    assert done.status_code == 200, done.content
    assert (done.json()["check_out"], done.json()["total_yen"], done.json()["cancellation_fee_yen"]) == (
        iso(2),
        9000,
        0,
    )
    assert trail(operator_client, booking["id"])[-1][4].endswith("急用のため早期チェックアウト")


@pytest.mark.parametrize(
    ("check_out", "code"),
    [(10, "invalid_check_out"), (14, "invalid_check_out"), (15, "invalid_check_out"), ("bad", None)],
)
def test_a_check_out_outside_the_stay_is_refused_on_its_field_and_changes_nothing(
    house, visitor_client, check_out, code
):
    booking = make(visitor_client, house, 10, 14)

    response = shorten(visitor_client, booking, iso(check_out) if isinstance(check_out, int) else check_out)

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["check_out"]
    if code:
        assert error(response)["code"] == code
    assert Booking.objects.get(pk=booking["id"]).total_yen == 36000 and taken(house) == 4


def test_the_visitor_keeps_the_minimum_stay_and_cannot_give_up_nights_begun(house, visitor_client, clock):
    house.min_nights = 2
    house.save()
    booking = make(visitor_client, house, 1, 5)

    too_short = shorten(client_for(booking_visitor(booking), "ja"), booking, iso(2))
    clock(3)
    begun = shorten(visitor_client, booking, iso(2))

    assert too_short.status_code == 400 and error(too_short)["code"] == "too_few_nights"
    assert "2" in error(too_short)["fields"]["check_out"][0]
    assert begun.status_code == 400 and error(begun)["code"] == "nights_already_begun"
    assert Booking.objects.get(pk=booking["id"]).check_out.isoformat() == iso(5)


def booking_visitor(booking):
    return Booking.objects.get(pk=booking["id"]).visitor


def test_only_a_confirmed_stay_of_nights_can_be_shortened(house, organisation, visitor_client):
    desks = CoworkingUnitFactory(facility__operator=organisation)
    passes = book(visitor_client, {"unit": desks.id, "dates": [iso(3), iso(4)], "adults": 1}).json()
    cancelled = make(visitor_client, house, 10, 13)
    assert visitor_client.post(f"{BOOKINGS}{cancelled['id']}/cancel/", {}, format="json").status_code == 200

    for booking in (passes, cancelled):
        response = shorten(visitor_client, booking, iso(4) if booking is passes else iso(11))
        assert response.status_code == 409 and error(response)["code"] == "booking_not_shortenable"


def test_another_visitor_cannot_see_the_booking_to_shorten_it(house, visitor_client):
    booking = make(visitor_client, house, 10, 12)

    response = shorten(client_for(VisitorFactory()), booking, iso(11))

    assert response.status_code == 404
    assert Booking.objects.get(pk=booking["id"]).check_out.isoformat() == iso(12)
