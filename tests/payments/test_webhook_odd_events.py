"""Correctly signed webhook bodies that are no event this service can read or record: JSON nested past the
parser's stack, an event id with a NUL or longer than its column. Each is a 400 in the error shape, recording
nothing (on PostgreSQL, which refuses NUL bytes and long values, too)."""

import json

import pytest

from payments.models import WebhookEvent
from tests.payments.fake_stripe import event, signature
from tests.payments.helpers import WEBHOOK_SECRET, WEBHOOK_URL

pytestmark = pytest.mark.django_db


def post_signed(api_client, payload: bytes):
    return api_client.generic(
        "POST",
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(payload, WEBHOOK_SECRET),
        HTTP_ACCEPT_LANGUAGE="en",
    )


def refused(response) -> None:
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "webhook_event_invalid",
        "message": "The webhook body is not a Stripe event this service can read.",
        "fields": {},
    }
    assert WebhookEvent.objects.count() == 0


def test_a_signed_body_nested_past_the_parsers_stack_is_refused(api_client, fake_stripe):
    depth = 100_000
    payload = (
        '{"id": "evt_deep", "type": "payment_intent.succeeded", "data": {"object": ' + "[" * depth + "]" * depth + "}}"
    ).encode()

    refused(post_signed(api_client, payload))


@pytest.mark.parametrize("event_id", ["evt_\x00nul", "evt_" + "x" * 300], ids=["nul", "300-characters"])
def test_a_signed_event_whose_id_cannot_be_stored_is_refused(api_client, fake_stripe, event_id):
    payload = event("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"}, event_id)
    assert json.loads(payload)["id"] == event_id

    refused(post_signed(api_client, payload))


def test_a_signed_event_whose_object_id_has_a_nul_is_refused(api_client, fake_stripe):
    payload = event("payment_intent.succeeded", {"id": "pi_\x00x", "object": "payment_intent"}, "evt_ok")

    refused(post_signed(api_client, payload))
