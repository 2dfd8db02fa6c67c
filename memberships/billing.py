"""Stripe Billing of memberships: the visitor's Customer, the plan's Product and Price, the subscription made when
a visitor joins, and the cancellation date sent when they give notice. Only Stripe's side: the membership's rows
are written by services.py. Every request carries an idempotency key, so a retry never makes a second object."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from payments import stripe_gateway as gateway
from payments.models import Payment
from payments.providers import provider_active
from payments.services import STRIPE_MINIMUM_YEN

from .models import BillingCustomer, Membership, Plan

TOKYO = ZoneInfo(settings.TIME_ZONE)


def stripe_billed(plan: Plan) -> bool:
    """Whether joining the plan is a Stripe subscription: Stripe configured and a price Stripe can charge (a free
    plan, or one under Stripe's minimum, is paid at the facility, as bookings are)."""
    return provider_active() == Payment.Provider.STRIPE and plan.monthly_price_yen >= STRIPE_MINIMUM_YEN


def day_start(day: date) -> int:
    """The Unix time of midnight starting `day` in Japan."""
    return int(datetime.combine(day, time(), tzinfo=TOKYO).timestamp())


def last_day_before(unix_time: int) -> date:
    """The last day (in Japan) a subscription ending at `unix_time` covers: the day before, when it ends at
    midnight (as a cancellation sent by cancel_at does); else the day it ends on counts as not covered either."""
    moment = datetime.fromtimestamp(unix_time, TOKYO)
    return moment.date() - timedelta(days=1)


def _customer(visitor) -> str:
    customer, _created = BillingCustomer.objects.get_or_create(visitor=visitor)
    if not customer.stripe_customer_id:
        customer_id = gateway.customer_create(
            email=visitor.email,
            name=getattr(visitor, "full_name", "") or visitor.email,
            visitor_id=visitor.pk,
            idempotency_key=f"visitor-{visitor.pk}-customer-{customer.idempotency_uuid.hex}",
        )
        BillingCustomer.objects.filter(pk=customer.pk, stripe_customer_id="").update(stripe_customer_id=customer_id)
        customer.refresh_from_db()
    return customer.stripe_customer_id


def _price(plan: Plan) -> str:
    """The plan's Price for its monthly price now, made (with its Product) the first time it is needed."""
    plan = Plan.objects.get(pk=plan.pk)
    if plan.stripe_price_id and plan.stripe_price_yen == plan.monthly_price_yen:
        return plan.stripe_price_id
    key = f"plan-{plan.pk}-{plan.idempotency_uuid.hex}"
    product_id = plan.stripe_product_id or gateway.product_create(
        name=plan.name_en or plan.name_ja, plan_id=plan.pk, idempotency_key=f"{key}-product"
    )
    amount = plan.monthly_price_yen
    price_id = gateway.price_create(product_id=product_id, amount_yen=amount, idempotency_key=f"{key}-price-{amount}")
    with transaction.atomic():
        # Two joins at once send the same keys, so Stripe answered both with the same Product and Price.
        Plan.objects.filter(pk=plan.pk).update(
            stripe_product_id=product_id, stripe_price_id=price_id, stripe_price_yen=amount
        )
    return price_id


def subscription_open(*, membership: Membership) -> gateway.Subscription:
    """Makes the membership's subscription at Stripe (and the Customer, Product and Price it needs). Raises
    gateway.StripeUnavailable or gateway.StripeRejected."""
    key = f"membership-{membership.pk}-{membership.idempotency_uuid.hex}"
    return gateway.subscription_create(
        customer_id=_customer(membership.visitor),
        price_id=_price(membership.plan),
        membership_id=membership.pk,
        membership_key=membership.idempotency_uuid.hex,
        idempotency_key=f"{key}-subscription",
    )


def subscription_end_after(*, membership: Membership, ends_on: date) -> gateway.Subscription:
    """Sets the subscription to end at the close of `ends_on` (midnight after it, in Japan): Stripe invoices the
    days until then and no more. Raises gateway.StripeUnavailable or gateway.StripeRejected."""
    key = f"membership-{membership.pk}-{membership.idempotency_uuid.hex}-cancel-{ends_on.isoformat()}"
    return gateway.subscription_cancel_at(
        membership.stripe_subscription_id, cancel_at=day_start(ends_on + timedelta(days=1)), idempotency_key=key
    )
