"""Periodic payment work (Celery beat's `payments.expire_holds` and `manage.py expire_holds`): expiring unpaid
holds and settling their intents, resending refunds Stripe never acknowledged and re-reading those it left
pending."""

import logging
from datetime import timedelta

from django.utils import timezone

from bookings.models import Booking
from bookings.services import bookings_expire_holds
from notifications.models import Kind
from notifications.services import notify

from . import stripe_gateway as gateway
from .models import Payment, Refund
from .services import payment_intent_cancel, refund_send, refund_sync

logger = logging.getLogger(__name__)


def payments_expire_holds(*, now=None) -> int:
    """Releases the units of bookings whose hold expired, cancels their intents so the card cannot be
    charged later, resends refunds Stripe did not acknowledge and re-reads those it left pending.
    Returns how many holds expired."""
    expired = bookings_expire_holds(now=now)
    holds_expiring_notify(now=now)
    stale = Payment.objects.filter(
        provider=Payment.Provider.STRIPE,
        status=Payment.Status.PENDING,
        booking__status=Booking.Status.CANCELLED,
    )
    # No intent id: the process stopped between recording the payment and hearing back from Stripe.
    # The app never got a client secret, so nothing can be charged; the payment will never be paid.
    stale.filter(stripe_payment_intent_id="").update(status=Payment.Status.CANCELLED)
    for payment in list(stale.exclude(stripe_payment_intent_id="")):
        try:
            payment_intent_cancel(payment)
        except Exception:
            # One payment that cannot be settled must not keep the others (or the refunds) waiting.
            logger.exception("Settling the expired payment %s failed", payment.pk)
    refunds_retry_unsent()
    refunds_follow_up()
    return expired


def holds_expiring_notify(*, now=None) -> None:
    """Tells each visitor whose unpaid hold ends within 5 minutes, once (the sweep runs every minute)."""
    now = now or timezone.now()
    ending = Booking.objects.filter(
        status=Booking.Status.PENDING, hold_expires_at__gt=now, hold_expires_at__lte=now + timedelta(minutes=5)
    )
    for booking_id, visitor_id in ending.values_list("id", "visitor_id"):
        notify(user_id=visitor_id, kind=Kind.HOLD_EXPIRING, object_id=booking_id, once=True)


def refunds_retry_unsent() -> int:
    """Resends refunds Stripe never acknowledged (it was unreachable when they were made)."""
    unsent = list(Refund.objects.filter(status=Refund.Status.PENDING, stripe_refund_id="").select_related("payment"))
    for refund in unsent:
        try:
            refund_send(refund)
        except Exception:
            # One refund that cannot be sent must not hold back the others.
            logger.exception("Resending refund %s failed", refund.pk)
    return len(unsent)


def refunds_follow_up() -> int:
    """Re-reads refunds Stripe answered as pending, in case their refund.updated event never arrives."""
    pending = list(
        Refund.objects.filter(status=Refund.Status.PENDING)
        .exclude(stripe_refund_id="")
        .values_list("stripe_refund_id", flat=True)
    )
    for refund_id in pending:
        try:
            result = gateway.refund_retrieve(refund_id)
            if result is not None:
                refund_sync(result=result)
        except gateway.StripeUnavailable:
            logger.warning("Could not re-read refund %s yet", refund_id)
        except Exception:
            logger.exception("Following up refund %s failed", refund_id)
    return len(pending)
