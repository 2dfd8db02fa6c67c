"""The audit trail of bookings paid by card: the payment confirms or releases, and the trail says so."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking
from tests.bookings.factories import iso
from tests.bookings.helpers import book, trail
from tests.factories import UnitFactory
from tests.payments.helpers import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def card_booking(visitor_client, fake_stripe):
    house = UnitFactory(price_yen=9000)
    response = book(visitor_client, {"unit": house.id, "check_in": iso(20), "check_out": iso(22), "adults": 1})
    assert response.status_code == 201 and response.json()["status"] == "pending"
    booking = Booking.objects.get(pk=response.json()["id"])
    return booking, fake_stripe.intents[booking.payment.stripe_payment_intent_id]


def test_a_card_payment_confirms_with_its_event(card_booking, fake_stripe, api_client, visitor_client):
    booking, intent = card_booking
    deliver(api_client, "payment_intent.succeeded", fake_stripe.pay(intent["id"]))

    assert trail(visitor_client, booking.pk)[1:] == [("confirmed", "pending", "confirmed", None, "payment_succeeded")]


def test_a_declined_card_releases_with_its_event(card_booking, fake_stripe, api_client, visitor_client):
    booking, intent = card_booking
    deliver(api_client, "payment_intent.payment_failed", fake_stripe.decline(intent["id"]))

    assert trail(visitor_client, booking.pk)[1:] == [("released", "pending", "cancelled", None, "payment_failed")]


def test_an_expired_hold_and_a_late_payment_are_both_recorded(card_booking, fake_stripe, api_client, visitor_client):
    booking, intent = card_booking
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("expire_holds")
    deliver(api_client, "payment_intent.succeeded", fake_stripe.pay(intent["id"]))

    assert trail(visitor_client, booking.pk)[1:] == [
        ("expired", "pending", "cancelled", None, "hold_expired"),
        ("confirmed", "cancelled", "confirmed", None, "payment_succeeded"),
    ]
