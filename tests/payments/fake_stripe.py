"""A stand-in for Stripe's HTTP API at the SDK's HTTP-client boundary, answering with Stripe's object shapes,
and webhook events signed with Stripe's real scheme. Nothing reaches the network."""

import hashlib
import hmac
import itertools
import json
import threading
import time
from urllib.parse import parse_qsl, urlsplit

import stripe

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_Test{next(_ids):010d}"


def _form(post_data) -> dict:
    """Stripe's form encoding (`metadata[booking_id]=7`) back into nested dicts."""
    out: dict = {}
    for key, value in parse_qsl(post_data or "", keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return out


class FakeStripe(stripe.HTTPClient):
    name = "fake-stripe"

    def __init__(self):
        super().__init__()
        self.intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        # Stripe Billing.
        self.customers: dict[str, dict] = {}
        self.products: dict[str, dict] = {}
        self.prices: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.by_idempotency_key: dict[str, tuple[str, int]] = {}
        # (method, path, Idempotency-Key header) of every request, retries by the SDK included.
        self.sent_keys: list[tuple[str, str, str | None]] = []
        self.down = False
        # How many of the next requests Stripe answers with a 500 (an outage on its side).
        self.server_errors = 0
        # The status new refunds get: "pending" as for bank transfers and some cards.
        self.refund_status = "succeeded"
        self.lock = threading.Lock()
        # Concurrency tests hold every re-read here until all racing requests have reached Stripe.
        self.retrieve_barrier: threading.Barrier | None = None

    # -- the HTTPClient interface the SDK calls --------------------------------------------------
    def request(self, method, url, headers, post_data=None, *, _usage=None):
        if self.retrieve_barrier is not None and method.upper() == "GET":
            self.retrieve_barrier.wait()
        with self.lock:
            if self.down:
                raise stripe.APIConnectionError("Could not connect to Stripe (test: down).")
            path = urlsplit(url).path
            params = _form(post_data)
            key = (headers or {}).get("Idempotency-Key")
            self.sent_keys.append((method.upper(), path, key))
            if self.server_errors:
                self.server_errors -= 1
                body = {"error": {"message": "An unknown error occurred (test).", "type": "api_error"}}
                return json.dumps(body), 500, {"Request-Id": _id("req")}
            self.requests.append((method.upper(), path, params))
            if key and key in self.by_idempotency_key:
                body, status = self.by_idempotency_key[key]
                return body, status, {"Idempotent-Replayed": "true"}
            status, obj = self._route(method.upper(), path, params)
            body = json.dumps(obj)
            if key and status < 500:
                self.by_idempotency_key[key] = (body, status)
            return body, status, {"Request-Id": _id("req")}

    def request_stream(self, *args, **kwargs):
        raise NotImplementedError

    def close(self):
        pass

    def _sleep_time_seconds(self, num_retries, response=None):
        return 0

    # -- Stripe's endpoints, as far as the backend uses them ---------------------------------------
    def _route(self, method, path, params):
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["v1", "payment_intents"]:
            return 200, self._intent_create(params)
        if parts[:2] == ["v1", "payment_intents"] and len(parts) >= 3:
            intent = self.intents.get(parts[2])
            if intent is None:
                return 404, _error("resource_missing", f"No such payment_intent: '{parts[2]}'", "intent")
            if method == "GET" and len(parts) == 3:
                return 200, intent
            if method == "POST" and parts[3:] == ["cancel"]:
                if intent["status"] in ("succeeded", "canceled"):
                    return 400, _error(
                        "payment_intent_unexpected_state",
                        f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}.",
                    )
                intent.update(
                    status="canceled", canceled_at=int(time.time()), cancellation_reason="requested_by_customer"
                )
                return 200, intent
        if method == "POST" and parts == ["v1", "refunds"]:
            return self._refund_create(params)
        if method == "GET" and parts[:2] == ["v1", "refunds"] and len(parts) == 3:
            refund = self.refunds.get(parts[2])
            if refund is None:
                return 404, _error("resource_missing", f"No such refund: '{parts[2]}'", "id")
            return 200, refund
        billed = self._billing_route(method, parts, params)
        if billed is not None:
            return billed
        return 404, _error("resource_missing", f"Unrecognized request URL ({method}: {path}).")

    # -- Stripe Billing ----------------------------------------------------------------------------
    def _billing_route(self, method, parts, params):
        if method == "POST" and parts == ["v1", "customers"]:
            return 200, self._store(
                self.customers, "cus", {"object": "customer", **_pick(params, "email", "name")}, params
            )
        if method == "POST" and parts == ["v1", "products"]:
            return 200, self._store(
                self.products, "prod", {"object": "product", "name": params["name"], "active": True}, params
            )
        if method == "POST" and parts == ["v1", "prices"]:
            if params.get("product") not in self.products:
                return 400, _error("resource_missing", f"No such product: '{params.get('product')}'", "product")
            price = {
                "object": "price",
                "product": params["product"],
                "unit_amount": int(params["unit_amount"]),
                "currency": params["currency"],
                "recurring": {"interval": params["recurring"]["interval"], "interval_count": 1},
                "type": "recurring",
                "active": True,
            }
            return 200, self._store(self.prices, "price", price, params)
        if method == "POST" and parts == ["v1", "subscriptions"]:
            return self._subscription_create(params)
        if parts[:2] == ["v1", "subscriptions"] and len(parts) == 3:
            subscription = self.subscriptions.get(parts[2])
            if subscription is None:
                return 404, _error("resource_missing", f"No such subscription: '{parts[2]}'", "id")
            if method == "GET":
                return 200, subscription
            if method == "POST":
                if subscription["status"] in ("canceled", "incomplete_expired"):
                    return 400, _error("resource_missing", "A canceled subscription can only update its metadata.")
                if "cancel_at" in params:
                    subscription["cancel_at"] = int(params["cancel_at"]) if params["cancel_at"] else None
                return 200, subscription
        if method == "GET" and parts[:2] == ["v1", "invoices"] and len(parts) == 3:
            invoice = self.invoices.get(parts[2])
            if invoice is None:
                return 404, _error("resource_missing", f"No such invoice: '{parts[2]}'", "invoice")
            return 200, invoice
        return None

    def _store(self, table: dict, prefix: str, obj: dict, params) -> dict:
        obj = {
            "id": _id(prefix),
            "created": int(time.time()),
            "livemode": False,
            "metadata": params.get("metadata", {}),
            **obj,
        }
        table[obj["id"]] = obj
        return obj

    def _subscription_create(self, params):
        if params.get("customer") not in self.customers:
            return 400, _error("resource_missing", f"No such customer: '{params.get('customer')}'", "customer")
        price = self.prices.get(params["items"]["0"]["price"])
        if price is None:
            return 400, _error("resource_missing", "No such price.", "items[0][price]")
        now = int(time.time())
        subscription = {
            "id": _id("sub"),
            "object": "subscription",
            "billing_cycle_anchor": now,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "collection_method": "charge_automatically",
            "created": now,
            "currency": price["currency"],
            "customer": params["customer"],
            "ended_at": None,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": _id("si"),
                        "object": "subscription_item",
                        "price": price,
                        "quantity": 1,
                        "current_period_start": now,
                        "current_period_end": now + 30 * 86400,
                    }
                ],
            },
            "latest_invoice": None,
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "payment_settings": params.get("payment_settings", {}),
            "start_date": now,
            # payment_behavior=default_incomplete: the first invoice waits for the customer's payment.
            "status": "incomplete",
        }
        self.subscriptions[subscription["id"]] = subscription
        invoice = self._invoice(subscription, price["unit_amount"])
        answer = dict(subscription)
        if "latest_invoice.confirmation_secret" in (params.get("expand") or {}).values():
            answer["latest_invoice"] = invoice
        return 200, answer

    def _invoice(self, subscription: dict, amount: int) -> dict:
        invoice_id = _id("in")
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "amount_due": amount,
            "amount_paid": 0,
            "attempt_count": 0,
            "billing_reason": "subscription_create" if subscription["latest_invoice"] is None else "subscription_cycle",
            "confirmation_secret": {"client_secret": f"pi_{invoice_id}_secret_{_id('s')}", "type": "payment_intent"},
            "currency": subscription["currency"],
            "customer": subscription["customer"],
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {"metadata": subscription["metadata"], "subscription": subscription["id"]},
            },
            "status": "open",
        }
        self.invoices[invoice_id] = invoice
        subscription["latest_invoice"] = invoice_id
        return invoice

    # -- what happens at the card network and in Stripe's billing over time --------------------------
    def invoice_pay(self, subscription_id: str) -> dict:
        """The latest invoice is paid (the first one confirmed by the visitor, or a renewal charged)."""
        subscription = self.subscriptions[subscription_id]
        invoice = self.invoices[subscription["latest_invoice"]]
        invoice.update(status="paid", amount_paid=invoice["amount_due"], attempt_count=invoice["attempt_count"] + 1)
        subscription["status"] = "active"
        return invoice

    def invoice_renew_and_fail(self, subscription_id: str) -> dict:
        """The next cycle's invoice is made and its charge is declined: the subscription is past due."""
        subscription = self.subscriptions[subscription_id]
        invoice = self._invoice(subscription, subscription["items"]["data"][0]["price"]["unit_amount"])
        invoice["attempt_count"] = 1
        subscription["status"] = "past_due"
        return invoice

    def subscription_end(self, subscription_id: str, at: int | None = None) -> dict:
        """Stripe ends the subscription: at its cancel_at, after the last failed retry, or 23 hours unpaid."""
        subscription = self.subscriptions[subscription_id]
        ended = at or subscription["cancel_at"] or int(time.time())
        unpaid_start = subscription["status"] == "incomplete"
        subscription.update(
            status="incomplete_expired" if unpaid_start else "canceled", ended_at=ended, canceled_at=ended
        )
        return subscription

    def _intent_create(self, params):
        intent_id = _id("pi")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "amount_capturable": 0,
            "amount_received": 0,
            "automatic_payment_methods": {"allow_redirects": "always", "enabled": True},
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": "automatic",
            "client_secret": f"{intent_id}_secret_{_id('s')}",
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "currency": params["currency"],
            "customer": None,
            "description": None,
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "next_action": None,
            "payment_method": None,
            "payment_method_types": ["card"],
            "status": "requires_payment_method",
        }
        self.intents[intent_id] = intent
        return intent

    def _refund_create(self, params):
        intent = self.intents.get(params.get("payment_intent", ""))
        amount = int(params.get("amount", 0))
        if intent is None or intent["status"] != "succeeded":
            return 400, _error("charge_not_refundable", "This PaymentIntent has no successful charge to refund.")
        already = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == intent["id"] and r["status"] not in ("failed", "canceled")
        )
        if amount + already > intent["amount_received"]:
            return 400, _error("amount_too_large", "Refund amount is greater than unrefunded amount on charge.")
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": amount,
            "charge": intent["latest_charge"],
            "created": int(time.time()),
            "currency": intent["currency"],
            "metadata": {},
            "payment_intent": intent["id"],
            "reason": params.get("reason"),
            "status": self.refund_status,
            "failure_reason": None,
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    # -- what happens on the phone and at the card network ----------------------------------------
    def pay(self, intent_id: str) -> dict:
        intent = self.intents[intent_id]
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            latest_charge=_id("ch"),
            payment_method=_id("pm"),
            last_payment_error=None,
        )
        return intent

    def decline(self, intent_id: str) -> dict:
        intent = self.intents[intent_id]
        intent.update(
            status="requires_payment_method",
            last_payment_error={
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
                "type": "card_error",
            },
        )
        return intent

    def settle_refund(self, refund_id: str, status: str) -> dict:
        """A pending refund reaching the card: "succeeded", or "failed" (e.g. the card was closed)."""
        refund = self.refunds[refund_id]
        refund.update(status=status, failure_reason="expired_or_canceled_card" if status == "failed" else None)
        return refund

    def refunds_of(self, intent_id: str) -> list[dict]:
        return [r for r in self.refunds.values() if r["payment_intent"] == intent_id]


def _pick(params: dict, *names: str) -> dict:
    return {name: params.get(name) for name in names}


def _error(code: str, message: str, param: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "param": param, "type": "invalid_request_error"}}


def event(event_type: str, obj: dict, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            # The version the SDK is pinned to, as an endpoint created for it receives.
            "id": event_id or _id("evt"),
            "object": "event",
            "api_version": stripe.api_version,
            "created": int(time.time()),
            "data": {"object": dict(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
    ).encode()


def signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's scheme: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<body>")."""
    timestamp = timestamp or int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"
