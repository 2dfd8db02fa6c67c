"""Posting signed Stripe events to the webhook, as Stripe does; starting the payment of a booking a test wrote."""

from django.db import transaction

from bookings.services import booking_confirm
from payments import services
from payments.models import Payment
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.fake_stripe import event, signature

WEBHOOK_URL = "/api/v1/payments/stripe/webhook/"


def deliver(client, event_type: str, obj: dict, *, event_id: str | None = None, secret: str = WEBHOOK_SECRET):
    payload = event(event_type, obj, event_id)
    return client.generic(
        "POST",
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(payload, secret),
    )


def payment_start(*, booking) -> Payment:
    """Starts the payment of a pending booking written by a factory, as booking creation does: in a transaction
    the payment is recorded (and, paid on site, the booking confirmed); by card the PaymentIntent is asked for
    after commit. Returns the payment."""
    with transaction.atomic():
        started = services.payment_open(booking=booking)
        started.record()
        if started.confirm_note:
            booking_confirm(booking=booking, note=started.confirm_note)
    if started.after_commit is not None:
        started.after_commit()
    return booking.payment
