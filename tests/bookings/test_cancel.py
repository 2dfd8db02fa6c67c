"""Cancelling: the visitor under the unit's policy, the operator with a reason, and the units freed."""

import pytest

from bookings.models import Booking
from tests.bookings.factories import day, iso
from tests.bookings.helpers import BOOKINGS, availability, book, error, taken
from tests.conftest import client_for
from tests.factories import OperatorFactory, VisitorFactory

pytestmark = pytest.mark.django_db


def make(client, unit, start, end):
    response = book(client, {"unit": unit.id, "check_in": iso(start), "check_out": iso(end), "adults": 2})
    assert response.status_code == 201, response.content
    return response.json()


def cancel(client, booking, reason=None):
    return client.post(
        f"{BOOKINGS}{booking['id']}/cancel/", {} if reason is None else {"reason": reason}, format="json"
    )


def test_visitor_cancels_free_until_the_policy_days_and_the_units_are_free_again(house, visitor_client, api_client):
    booking = make(visitor_client, house, 7, 9)  # free_cancellation_days = 7

    response = cancel(visitor_client, booking)

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["cancel_code"], body["cancellation_fee_yen"]) == ("cancelled", "visitor", 0)
    assert body["sequence"] == booking["sequence"] + 1
    assert availability(api_client, house, iso(7), iso(8))[iso(7)]["free"] == 1
    assert taken(house) == 0


def test_visitor_cancelling_late_pays_the_percentage(house, visitor_client):
    booking = make(visitor_client, house, 6, 9)  # 27,000 yen, 50 % kept inside 7 days

    body = cancel(visitor_client, booking).json()

    assert body["cancellation_fee_yen"] == 13500


def test_fee_is_rounded_down_to_the_yen(house, visitor_client):
    house.cancellation_fee_percent = 33
    house.price_yen = 1001
    house.save()
    booking = make(visitor_client, house, 2, 3)

    assert cancel(visitor_client, booking).json()["cancellation_fee_yen"] == 330


def test_operator_must_give_a_reason_and_refunds_in_full(house, visitor_client, operator_client):
    booking = make(visitor_client, house, 2, 4)

    refused = cancel(operator_client, booking, "  ")
    done = cancel(operator_client, booking, "水道管の故障のため")

    assert refused.status_code == 400 and error(refused)["code"] == "reason_required"
    assert "reason" in error(refused)["fields"]
    body = done.json()
    assert (body["status"], body["cancel_code"], body["cancel_reason"], body["cancellation_fee_yen"]) == (
        "cancelled",
        "operator",
        "水道管の故障のため",
        0,
    )
    assert visitor_client.get(f"{BOOKINGS}{booking['id']}/").json()["cancel_reason"] == "水道管の故障のため"


def test_cancelling_twice_is_a_409(house, visitor_client):
    booking = make(visitor_client, house, 10, 11)
    cancel(visitor_client, booking)

    response = cancel(visitor_client, booking)

    assert response.status_code == 409 and error(response)["code"] == "booking_not_cancellable"


def test_others_cannot_cancel(house, visitor_client, staff_client):
    booking = make(visitor_client, house, 10, 11)

    assert cancel(client_for(VisitorFactory()), booking).status_code == 404
    assert cancel(client_for(OperatorFactory()), booking, "x").status_code == 404
    assert cancel(staff_client, booking).status_code == 403
    assert visitor_client.get(f"{BOOKINGS}{booking['id']}/").json()["status"] == "confirmed"


@pytest.mark.parametrize("started", [0, -1], ids=["checking-in-today", "checked-in-yesterday"])
def test_a_visitor_cannot_cancel_once_the_stay_has_begun(house, visitor, visitor_client, started):
    booking = make(visitor_client, house, 0, 3)
    if started < 0:
        # The stay began yesterday: moved back with the database, as nobody can book the past.
        Booking.objects.filter(pk=booking["id"]).update(check_in=day(started), check_out=day(started + 3))

    japanese = cancel(visitor_client, booking)
    english = cancel(client_for(visitor, "en"), booking)

    assert japanese.status_code == english.status_code == 409
    assert error(japanese)["code"] == "booking_not_cancellable"
    assert error(japanese)["message"] == "滞在はすでに始まっています。変更は施設にお問い合わせください。"
    assert error(english)["message"] == "The stay has already begun; contact the facility to change it."
    seen = visitor_client.get(f"{BOOKINGS}{booking['id']}/").json()
    assert (seen["status"], seen["cancellation_fee_yen"], seen["sequence"]) == ("confirmed", 0, booking["sequence"])
    assert taken(house) == 3


def test_the_operator_may_still_cancel_a_stay_that_has_begun(house, visitor_client, operator_client):
    booking = make(visitor_client, house, 0, 2)

    response = cancel(operator_client, booking, "設備の故障のため")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert taken(house) == 0
