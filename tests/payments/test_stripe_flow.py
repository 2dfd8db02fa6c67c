"""Paying a booking by card: the PaymentIntent, and what each (re-read) Stripe state does to the booking."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking, UnitStock
from payments.models import Payment, Refund, WebhookEvent
from payments.serializers import PaymentSerializer
from tests.payments.factories import HeldBookingFactory
from tests.payments.helpers import deliver, payment_start

pytestmark = pytest.mark.django_db


def seen_by_visitor(booking) -> dict:
    """The booking's status and payment as the booking endpoints show them."""
    booking = Booking.objects.get(pk=booking.pk)
    return {
        "status": booking.status,
        "cancel_code": booking.cancel_code,
        "payment": dict(PaymentSerializer(Payment.objects.get(booking=booking)).data),
    }


def taken(booking) -> list[int]:
    return list(UnitStock.objects.filter(unit=booking.unit).order_by("date").values_list("taken", flat=True))


@pytest.fixture
def started(fake_stripe):
    booking = HeldBookingFactory(unit__price_yen=9000)
    payment = payment_start(booking=booking)
    return booking, fake_stripe.intents[payment.stripe_payment_intent_id]


def test_without_stripe_keys_the_booking_is_paid_on_site_and_confirmed_at_once(settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    booking = HeldBookingFactory()

    payment_start(booking=booking)

    seen = seen_by_visitor(booking)
    assert seen["status"] == "confirmed"
    assert seen["payment"]["provider"] == "onsite"
    assert seen["payment"]["status"] == "pay_on_site"
    assert seen["payment"]["client_secret"] == ""


def test_one_stripe_key_alone_still_means_on_site(settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", ""

    payment = payment_start(booking=HeldBookingFactory())

    assert payment.provider == "onsite"


def test_stripe_intent_is_in_whole_yen_with_the_booking_id_and_a_booking_idempotency_key(fake_stripe):
    booking = HeldBookingFactory(unit__price_yen=9000)

    payment_start(booking=booking)

    method, path, params = fake_stripe.requests[0]
    assert (method, path) == ("POST", "/v1/payment_intents")
    assert params["amount"] == "18000" and params["currency"] == "jpy"
    assert params["metadata"] == {"booking_id": str(booking.pk)}
    payment = Payment.objects.get(booking=booking)
    key = f"booking-{booking.pk}-pi-{payment.idempotency_uuid.hex}"
    assert fake_stripe.sent_keys == [("POST", "/v1/payment_intents", key)]
    seen = seen_by_visitor(booking)
    intent = next(iter(fake_stripe.intents.values()))
    assert seen["status"] == "pending"
    assert seen["payment"] == {
        "provider": "stripe",
        "status": "pending",
        "amount_yen": 18000,
        "refunded_yen": 0,
        "client_secret": intent["client_secret"],
        "refunds": [],
    }
    assert taken(booking) == [1, 1]


def test_intent_retried_after_a_stripe_500_is_sent_under_the_same_key(fake_stripe):
    booking = HeldBookingFactory(unit__price_yen=9000)
    fake_stripe.server_errors = 1

    payment = payment_start(booking=booking)

    key = f"booking-{booking.pk}-pi-{payment.idempotency_uuid.hex}"
    assert fake_stripe.sent_keys == [("POST", "/v1/payment_intents", key)] * 2
    assert len(fake_stripe.intents) == 1
    intent = fake_stripe.intents[payment.stripe_payment_intent_id]
    assert seen_by_visitor(booking)["payment"]["client_secret"] == intent["client_secret"]


def test_payment_keys_differ_between_payments_even_for_the_same_booking_id(fake_stripe):
    """After a database reset ids start again; the key must not replay the old database's intent."""
    first = HeldBookingFactory()
    payment_start(booking=first)
    first_key = fake_stripe.sent_keys[-1][2]
    Payment.objects.filter(booking=first).delete()

    payment_start(booking=Booking.objects.get(pk=first.pk))

    assert fake_stripe.sent_keys[-1][2] != first_key
    assert len(fake_stripe.intents) == 2


def test_stripe_unreachable_when_booking_releases_the_units_with_a_503(fake_stripe):
    from payments.errors import PaymentUnavailable

    fake_stripe.down = True
    booking = HeldBookingFactory()

    with pytest.raises(PaymentUnavailable) as raised:
        payment_start(booking=booking)

    assert raised.value.status_code == 503 and raised.value.code == "payment_unavailable"
    assert raised.value.headers["Retry-After"].isdigit()
    assert seen_by_visitor(booking)["status"] == "cancelled"
    assert seen_by_visitor(booking)["payment"]["status"] == "failed"
    assert taken(booking) == [0, 0]


def test_succeeded_webhook_confirms_the_booking(api_client, fake_stripe, started):
    booking, intent = started
    fake_stripe.pay(intent["id"])

    response = deliver(api_client, "payment_intent.succeeded", intent)

    assert response.status_code == 200
    seen = seen_by_visitor(booking)
    assert seen["status"] == "confirmed"
    assert seen["payment"]["status"] == "succeeded"
    assert taken(booking) == [1, 1]


def test_failed_payment_releases_the_units_and_cancels_the_intent(api_client, fake_stripe, started):
    booking, intent = started
    fake_stripe.decline(intent["id"])

    response = deliver(api_client, "payment_intent.payment_failed", intent)

    assert response.status_code == 200
    seen = seen_by_visitor(booking)
    assert (seen["status"], seen["cancel_code"], seen["payment"]["status"]) == ("cancelled", "payment_failed", "failed")
    assert taken(booking) == [0, 0]
    assert fake_stripe.intents[intent["id"]]["status"] == "canceled"


def test_canceled_intent_releases_the_units(api_client, fake_stripe, started):
    booking, intent = started
    fake_stripe.intents[intent["id"]]["status"] = "canceled"

    deliver(api_client, "payment_intent.canceled", intent)

    seen = seen_by_visitor(booking)
    assert (seen["status"], seen["payment"]["status"]) == ("cancelled", "cancelled")
    assert taken(booking) == [0, 0]


def test_a_stale_failure_payload_does_not_release_a_paid_booking(api_client, fake_stripe, started):
    """The card was declined, the visitor paid with another card; Stripe delivers the events in reverse."""
    booking, intent = started
    declined = dict(fake_stripe.decline(intent["id"]))
    paid = dict(fake_stripe.pay(intent["id"]))

    assert deliver(api_client, "payment_intent.succeeded", paid).status_code == 200
    assert deliver(api_client, "payment_intent.payment_failed", declined).status_code == 200

    seen = seen_by_visitor(booking)
    assert (seen["status"], seen["payment"]["status"]) == ("confirmed", "succeeded")
    assert taken(booking) == [1, 1]


def test_failure_delivered_before_success_still_ends_confirmed(api_client, fake_stripe, started):
    booking, intent = started
    declined = dict(fake_stripe.decline(intent["id"]))
    paid = dict(fake_stripe.pay(intent["id"]))

    deliver(api_client, "payment_intent.payment_failed", declined)
    deliver(api_client, "payment_intent.succeeded", paid)

    assert seen_by_visitor(booking)["status"] == "confirmed"


def test_a_replayed_event_is_a_no_op(api_client, fake_stripe, started):
    booking, intent = started
    fake_stripe.pay(intent["id"])
    assert deliver(api_client, "payment_intent.succeeded", intent, event_id="evt_once").status_code == 200
    requests_before = len(fake_stripe.requests)
    # Had it been handled again, the now-cancelled booking would be refunded.
    Booking.objects.filter(pk=booking.pk).update(status="cancelled", cancel_code="visitor")
    Payment.objects.filter(booking=booking).update(status="pending")

    response = deliver(api_client, "payment_intent.succeeded", intent, event_id="evt_once")

    assert response.status_code == 200
    assert len(fake_stripe.requests) == requests_before
    assert WebhookEvent.objects.filter(event_id="evt_once").count() == 1
    assert Refund.objects.count() == 0


def test_payment_after_the_hold_expired_is_confirmed_when_the_units_are_still_free(api_client, fake_stripe, started):
    booking, intent = started
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    fake_stripe.down = True  # the expiry cannot cancel the intent: the visitor is paying at that moment
    call_command("expire_holds")
    fake_stripe.down = False
    assert seen_by_visitor(booking)["status"] == "cancelled"
    assert taken(booking) == [0, 0]
    fake_stripe.pay(intent["id"])

    deliver(api_client, "payment_intent.succeeded", intent)

    seen = seen_by_visitor(booking)
    assert (seen["status"], seen["payment"]["status"], seen["payment"]["refunded_yen"]) == ("confirmed", "succeeded", 0)
    assert taken(booking) == [1, 1]


def test_payment_after_the_hold_expired_is_refunded_in_full_when_the_units_were_taken(api_client, fake_stripe, started):
    booking, intent = started
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    fake_stripe.down = True
    call_command("expire_holds")
    fake_stripe.down = False
    HeldBookingFactory(unit=booking.unit, check_in=booking.check_in, check_out=booking.check_out, status="confirmed")
    fake_stripe.pay(intent["id"])

    deliver(api_client, "payment_intent.succeeded", intent)

    seen = seen_by_visitor(booking)
    assert seen["status"] == "cancelled"
    assert seen["payment"]["status"] == "succeeded"
    assert seen["payment"]["refunded_yen"] == 18000
    assert [(r["amount_yen"], r["status"]) for r in seen["payment"]["refunds"]] == [(18000, "succeeded")]
    assert [r["amount"] for r in fake_stripe.refunds_of(intent["id"])] == [18000]
    assert taken(booking) == [1, 1]


def test_expiry_releases_the_units_and_cancels_the_intent_so_the_card_cannot_be_charged(fake_stripe, started):
    booking, intent = started
    fresh = HeldBookingFactory()
    payment_start(booking=fresh)
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - dt.timedelta(seconds=1))

    call_command("expire_holds")

    seen = seen_by_visitor(booking)
    assert (seen["status"], seen["cancel_code"], seen["payment"]["status"]) == (
        "cancelled",
        "hold_expired",
        "cancelled",
    )
    assert fake_stripe.intents[intent["id"]]["status"] == "canceled"
    assert taken(booking) == [0, 0]
    assert seen_by_visitor(fresh)["status"] == "pending"


def test_expiry_finding_the_intent_already_paid_confirms_instead(fake_stripe, started):
    """The visitor paid seconds before expiry and the webhook has not arrived yet."""
    booking, intent = started
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - dt.timedelta(seconds=1))
    fake_stripe.pay(intent["id"])

    call_command("expire_holds")

    assert seen_by_visitor(booking)["status"] == "confirmed"
    assert seen_by_visitor(booking)["payment"]["status"] == "succeeded"


def test_the_periodic_task_runs_the_expiry(fake_stripe, started):
    from payments.tasks import expire_holds

    booking, _ = started
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert expire_holds.apply().get() == 1
    assert seen_by_visitor(booking)["status"] == "cancelled"


def test_beat_schedule_runs_the_expiry_every_minute():
    from backend.celery import app
    from payments.tasks import expire_holds

    entry = app.conf.beat_schedule["expire-booking-holds"]
    assert entry["task"] == expire_holds.name and entry["schedule"] == 60.0
