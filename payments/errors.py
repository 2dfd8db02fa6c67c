"""Errors of the payments area, each with a stable code."""
from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError


class PaymentUnavailable(DomainError):
    # 409 rather than 5xx: the API user gets a clear answer (the booking was released) and can retry.
    status_code = 409
    code = "payment_unavailable"
    default_message = _(
        "Card payment is not available right now, so the booking was not kept. Please try again in a few minutes."
    )


class WebhookSignatureInvalid(DomainError):
    status_code = 400
    code = "webhook_signature_invalid"
    default_message = _("The Stripe-Signature header does not match the request body.")
