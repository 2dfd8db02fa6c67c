"""The payment lifecycle of bookings: on site (no Stripe keys; the booking is confirmed at once) or by card through
Stripe (the booking holds its units until the PaymentIntent succeeds, fails or the hold expires), and refunds.
Stripe's webhooks are received in webhooks.py, the periodic jobs are in sweeps.py."""

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Sum

from backend.errors import Conflict
from bookings.errors import UnitClosed
from bookings.hooks import PaymentStarted
from bookings.models import Booking
from bookings.services import booking_confirm, booking_idempotency_forget, booking_payment_collected, booking_release

from . import stripe_gateway as gateway
from .errors import ALREADY_COLLECTED, NOT_COLLECTABLE, PaymentNotCollectable, PaymentUnavailable
from .models import Payment, Refund
from .providers import provider_active

logger = logging.getLogger(__name__)

# Stored on refunds the system issues by itself, shown to the visitor with the refund.
REASON_UNITS_TAKEN = "units_no_longer_available"
REASON_DATES_CLOSED = "dates_closed_by_facility"
REASON_CANCELLED_WHILE_PAYING = "booking_cancelled_before_payment"

# Stripe's smallest charge in yen; a smaller total is paid at the facility rather than refused by Stripe.
STRIPE_MINIMUM_YEN = 50


def _paid_on_site(booking) -> bool:
    # A free booking has nothing to charge, and Stripe refuses less than ¥50: it is paid on site.
    return provider_active() == Payment.Provider.ONSITE or booking.total_yen < STRIPE_MINIMUM_YEN


def _payment_record(booking, *, on_site: bool) -> Payment:
    payment = Payment.objects.create(
        booking=booking,
        provider=Payment.Provider.ONSITE if on_site else Payment.Provider.STRIPE,
        status=Payment.Status.PAY_ON_SITE if on_site else Payment.Status.PENDING,
        amount_yen=booking.total_yen,
    )
    booking.payment = payment
    return payment


def payment_open(*, booking) -> PaymentStarted:
    """Called inside a new booking's transaction, before the booking is written: how it is paid. On site, the
    booking is written confirmed; by card, it holds its units (pending) and the PaymentIntent is asked for once
    it has committed (Stripe unreachable: the booking is released and PaymentUnavailable raised). Either way
    the payment is recorded in the booking's transaction (`record`)."""
    on_site = _paid_on_site(booking)

    def record() -> None:
        payment = _payment_record(booking, on_site=on_site)
        # The booking's response shows the payment and its refunds (none, it is new) without reading them back.
        payment._prefetched_objects_cache = {"refunds": Refund.objects.none()}  # type: ignore[attr-defined]

    if on_site:
        return PaymentStarted(record=record, confirm_note=Payment.Status.PAY_ON_SITE)
    return PaymentStarted(record=record, after_commit=lambda: _intent_request(payment=booking.payment, booking=booking))


def _intent_request(*, payment: Payment, booking) -> None:
    """Asks Stripe for the payment's PaymentIntent; when Stripe cannot be reached or refuses, releases the
    booking and raises PaymentUnavailable."""
    try:
        intent = gateway.intent_create(
            amount_yen=booking.total_yen,
            booking_id=booking.pk,
            idempotency_key=_intent_key(payment),
        )
    except (gateway.StripeUnavailable, gateway.StripeRejected):
        logger.exception("Could not create the PaymentIntent of booking %s", booking.pk)
        with transaction.atomic():
            Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED)
            booking_release(booking=booking, cancel_code="payment_failed")
            # Forgotten with the booking, so that a retry under the same Idempotency-Key books again
            # instead of returning this released booking.
            booking_idempotency_forget(booking=booking)
        raise PaymentUnavailable() from None
    payment.stripe_payment_intent_id = intent.id
    payment.client_secret = intent.client_secret
    payment.save(update_fields=["stripe_payment_intent_id", "client_secret", "updated_at"])


def _intent_key(payment: Payment) -> str:
    # Rows from before the random part keep the key they were first sent with.
    suffix = f"-{payment.idempotency_uuid.hex}" if payment.idempotency_uuid else ""
    return f"booking-{payment.booking_id}-pi{suffix}"


def _refund_key(refund: Refund) -> str:
    suffix = f"-{refund.idempotency_uuid.hex}" if refund.idempotency_uuid else ""
    return f"refund-{refund.pk}{suffix}"


def payment_refund(*, booking, amount_yen: int, reason: str) -> None:
    """Called after a booking is cancelled with `amount_yen` owed back to the visitor. Nothing was taken
    for an on-site payment; an intent not paid yet is cancelled; a paid one is refunded through Stripe."""
    payment = Payment.objects.filter(booking=booking).first()
    if payment is None or payment.provider != Payment.Provider.STRIPE:
        return
    if payment.status == Payment.Status.PENDING:
        # Cancelling rather than refunding: nothing was charged. Should the payment have just
        # gone through, the sync sees a paid intent on a cancelled booking and refunds it in full.
        payment_intent_cancel(payment)
        return
    if payment.status == Payment.Status.SUCCEEDED and amount_yen > 0:
        refund_issue(payment=payment, amount_yen=amount_yen, reason=reason)


def refund_issue(*, payment: Payment, amount_yen: int, reason: str) -> Refund | None:
    """Records a refund of at most what is still refundable, then asks Stripe for it after commit."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        in_flight = (
            payment.refunds.filter(status=Refund.Status.PENDING, stripe_refund_id="").aggregate(
                total=Sum("amount_yen")
            )["total"]
            or 0
        )
        amount = min(amount_yen, payment.amount_yen - payment.refunded_yen - in_flight)
        if amount <= 0:
            return None
        refund = Refund.objects.create(payment=payment, amount_yen=amount, reason=reason[:200])
    refund_send(refund)
    refund.refresh_from_db()
    return refund


def refund_send(refund: Refund) -> None:
    """Sends one recorded refund to Stripe. The idempotency key is the refund row, so resending a
    refund whose answer was lost never refunds twice."""
    try:
        result = gateway.refund_create(
            intent_id=refund.payment.stripe_payment_intent_id,
            amount_yen=refund.amount_yen,
            idempotency_key=_refund_key(refund),
        )
    except gateway.StripeUnavailable:
        logger.warning("Refund %s not sent yet; the periodic task will retry it", refund.pk)
        return
    except gateway.StripeRejected:
        logger.exception("Stripe refused refund %s", refund.pk)
        Refund.objects.filter(pk=refund.pk, stripe_refund_id="").update(status=Refund.Status.FAILED)
        return
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = Refund.objects.get(pk=refund.pk)
        if refund.stripe_refund_id:
            return
        refund.stripe_refund_id = result.id
        if result.status in ("failed", "canceled"):
            refund.status = Refund.Status.FAILED
        else:
            refund.status = Refund.Status.SUCCEEDED if result.status == "succeeded" else Refund.Status.PENDING
            payment.refunded_yen += refund.amount_yen
            payment.save(update_fields=["refunded_yen", "updated_at"])
        refund.save(update_fields=["stripe_refund_id", "status"])


def refund_sync(*, result: gateway.RefundResult) -> None:
    """Brings a refund Stripe acknowledged in line with its status there now. A refund that fails after
    being counted (pending, or even succeeded) is taken off the payment's refunded total and shown failed."""
    with transaction.atomic():
        refund = Refund.objects.filter(stripe_refund_id=result.id).only("payment_id").first()
        if refund is None:
            return
        # Payment first, as everywhere else that changes refunds.
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status == Refund.Status.FAILED:
            return
        if result.status in ("failed", "canceled"):
            logger.warning("Stripe refund %s of payment %s %s", result.id, payment.pk, result.status)
            refund.status = Refund.Status.FAILED
            refund.save(update_fields=["status"])
            payment.refunded_yen = max(payment.refunded_yen - refund.amount_yen, 0)
            payment.save(update_fields=["refunded_yen", "updated_at"])
        elif result.status == "succeeded" and refund.status == Refund.Status.PENDING:
            refund.status = Refund.Status.SUCCEEDED
            refund.save(update_fields=["status"])


def payment_sync(*, intent: gateway.Intent) -> None:
    """Brings the payment and its booking in line with the intent as Stripe reports it now."""
    with transaction.atomic():
        follow_up = payment_sync_locked(intent)
    if follow_up is not None:
        follow_up()


def payment_sync_locked(intent: gateway.Intent) -> Callable[[], object] | None:
    """Must run inside a transaction. Returns what to do with Stripe once it has committed."""
    payment = (
        Payment.objects.select_for_update()
        .select_related("booking")
        .filter(provider=Payment.Provider.STRIPE, stripe_payment_intent_id=intent.id)
        .first()
    )
    if payment is None:
        return None
    booking = payment.booking

    if intent.status == "succeeded":
        if payment.status == Payment.Status.SUCCEEDED:
            return None
        payment.status = Payment.Status.SUCCEEDED
        payment.save(update_fields=["status", "updated_at"])
        if booking.status == Booking.Status.PENDING or (
            booking.status == Booking.Status.CANCELLED
            and booking.cancel_code in (Booking.CancelCode.HOLD_EXPIRED, Booking.CancelCode.PAYMENT_FAILED)
        ):
            try:
                # A savepoint, so that units taken meanwhile leave this transaction usable.
                with transaction.atomic():
                    booking_confirm(booking=booking, note="payment_succeeded")
                return None
            except Conflict as exc:
                # Units taken meanwhile, or dates the facility has since closed: the money goes back.
                reason = REASON_DATES_CLOSED if isinstance(exc, UnitClosed) else REASON_UNITS_TAKEN
        elif booking.status == Booking.Status.CANCELLED:
            reason = REASON_CANCELLED_WHILE_PAYING
        else:
            return None
        return lambda: refund_issue(payment=payment, amount_yen=payment.amount_yen, reason=reason)

    if payment.status != Payment.Status.PENDING:
        return None
    if intent.status == "canceled":
        payment.status = Payment.Status.CANCELLED
        payment.save(update_fields=["status", "updated_at"])
        booking_release(booking=booking, cancel_code=Booking.CancelCode.PAYMENT_FAILED)
        return None
    if intent.status == "requires_payment_method" and intent.has_failed:
        payment.status = Payment.Status.FAILED
        payment.save(update_fields=["status", "updated_at"])
        booking_release(booking=booking, cancel_code=Booking.CancelCode.PAYMENT_FAILED)
        # The units are released, so the intent must not be able to charge the card later.
        return lambda: payment_intent_cancel(payment)
    return None


def payment_intent_cancel(payment: Payment) -> None:
    """Cancels a payment's intent; if Stripe says it can no longer be cancelled, syncs with what it is."""
    try:
        intent = gateway.intent_cancel(payment.stripe_payment_intent_id)
    except gateway.StripeUnavailable:
        # Left pending: the periodic expiry task tries again.
        logger.warning("Could not cancel intent %s yet", payment.stripe_payment_intent_id)
        return
    except gateway.StripeRejected:
        try:
            retrieved = gateway.intent_retrieve(payment.stripe_payment_intent_id)
        except (gateway.StripeUnavailable, gateway.StripeRejected):
            logger.warning("Could not re-read intent %s", payment.stripe_payment_intent_id)
            return
        if retrieved is None:
            # Stripe no longer knows the intent, so nothing can ever be charged through it.
            Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(status=Payment.Status.CANCELLED)
            return
        intent = retrieved
    payment_sync(intent=intent)


def payment_collect(*, booking, operator) -> Payment:
    """The guest paid at the facility: an on-site payment of a confirmed or completed booking is marked paid, once.
    The payment row is locked, so two operators marking it at once record one collection; the second (and any
    repeat) is refused with 409 and changes nothing."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(booking_id=booking.pk).first()
        if payment is None or payment.provider != Payment.Provider.ONSITE:
            raise PaymentNotCollectable()
        if payment.status == Payment.Status.SUCCEEDED:
            raise PaymentNotCollectable(ALREADY_COLLECTED, code="payment_already_collected")
        current = Booking.objects.get(pk=booking.pk)
        collectable = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)
        if payment.status != Payment.Status.PAY_ON_SITE or current.status not in collectable:
            raise PaymentNotCollectable(NOT_COLLECTABLE, code="booking_not_collectable")
        payment.status = Payment.Status.SUCCEEDED
        payment.save(update_fields=["status", "updated_at"])
        booking_payment_collected(booking=current, actor=operator)
    return payment
