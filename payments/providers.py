"""Which payment provider is in use: Stripe when both of its keys are configured, otherwise on site."""

from django.conf import settings

from .models import Payment


def provider_active() -> str:
    # Read at call time so that configuration (and tests) can switch providers without a restart.
    if settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET:
        return Payment.Provider.STRIPE
    return Payment.Provider.ONSITE
