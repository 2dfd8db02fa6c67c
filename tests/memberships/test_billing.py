"""Memberships paid by card: a Stripe Billing subscription made when the visitor joins, kept in step by Stripe's
signed webhook events (invoice.paid, invoice.payment_failed, customer.subscription.updated and .deleted), and
ended by notice through the subscription's cancel_at. Stripe's HTTP API is faked at the SDK's boundary."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from memberships.models import CreditEntry, Membership
from payments.models import WebhookEvent
from tests.bookings.factories import at
from tests.bookings.helpers import QUOTES, book, error
from tests.memberships.factories import PlanFactory
from tests.payments.conftest import fake_stripe  # noqa: F401  (Stripe configured, its HTTP API faked)
from tests.payments.helpers import deliver

pytestmark = pytest.mark.django_db
MEMBERSHIPS = "/api/v1/memberships/"
TOKYO = ZoneInfo("Asia/Tokyo")


def join(client, plan):
    return client.post(MEMBERSHIPS, {"plan": plan.id}, format="json")


def shown(client, membership_id) -> dict:
    response = client.get(f"{MEMBERSHIPS}{membership_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def room_hours(room, start, end):
    return {"unit": room.id, "starts_at": at(10, start), "ends_at": at(10, end), "adults": 1}


def subscription_of(fake, membership_id) -> dict:
    (subscription,) = [s for s in fake.subscriptions.values() if s["metadata"]["membership_id"] == str(membership_id)]
    return subscription


def invoice_event(client, fake, kind, subscription, **kwargs):
    return deliver(client, kind, fake.invoices[subscription["latest_invoice"]], **kwargs)


@pytest.fixture
def paid(space, plan, visitor_client, fake_stripe):
    """A membership joined by card whose first invoice is paid: (membership id, its subscription)."""
    membership = join(visitor_client, plan).json()
    subscription = subscription_of(fake_stripe, membership["id"])
    fake_stripe.invoice_pay(subscription["id"])
    assert invoice_event(visitor_client, fake_stripe, "invoice.paid", subscription).status_code == 200
    return membership["id"], subscription


def test_without_stripe_a_membership_is_paid_on_site_and_active_at_once(plan, visitor_client):
    membership = join(visitor_client, plan).json()

    assert (membership["billing"], membership["status"], membership["client_secret"]) == ("onsite", "active", None)
    assert membership["credit_minutes"] == 240


def test_joining_by_card_makes_a_subscription_that_covers_nothing_until_its_first_invoice_is_paid(
    space, plan, visitor, visitor_client, operator_client, fake_stripe
):
    room = space[2]
    joined = join(visitor_client, plan)

    assert joined.status_code == 201, joined.content
    membership = joined.json()
    assert (membership["billing"], membership["status"], membership["credit_minutes"]) == ("stripe", "incomplete", 0)
    subscription = subscription_of(fake_stripe, membership["id"])
    invoice = fake_stripe.invoices[subscription["latest_invoice"]]
    assert membership["client_secret"] == invoice["confirmation_secret"]["client_secret"]
    (customer,) = fake_stripe.customers.values()
    (price,) = fake_stripe.prices.values()
    assert customer["email"] == visitor.email and subscription["customer"] == customer["id"]
    assert (price["unit_amount"], price["currency"], price["recurring"]["interval"]) == (11000, "jpy", "month")
    assert subscription["items"]["data"][0]["price"]["id"] == price["id"]
    create = [p for m, path, p in fake_stripe.requests if path == "/v1/subscriptions"][0]
    assert create["payment_behavior"] == "default_incomplete"
    # The operator sees the member, never the payment's secret.
    assert operator_client.get(f"{MEMBERSHIPS}{membership['id']}/").json()["client_secret"] is None
    # Not paid yet: the room costs its own price (1 hour: ¥1,100).
    assert visitor_client.post(QUOTES, room_hours(room, "10:00", "11:00"), format="json").json()["total_yen"] == 1100
    twice = join(visitor_client, plan)
    assert twice.status_code == 409 and error(twice)["code"] == "already_member"

    fake_stripe.invoice_pay(subscription["id"])
    response = invoice_event(visitor_client, fake_stripe, "invoice.paid", subscription, event_id="evt_paid")

    assert response.status_code == 200 and response.json() == {"received": True}
    after = shown(visitor_client, membership["id"])
    assert (after["status"], after["credit_minutes"], after["client_secret"]) == ("active", 240, None)
    assert visitor_client.post(QUOTES, room_hours(room, "10:00", "11:00"), format="json").json()["total_yen"] == 0

    # The same event again, and another event of the same state, change nothing.
    invoice_event(visitor_client, fake_stripe, "invoice.paid", subscription, event_id="evt_paid")
    deliver(visitor_client, "customer.subscription.updated", subscription)
    assert shown(visitor_client, membership["id"])["credit_minutes"] == 240
    assert CreditEntry.objects.filter(kind="grant").count() == 1
    assert WebhookEvent.objects.filter(event_id="evt_paid").count() == 1


def test_a_second_member_reuses_the_plans_price_and_a_new_price_gets_a_new_one(
    plan, visitor_client, operator_client, fake_stripe
):
    from tests.conftest import client_for
    from tests.factories import VisitorFactory

    join(visitor_client, plan)
    join(client_for(VisitorFactory()), plan)
    assert len(fake_stripe.prices) == 1 and len(fake_stripe.products) == 1 and len(fake_stripe.customers) == 2

    operator_client.patch(f"/api/v1/operator/plans/{plan.id}/", {"monthly_price_yen": 12100}, format="json")
    join(client_for(VisitorFactory()), plan)

    assert sorted(p["unit_amount"] for p in fake_stripe.prices.values()) == [11000, 12100]
    assert len(fake_stripe.products) == 1


@pytest.mark.parametrize(
    "language, message",
    [
        (None, "会員費の直近の支払いができていません。お支払いの後に、クレジットでご予約ください。"),
        ("en", "The membership's last payment failed; pay it before booking with its credit."),
    ],
)
def test_a_failed_invoice_makes_it_past_due_and_credit_bookings_are_refused_until_paid(
    space, paid, visitor_client, fake_stripe, language, message
):
    membership_id, subscription = paid
    room = space[2]
    fake_stripe.invoice_renew_and_fail(subscription["id"])

    assert invoice_event(visitor_client, fake_stripe, "invoice.payment_failed", subscription).status_code == 200

    assert shown(visitor_client, membership_id)["status"] == "past_due"
    extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    refused = book(visitor_client, room_hours(room, "10:00", "11:00"), **extra)
    assert refused.status_code == 409
    assert error(refused) == {"code": "membership_past_due", "message": message, "fields": {}}
    assert not CreditEntry.objects.filter(kind="use").exists()

    fake_stripe.invoice_pay(subscription["id"])
    invoice_event(visitor_client, fake_stripe, "invoice.paid", subscription)

    assert shown(visitor_client, membership_id)["status"] == "active"
    booked = book(visitor_client, room_hours(room, "10:00", "11:00"))
    assert (booked.status_code, booked.json()["total_yen"]) == (201, 0)


def test_a_failure_delivered_after_the_retry_paid_leaves_it_active(paid, visitor_client, fake_stripe):
    """Stripe's events can come out of order: the subscription as Stripe has it now decides."""
    membership_id, subscription = paid
    failed = fake_stripe.invoice_renew_and_fail(subscription["id"])
    fake_stripe.invoice_pay(subscription["id"])

    deliver(visitor_client, "invoice.paid", fake_stripe.invoices[failed["id"]])
    deliver(visitor_client, "invoice.payment_failed", failed)

    assert shown(visitor_client, membership_id)["status"] == "active"


def test_notice_sets_cancel_at_and_the_subscriptions_end_ends_it(paid, visitor_client, fake_stripe, clock):
    membership_id, subscription = paid
    today = clock.today

    cancelled = visitor_client.post(f"{MEMBERSHIPS}{membership_id}/cancel/")

    assert cancelled.status_code == 200, cancelled.content
    ends_on = today + timedelta(days=14)
    assert (cancelled.json()["status"], cancelled.json()["ends_on"]) == ("cancelled", ends_on.isoformat())
    midnight_after = datetime.combine(ends_on + timedelta(days=1), time(), tzinfo=TOKYO)
    assert subscription["cancel_at"] == int(midnight_after.timestamp())

    # Stripe's event of the change, then its end at cancel_at: the same end date.
    deliver(visitor_client, "customer.subscription.updated", subscription)
    fake_stripe.subscription_end(subscription["id"])
    assert deliver(visitor_client, "customer.subscription.deleted", subscription).status_code == 200
    after = shown(visitor_client, membership_id)
    assert (after["status"], after["ends_on"]) == ("cancelled", ends_on.isoformat())
    clock.today = ends_on + timedelta(days=1)
    assert shown(visitor_client, membership_id)["status"] == "ended"


def test_notice_given_at_stripe_reaches_the_membership(paid, visitor_client, fake_stripe):
    """Cancelled from Stripe's dashboard (cancel_at set there): the membership ends the day before."""
    membership_id, subscription = paid
    last = date.today() + timedelta(days=20)
    subscription["cancel_at"] = int(datetime.combine(last + timedelta(days=1), time(), tzinfo=TOKYO).timestamp())

    deliver(visitor_client, "customer.subscription.updated", subscription)

    after = shown(visitor_client, membership_id)
    assert (after["status"], after["ends_on"]) == ("cancelled", last.isoformat())


def test_a_subscription_ended_for_non_payment_ends_the_membership(space, plan, visitor_client, fake_stripe, clock):
    real_today = clock.today
    clock.today = real_today - timedelta(days=40)
    membership = join(visitor_client, plan).json()
    subscription = subscription_of(fake_stripe, membership["id"])
    fake_stripe.invoice_pay(subscription["id"])
    deliver(visitor_client, "invoice.paid", fake_stripe.invoices[subscription["latest_invoice"]])
    clock.today = real_today
    fake_stripe.invoice_renew_and_fail(subscription["id"])
    fake_stripe.subscription_end(subscription["id"])

    deliver(visitor_client, "customer.subscription.deleted", subscription)

    after = shown(visitor_client, membership["id"])
    assert (after["status"], after["ends_on"]) == ("ended", (real_today - timedelta(days=1)).isoformat())
    assert join(visitor_client, plan).status_code == 201


def test_unpaid_it_lapses_and_can_be_joined_again(plan, visitor_client, fake_stripe):
    membership = join(visitor_client, plan).json()
    refused = visitor_client.post(f"{MEMBERSHIPS}{membership['id']}/cancel/")
    assert refused.status_code == 409 and error(refused)["code"] == "membership_not_cancellable"
    subscription = subscription_of(fake_stripe, membership["id"])
    fake_stripe.subscription_end(subscription["id"])

    deliver(visitor_client, "customer.subscription.updated", subscription)

    assert visitor_client.get(MEMBERSHIPS).json()["results"] == []
    assert join(visitor_client, plan).status_code == 201


def test_events_of_subscriptions_and_invoices_stripe_or_we_do_not_know_are_acknowledged(
    paid, visitor_client, fake_stripe
):
    membership_id, _subscription = paid
    before = shown(visitor_client, membership_id)
    stranger = {"id": "sub_unknown", "object": "subscription", "status": "past_due"}
    other_customer = dict(fake_stripe.subscriptions[_subscription["id"]], id="sub_elsewhere")
    fake_stripe.subscriptions["sub_elsewhere"] = dict(other_customer, status="past_due", metadata={})

    for kind, obj in [
        ("customer.subscription.updated", stranger),
        ("customer.subscription.deleted", stranger),
        ("invoice.payment_failed", {"id": "in_unknown", "object": "invoice"}),
        ("customer.subscription.updated", fake_stripe.subscriptions["sub_elsewhere"]),
    ]:
        response = deliver(visitor_client, kind, obj)
        assert (response.status_code, response.json()) == (200, {"received": True})

    assert shown(visitor_client, membership_id) == before


def test_a_subscription_event_with_a_bad_signature_changes_nothing(paid, visitor_client, fake_stripe):
    membership_id, subscription = paid
    fake_stripe.invoice_renew_and_fail(subscription["id"])

    response = invoice_event(
        visitor_client, fake_stripe, "invoice.payment_failed", subscription, secret="whsec_someone_else"
    )

    assert response.status_code == 400 and error(response)["code"] == "webhook_signature_invalid"
    assert shown(visitor_client, membership_id)["status"] == "active"


def test_stripe_unreachable_when_joining_keeps_nothing_and_when_cancelling_changes_nothing(
    plan, visitor_client, fake_stripe
):
    fake_stripe.down = True
    refused = join(visitor_client, plan)

    assert refused.status_code == 503 and error(refused)["code"] == "membership_billing_unavailable"
    assert Membership.objects.count() == 0

    fake_stripe.down = False
    membership = join(visitor_client, plan).json()
    subscription = subscription_of(fake_stripe, membership["id"])
    fake_stripe.invoice_pay(subscription["id"])
    deliver(visitor_client, "invoice.paid", fake_stripe.invoices[subscription["latest_invoice"]])
    fake_stripe.down = True
    refused = visitor_client.post(f"{MEMBERSHIPS}{membership['id']}/cancel/")

    assert refused.status_code == 503 and error(refused)["code"] == "membership_billing_unavailable"
    assert shown(visitor_client, membership["id"])["status"] == "active"
    assert subscription["cancel_at"] is None


def test_a_free_plan_is_not_a_subscription_even_with_stripe(space, visitor_client, fake_stripe):
    plan = PlanFactory(facility=space[0], monthly_price_yen=0)

    membership = join(visitor_client, plan).json()

    assert (membership["billing"], membership["status"]) == ("onsite", "active")
    assert fake_stripe.subscriptions == {}


def test_the_event_before_the_join_stored_the_subscription_still_finds_the_membership(
    plan, visitor_client, fake_stripe
):
    membership = join(visitor_client, plan).json()
    subscription = subscription_of(fake_stripe, membership["id"])
    Membership.objects.filter(pk=membership["id"]).update(stripe_subscription_id="")
    fake_stripe.invoice_pay(subscription["id"])

    deliver(visitor_client, "invoice.paid", fake_stripe.invoices[subscription["latest_invoice"]])

    assert shown(visitor_client, membership["id"])["status"] == "active"
    assert Membership.objects.get(pk=membership["id"]).stripe_subscription_id == subscription["id"]
