"""Fixtures for payment tests: Stripe configured, its HTTP API replaced by an in-process fake."""

import pytest

from payments import stripe_gateway
from tests.payments.fake_stripe import FakeStripe

WEBHOOK_SECRET = "whsec_test_otameshi"


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_otameshi"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripe()
    monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", fake)
    return fake
