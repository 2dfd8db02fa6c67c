"""Posting signed Stripe events to the webhook, as Stripe does."""

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
