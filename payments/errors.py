"""Errors of the payments area, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError, ServiceUnavailable


class PaymentUnavailable(ServiceUnavailable):
    # Stripe's outage, not the API user's mistake: 503 with Retry-After. The booking was released (and its
    # Idempotency-Key forgotten), so retrying the same request books again.
    code = "payment_unavailable"
    default_message = _(
        "Card payment is not available right now, so the booking was not kept. Please try again in a few minutes."
    )


class WebhookSignatureInvalid(DomainError):
    status_code = 400
    code = "webhook_signature_invalid"
    default_message = _("The Stripe-Signature header does not match the request body.")


class WebhookEventInvalid(DomainError):
    status_code = 400
    code = "webhook_event_invalid"
    default_message = _("The webhook body is not a Stripe event this service can read.")


class PaymentNotCollectable(DomainError):
    status_code = 409
    code = "payment_not_on_site"
    other_codes = ("payment_already_collected", "booking_not_collectable")
    default_message = _("This booking is not paid at the facility: there is nothing to collect.")


ALREADY_COLLECTED = _("The payment has already been collected.")
NOT_COLLECTABLE = _("A cancelled booking, or one still waiting for its payment, cannot be marked as paid.")
