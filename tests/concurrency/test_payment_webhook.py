"""The same Stripe event delivered twice at the same moment is handled once."""

from functools import partial

import pytest
import requests

from payments import services, webhooks
from payments.models import WebhookEvent
from tests.concurrency.conftest import REQUEST_SECONDS, RaceBarrier, race
from tests.payments.conftest import fake_stripe  # noqa: F401  (the fixture, shared with tests/payments)
from tests.payments.factories import HeldBookingFactory
from tests.payments.fake_stripe import event, signature
from tests.payments.helpers import payment_start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race_same_event(live_server, fake_stripe, monkeypatch) -> int:
    """Delivers one event twice at once; returns how many times it was handled."""
    from tests.payments.conftest import WEBHOOK_SECRET

    booking = HeldBookingFactory()
    intent = fake_stripe.pay(payment_start(booking=booking).stripe_payment_intent_id)
    handled = []
    real_sync = services.payment_sync_locked
    monkeypatch.setattr(services, "payment_sync_locked", lambda intent: handled.append(1) or real_sync(intent))
    # Both deliveries pass the cheap "seen before?" check before either writes anything.
    fake_stripe.retrieve_barrier = RaceBarrier(2, name="the retrieve of the intent")
    payload = event("payment_intent.succeeded", intent, "evt_twice")
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature(payload, WEBHOOK_SECRET)}
    url = f"{live_server.url}/api/v1/payments/stripe/webhook/"

    deliver = partial(requests.post, url, data=payload, headers=headers, timeout=REQUEST_SECONDS)
    statuses = [response.status_code for response in race([deliver, deliver])]

    assert statuses == [200, 200]
    assert WebhookEvent.objects.filter(event_id="evt_twice").count() == 1
    return len(handled)


def test_an_event_delivered_twice_at_once_is_handled_once(live_server, fake_stripe, monkeypatch):
    assert race_same_event(live_server, fake_stripe, monkeypatch) == 1


def test_control_without_the_unique_event_row_both_deliveries_are_handled(live_server, fake_stripe, monkeypatch):
    """Proves the race is real: with the check-before-handling alone, both deliveries act."""
    real_record = webhooks._event_record

    def record_without_guard(event):
        real_record(event)
        return True

    monkeypatch.setattr(webhooks, "_event_record", record_without_guard)

    assert race_same_event(live_server, fake_stripe, monkeypatch) == 2
