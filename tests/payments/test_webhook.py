"""The Stripe webhook: only correctly signed bodies are accepted; each event acts once."""

import json
import time

import pytest
import stripe

from payments.models import WebhookEvent
from tests.payments.fake_stripe import event, signature
from tests.payments.helpers import WEBHOOK_URL, deliver

pytestmark = pytest.mark.django_db


def test_bad_signature_is_refused_with_400(api_client, fake_stripe):
    intent = fake_stripe.pay(fake_stripe._intent_create({"amount": "9000", "currency": "jpy"})["id"])

    response = deliver(api_client, "payment_intent.succeeded", intent, secret="whsec_someone_else")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_signature_invalid"
    assert WebhookEvent.objects.count() == 0


def test_body_changed_after_signing_is_refused(api_client, fake_stripe):
    payload = event("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"})
    header = signature(payload, "whsec_test_otameshi")
    tampered = payload.replace(b"pi_x", b"pi_y")

    response = api_client.generic(
        "POST", WEBHOOK_URL, tampered, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )

    assert response.status_code == 400


def test_correctly_signed_but_old_delivery_is_refused(api_client, fake_stripe):
    """A captured request replayed later: the signed timestamp is beyond Stripe's tolerance."""
    intent = fake_stripe.pay(fake_stripe._intent_create({"amount": "9000", "currency": "jpy"})["id"])
    payload = event("payment_intent.succeeded", intent)
    signed_long_ago = int(time.time()) - stripe.Webhook.DEFAULT_TOLERANCE - 3600

    response = api_client.generic(
        "POST",
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(payload, "whsec_test_otameshi", signed_long_ago),
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_signature_invalid"
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize(
    "body, header",
    [
        (b"", None),
        (b"not json at all", "t=1,v1=abc"),
        (json.dumps({"id": 1}).encode(), "garbage"),
        (b"\xff\xfe", "t=1,v1=abc"),
    ],
)
def test_anything_unsigned_is_400_never_500(api_client, fake_stripe, body, header):
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
    response = api_client.generic("POST", WEBHOOK_URL, body, content_type="application/json", **extra)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_signature_invalid"


def test_without_stripe_configured_even_an_empty_secret_signature_is_refused(api_client, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""

    response = deliver(api_client, "payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"}, secret="")

    assert response.status_code == 400


def test_event_for_an_intent_stripe_does_not_know_is_acknowledged_and_ignored(api_client, fake_stripe):
    response = deliver(api_client, "payment_intent.succeeded", {"id": "pi_unknown", "object": "payment_intent"})

    assert response.status_code == 200
    assert response.json() == {"received": True}


def test_event_types_we_do_not_handle_are_acknowledged(api_client, fake_stripe):
    response = deliver(api_client, "customer.created", {"id": "cus_1", "object": "customer"})

    assert response.status_code == 200


def test_stripe_unreachable_while_re_reading_asks_for_a_retry(api_client, fake_stripe):
    intent = fake_stripe._intent_create({"amount": "9000", "currency": "jpy"})
    fake_stripe.down = True

    response = deliver(api_client, "payment_intent.succeeded", intent, event_id="evt_retry")

    assert response.status_code == 503
    # Not recorded, so Stripe's next delivery is handled.
    assert not WebhookEvent.objects.filter(event_id="evt_retry").exists()


@pytest.mark.parametrize(
    "language, message",
    [
        (None, "Stripe-Signature ヘッダーがリクエスト本文と一致しません。"),
        ("en", "The Stripe-Signature header does not match the request body."),
    ],
)
def test_signature_error_is_translated(api_client, fake_stripe, language, message):
    extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}

    response = api_client.post(WEBHOOK_URL, {}, format="json", HTTP_STRIPE_SIGNATURE="t=1,v1=0", **extra)

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "webhook_signature_invalid", "message": message, "fields": {}}}
