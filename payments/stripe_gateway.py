"""The one module that talks to the Stripe SDK: PaymentIntents, Refunds, Stripe Billing (customers, products,
prices, subscriptions, invoices) and webhook verification."""

import functools
import json
from dataclasses import dataclass

import stripe
from django.conf import settings

# Tests put a `stripe.HTTPClient` here that answers like Stripe without a network;
# production leaves it None and the SDK uses its default client.
HTTP_CLIENT: stripe.HTTPClient | None = None


class StripeUnavailable(Exception):
    """Stripe could not be reached or failed on its side; trying again later may work."""


class StripeRejected(Exception):
    """Stripe refused the request (invalid state, bad parameters); trying again will not help."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


class SignatureInvalid(Exception):
    """The webhook body does not carry a valid Stripe signature."""


class EventUnreadable(Exception):
    """A correctly signed webhook body that is no event this code can read or record."""


# The event's id is stored in a column of 255 characters; ids, types and object ids of Stripe's are far shorter.
EVENT_FIELD_LENGTH = 255


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount: int
    client_secret: str
    booking_id: int | None
    # Stripe keeps a failed intent open for another card; a recorded error tells it from a fresh one.
    has_failed: bool = False


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: int


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    object_id: str


def _client() -> stripe.StripeClient:
    return _client_for(settings.STRIPE_SECRET_KEY, HTTP_CLIENT)


@functools.lru_cache(maxsize=4)
def _client_for(secret_key: str, http_client: stripe.HTTPClient | None) -> stripe.StripeClient:
    # One client (and its connection pool) per key; a rotated key or another HTTP client gets its own.
    # Retries are safe: every write carries an idempotency key.
    return stripe.StripeClient(secret_key, http_client=http_client, max_network_retries=2)


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise StripeUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        if exc.http_status is None or exc.http_status >= 500:
            raise StripeUnavailable(str(exc)) from exc
        # Our key being wrong is an outage for the caller, not a refusal of this request.
        if exc.http_status in (401, 403):
            raise StripeUnavailable(str(exc)) from exc
        raise StripeRejected(str(exc), code=getattr(exc, "code", "") or "") from exc


def _intent(resource) -> Intent:
    obj = resource.to_dict()
    metadata = obj.get("metadata") or {}
    booking_id = metadata.get("booking_id")
    return Intent(
        id=obj["id"],
        status=obj["status"],
        amount=obj["amount"],
        client_secret=obj.get("client_secret") or "",
        booking_id=int(booking_id) if booking_id and str(booking_id).isdigit() else None,
        has_failed=bool(obj.get("last_payment_error")),
    )


def intent_create(*, amount_yen: int, booking_id: int, idempotency_key: str) -> Intent:
    # JPY is a zero-decimal currency: the amount is whole yen, not hundredths.
    params = {
        "amount": amount_yen,
        "currency": "jpy",
        "metadata": {"booking_id": str(booking_id)},
        "automatic_payment_methods": {"enabled": True},
    }
    obj = _call(_client().v1.payment_intents.create, params=params, options={"idempotency_key": idempotency_key})
    return _intent(obj)


def intent_retrieve(intent_id: str) -> Intent | None:
    """The intent as Stripe knows it now, or None when Stripe has no such intent."""
    try:
        return _intent(_call(_client().v1.payment_intents.retrieve, intent_id))
    except StripeRejected as exc:
        if exc.code == "resource_missing":
            return None
        raise


def intent_cancel(intent_id: str) -> Intent:
    obj = _call(_client().v1.payment_intents.cancel, intent_id, options={"idempotency_key": f"{intent_id}-cancel"})
    return _intent(obj)


def refund_create(*, intent_id: str, amount_yen: int, idempotency_key: str) -> RefundResult:
    params = {"payment_intent": intent_id, "amount": amount_yen, "reason": "requested_by_customer"}
    obj = _call(_client().v1.refunds.create, params=params, options={"idempotency_key": idempotency_key})
    return RefundResult(id=obj.id, status=obj.status, amount=obj.amount)


def refund_retrieve(refund_id: str) -> RefundResult | None:
    """The refund as Stripe knows it now (a pending one may since have succeeded or failed), or None
    when Stripe has no such refund."""
    try:
        obj = _call(_client().v1.refunds.retrieve, refund_id)
    except StripeRejected as exc:
        if exc.code == "resource_missing":
            return None
        raise
    return RefundResult(id=obj.id, status=obj.status, amount=obj.amount)


@dataclass(frozen=True)
class Subscription:
    id: str
    # incomplete, incomplete_expired, trialing, active, past_due, unpaid, canceled or paused.
    status: str
    # Unix times: when a cancellation takes effect (set ahead of time), and when the subscription ended.
    cancel_at: int | None
    ended_at: int | None
    # What the subscription was created for (its metadata): the membership's id and its random part.
    membership_id: int | None
    membership_key: str
    # Of the latest invoice's payment, while it waits to be paid (when the invoice was read with it).
    client_secret: str = ""


def _subscription(resource) -> Subscription:
    obj = resource.to_dict() if hasattr(resource, "to_dict") else resource
    metadata = obj.get("metadata") or {}
    membership_id = str(metadata.get("membership_id") or "")
    invoice = obj.get("latest_invoice")
    secret = ""
    if isinstance(invoice, dict) and invoice.get("status") == "open":
        secret = (invoice.get("confirmation_secret") or {}).get("client_secret") or ""
    return Subscription(
        id=obj["id"],
        status=obj["status"],
        cancel_at=obj.get("cancel_at"),
        ended_at=obj.get("ended_at"),
        membership_id=int(membership_id) if membership_id.isdigit() else None,
        membership_key=str(metadata.get("membership_key") or ""),
        client_secret=secret,
    )


def customer_create(*, email: str, name: str, visitor_id: int, idempotency_key: str) -> str:
    """A Stripe Customer for a visitor; its id."""
    params = {"email": email, "name": name, "metadata": {"visitor_id": str(visitor_id)}}
    obj = _call(_client().v1.customers.create, params=params, options={"idempotency_key": idempotency_key})
    return obj.id


def product_create(*, name: str, plan_id: int, idempotency_key: str) -> str:
    """The Product a plan is sold as; its id."""
    params = {"name": name, "metadata": {"plan_id": str(plan_id)}}
    obj = _call(_client().v1.products.create, params=params, options={"idempotency_key": idempotency_key})
    return obj.id


def price_create(*, product_id: str, amount_yen: int, idempotency_key: str) -> str:
    """A monthly Price of a product in yen (zero-decimal: whole yen); its id. Prices never change their amount:
    a new amount is a new Price."""
    params = {
        "product": product_id,
        "unit_amount": amount_yen,
        "currency": "jpy",
        "recurring": {"interval": "month"},
    }
    obj = _call(_client().v1.prices.create, params=params, options={"idempotency_key": idempotency_key})
    return obj.id


def subscription_create(
    *, customer_id: str, price_id: str, membership_id: int, membership_key: str, idempotency_key: str
) -> Subscription:
    """A subscription whose first invoice waits for the visitor to pay it (status incomplete until then; Stripe
    expires it after 23 hours unpaid); its `client_secret` confirms that payment with Stripe.js. Cycles are
    anchored at its creation, as the membership's are at its start date."""
    params = {
        "customer": customer_id,
        "items": [{"price": price_id}],
        "payment_behavior": "default_incomplete",
        "payment_settings": {"save_default_payment_method": "on_subscription"},
        "metadata": {"membership_id": str(membership_id), "membership_key": membership_key},
        "expand": ["latest_invoice.confirmation_secret"],
    }
    obj = _call(_client().v1.subscriptions.create, params=params, options={"idempotency_key": idempotency_key})
    return _subscription(obj)


def subscription_retrieve(subscription_id: str) -> Subscription | None:
    """The subscription as Stripe knows it now, or None when Stripe has no such subscription."""
    try:
        return _subscription(_call(_client().v1.subscriptions.retrieve, subscription_id))
    except StripeRejected as exc:
        if exc.code == "resource_missing":
            return None
        raise


def subscription_cancel_at(subscription_id: str, *, cancel_at: int, idempotency_key: str) -> Subscription:
    """Ends the subscription at `cancel_at` (a Unix time); until then it runs and is invoiced as before."""
    obj = _call(
        _client().v1.subscriptions.update,
        subscription_id,
        params={"cancel_at": cancel_at},
        options={"idempotency_key": idempotency_key},
    )
    return _subscription(obj)


def invoice_subscription(invoice_id: str) -> Subscription | None:
    """The subscription an invoice bills, as Stripe knows it now; None when Stripe has no such invoice, or the
    invoice bills no subscription."""
    try:
        invoice = _call(_client().v1.invoices.retrieve, invoice_id).to_dict()
    except StripeRejected as exc:
        if exc.code == "resource_missing":
            return None
        raise
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    subscription = details.get("subscription")
    if isinstance(subscription, dict):
        subscription = subscription.get("id")
    if not subscription:
        return None
    return subscription_retrieve(str(subscription))


def event_verify(payload: bytes, sig_header: str | None) -> Event:
    """Checks the signature on the raw body, then reads the event; raises SignatureInvalid."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        # An empty secret would let anyone sign; without Stripe configured no event is genuine.
        raise SignatureInvalid("Stripe webhooks are not configured.")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            sig_header or "",
            settings.STRIPE_WEBHOOK_SECRET,
            stripe.Webhook.DEFAULT_TOLERANCE,
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise SignatureInvalid(str(exc)) from exc
    try:
        data = json.loads(payload)
        obj = data["data"]["object"]
        event = Event(id=str(data["id"]), type=str(data["type"]), object_id=str(obj.get("id", "")))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        # RecursionError: JSON nested deeper than the parser's stack.
        raise EventUnreadable(type(exc).__name__) from exc
    for value in (event.id, event.type, event.object_id):
        if len(value) > EVENT_FIELD_LENGTH or "\x00" in value:
            raise EventUnreadable("an id or type no Stripe event has (too long, or with a NUL)")
    return event
