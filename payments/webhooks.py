"""Stripe's webhooks: the signature check, the record that lets each event through once, and the dispatch of
events to handlers that act on the Stripe object as it is now."""

from collections.abc import Callable

from django.db import IntegrityError, transaction

from . import hooks, services
from . import stripe_gateway as gateway
from .errors import WebhookEventInvalid, WebhookSignatureInvalid
from .models import WebhookEvent


class WebhookRetry(Exception):
    """The event could not be handled now (Stripe unreachable); Stripe should deliver it again."""


def _on_stripe_object(event: gateway.Event, *, retrieve, sync_locked) -> None:
    """Acts on the event's object as Stripe reports it now, not on the payload, which may be stale or arrive out
    of order; records the event in the same transaction, so that a replay does nothing. `sync_locked` may return
    a follow-up to run after commit."""
    try:
        current = retrieve(event.object_id)
    except gateway.StripeUnavailable as exc:
        raise WebhookRetry() from exc
    except gateway.StripeRejected:
        current = None
    with transaction.atomic():
        if not _event_record(event):
            return
        follow_up = sync_locked(current) if current is not None else None
    if follow_up is not None:
        follow_up()


def _on_payment_intent(event: gateway.Event) -> None:
    _on_stripe_object(event, retrieve=gateway.intent_retrieve, sync_locked=services.payment_sync_locked)


def _on_refund(event: gateway.Event) -> None:
    def sync_locked(result):
        services.refund_sync(result=result)

    _on_stripe_object(event, retrieve=gateway.refund_retrieve, sync_locked=sync_locked)


def _on_subscription_object(event: gateway.Event, *, retrieve) -> None:
    def sync_locked(subscription):
        hooks.subscription_changed(subscription=subscription)

    _on_stripe_object(event, retrieve=retrieve, sync_locked=sync_locked)


def _on_subscription(event: gateway.Event) -> None:
    _on_subscription_object(event, retrieve=gateway.subscription_retrieve)


def _on_invoice(event: gateway.Event) -> None:
    # Whatever the invoice says, the subscription's status now is what counts: a failed invoice followed by a
    # successful retry, delivered out of order, leaves it active.
    _on_subscription_object(event, retrieve=gateway.invoice_subscription)


def _event_record(event: gateway.Event) -> bool:
    """Inserts the event's row in the caller's transaction; False when it was already processed.
    Two deliveries at once both reach the insert; the unique index lets only one through."""
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(event_id=event.id, event_type=event.type[:100])
    except IntegrityError:
        return False
    return True


EVENT_HANDLERS: dict[str, Callable[[gateway.Event], None]] = {
    "payment_intent.succeeded": _on_payment_intent,
    "payment_intent.payment_failed": _on_payment_intent,
    "payment_intent.canceled": _on_payment_intent,
    # refund.* covers every refund since API version 2024-10-28.acacia; charge.refund.updated is what
    # accounts on older versions receive for card refunds. Each carries the refund object.
    "refund.updated": _on_refund,
    "refund.failed": _on_refund,
    "charge.refund.updated": _on_refund,
    # Stripe Billing: subscriptions of memberships (payments/hooks.py).
    "customer.subscription.updated": _on_subscription,
    "customer.subscription.deleted": _on_subscription,
    "invoice.paid": _on_invoice,
    "invoice.payment_failed": _on_invoice,
}


def webhook_receive(*, payload: bytes, signature: str | None) -> None:
    """Verifies a Stripe webhook on its raw body and handles it once. Raises WebhookSignatureInvalid
    (answer 400), WebhookEventInvalid (signed, but nothing that can be read or recorded: 400) or WebhookRetry
    (answer 5xx so that Stripe delivers it again)."""
    try:
        event = gateway.event_verify(payload, signature)
    except gateway.SignatureInvalid as exc:
        raise WebhookSignatureInvalid() from exc
    except gateway.EventUnreadable as exc:
        raise WebhookEventInvalid() from exc
    handler = EVENT_HANDLERS.get(event.type)
    if handler is None or not event.object_id or WebhookEvent.objects.filter(event_id=event.id).exists():
        return
    handler(event)
