"""Where an app above payments plugs into Stripe's webhooks, so that payments never imports it: memberships keeps
its memberships in step with their Stripe Billing subscriptions."""

from backend.hooks import Receivers

# (subscription: stripe_gateway.Subscription) -> None: inside the transaction that records a
# customer.subscription.* or invoice.* event once, with the subscription as Stripe reports it now (an invoice's
# event: the subscription it bills). A subscription the receiver does not know is ignored by it.
subscription_changed = Receivers("subscription_changed")
