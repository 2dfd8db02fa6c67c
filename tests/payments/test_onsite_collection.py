"""Operators see who booked and mark an on-site payment as collected: once, in the audit trail, 409 otherwise."""

import pytest

from bookings.models import Booking
from tests.bookings.factories import LodgingUnitFactory, iso
from tests.bookings.helpers import book, trail
from tests.conftest import client_for
from tests.factories import OperatorFactory, StaffFactory

pytestmark = pytest.mark.django_db


def collect_url(booking_id) -> str:
    return f"/api/v1/bookings/{booking_id}/payment/collect/"


@pytest.fixture
def house(organisation):
    return LodgingUnitFactory(facility__operator=organisation, price_yen=9000)


@pytest.fixture
def booking(house, visitor, visitor_client):
    visitor.full_name, visitor.phone = "旅 花子", "090-1234-5678"
    visitor.save(update_fields=["full_name", "phone"])
    response = book(visitor_client, {"unit": house.id, "check_in": iso(20), "check_out": iso(22), "adults": 1})
    assert response.status_code == 201 and response.json()["payment"]["status"] == "pay_on_site"
    return response.json()


def test_the_operator_sees_the_guest_and_no_one_else_does(booking, visitor, operator_client, visitor_client):
    seen = operator_client.get(f"/api/v1/bookings/{booking['id']}/").json()
    assert seen["guest"] == {"name": "旅 花子", "email": visitor.email, "phone": "090-1234-5678"}
    listed = operator_client.get("/api/v1/bookings/").json()["results"]
    assert [row["guest"]["email"] for row in listed] == [visitor.email]

    assert visitor_client.get(f"/api/v1/bookings/{booking['id']}/").json()["guest"] is None
    town = StaffFactory(municipality=Booking.objects.get(pk=booking["id"]).unit.facility.municipality)
    assert client_for(town).get(f"/api/v1/bookings/{booking['id']}/").json()["guest"] is None


def test_collecting_marks_it_paid_once_with_its_event(booking, operator_user, operator_client, visitor_client):
    before = visitor_client.get(f"/api/v1/bookings/{booking['id']}/").json()

    response = operator_client.post(collect_url(booking["id"]))

    assert response.status_code == 200
    assert response.json()["payment"]["status"] == "succeeded" and response.json()["status"] == "confirmed"
    assert response.json()["updated_at"] > before["updated_at"]
    collected = ("collected", "confirmed", "confirmed", operator_user.id, "")
    assert trail(visitor_client, booking["id"])[-1] == collected

    again = operator_client.post(collect_url(booking["id"]))
    assert again.status_code == 409 and again.json()["error"]["code"] == "payment_already_collected"
    assert [event for event in trail(visitor_client, booking["id"]) if event[0] == "collected"] == [collected]


def test_a_cancelled_booking_cannot_be_collected(booking, operator_client, visitor_client):
    assert visitor_client.post(f"/api/v1/bookings/{booking['id']}/cancel/", {}, format="json").status_code == 200

    response = operator_client.post(collect_url(booking["id"]))

    assert response.status_code == 409 and response.json()["error"]["code"] == "booking_not_collectable"
    assert "collected" not in [event[0] for event in trail(visitor_client, booking["id"])]


def test_a_card_payment_is_not_collected_on_site(organisation, visitor_client, operator_client, fake_stripe):
    house = LodgingUnitFactory(facility__operator=organisation, price_yen=9000)
    response = book(visitor_client, {"unit": house.id, "check_in": iso(20), "check_out": iso(22), "adults": 1})
    assert response.json()["payment"]["provider"] == "stripe"

    refused = operator_client.post(collect_url(response.json()["id"]))

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "payment_not_on_site"
    assert Booking.objects.get(pk=response.json()["id"]).payment.status == "pending"


def test_only_the_facilitys_operator_collects(booking, visitor_client, api_client):
    other_operator = client_for(OperatorFactory())
    assert other_operator.post(collect_url(booking["id"])).status_code == 404
    assert visitor_client.post(collect_url(booking["id"])).status_code == 403
    assert api_client.post(collect_url(booking["id"])).status_code == 401
    assert Booking.objects.get(pk=booking["id"]).payment.status == "pay_on_site"
