"""The Stripe gateway module itself: one client per key, and no network in tests unless faked."""

import pytest

from facilities import geocoding
from payments import stripe_gateway
from tests.conftest import NetworkBlocked


def test_the_stripe_client_is_built_once_per_key(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_one"
    first = stripe_gateway._client()

    assert stripe_gateway._client() is first
    settings.STRIPE_SECRET_KEY = "sk_test_two"
    assert stripe_gateway._client() is not first


def test_without_the_fake_a_stripe_call_fails_instead_of_reaching_stripe(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_otameshi"

    with pytest.raises(NetworkBlocked):
        stripe_gateway.intent_retrieve("pi_anything")


def test_without_a_fake_adapter_geocoding_fails_instead_of_reaching_nominatim(settings):
    settings.GEOCODER_MIN_INTERVAL_SECONDS = 0

    with pytest.raises(NetworkBlocked):
        geocoding.geocode("長野県佐久市岩村田 1-1")
