"""Refunds after a cancellation: what the policy allows goes back through Stripe Refunds and shows on the booking."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking
from bookings.services import cancellation_fee
from payments.models import Payment, Refund, WebhookEvent
from payments.serializers import PaymentSerializer
from payments.services import payment_refund
from tests.payments.factories import HeldBookingFactory
from tests.payments.helpers import deliver, payment_start

pytestmark = pytest.mark.django_db


def payment_seen(booking) -> dict:
    return dict(PaymentSerializer(Payment.objects.get(booking=booking)).data)


@pytest.fixture
def paid(fake_stripe):
    """18,000 yen for two nights three days ahead; the unit keeps 30 % inside 7 days of check-in."""
    booking = HeldBookingFactory(
        unit__price_yen=9000,
        unit__free_cancellation_days=7,
        unit__cancellation_fee_percent=30,
        check_in=timezone.localdate() + dt.timedelta(days=3),
    )
    payment = payment_start(booking=booking)
    fake_stripe.pay(payment.stripe_payment_intent_id)
    Payment.objects.filter(pk=payment.pk).update(status="succeeded")
    Booking.objects.filter(pk=booking.pk).update(status="cancelled", cancel_code="visitor")
    return booking, payment.stripe_payment_intent_id


def test_visitor_cancelling_inside_the_fee_window_gets_a_partial_refund(fake_stripe, paid):
    booking, intent_id = paid
    fee = cancellation_fee(
        booking=Booking(
            unit=booking.unit, status=Booking.Status.CONFIRMED, check_in=booking.check_in, total_yen=booking.total_yen
        )
    )
    assert fee == 5400  # 30 % of 18,000

    payment_refund(booking=booking, amount_yen=booking.total_yen - fee, reason="visitor")

    seen = payment_seen(booking)
    assert seen["refunded_yen"] == 12600
    assert [(r["amount_yen"], r["status"], r["reason"]) for r in seen["refunds"]] == [(12600, "succeeded", "visitor")]
    _, path, params = fake_stripe.requests[-1]
    assert path == "/v1/refunds" and params["amount"] == "12600" and params["payment_intent"] == intent_id


def test_full_refund_in_the_free_period_or_by_the_operator(fake_stripe, paid):
    booking, intent_id = paid

    payment_refund(booking=booking, amount_yen=18000, reason="operator")

    assert payment_seen(booking)["refunded_yen"] == 18000
    assert [r["amount"] for r in fake_stripe.refunds_of(intent_id)] == [18000]


def test_never_refunds_more_than_was_paid(fake_stripe, paid):
    booking, intent_id = paid

    payment_refund(booking=booking, amount_yen=10000, reason="visitor")
    payment_refund(booking=booking, amount_yen=18000, reason="operator")

    assert payment_seen(booking)["refunded_yen"] == 18000
    assert [r["amount"] for r in fake_stripe.refunds_of(intent_id)] == [10000, 8000]


def test_nothing_to_refund_records_nothing(fake_stripe, paid):
    booking, intent_id = paid

    payment_refund(booking=booking, amount_yen=0, reason="visitor")

    assert payment_seen(booking)["refunds"] == []
    assert fake_stripe.refunds_of(intent_id) == []


def test_refund_while_stripe_is_down_is_sent_later_exactly_once(fake_stripe, paid):
    booking, intent_id = paid
    fake_stripe.down = True

    payment_refund(booking=booking, amount_yen=18000, reason="operator")

    seen = payment_seen(booking)
    assert seen["refunded_yen"] == 0
    assert [(r["amount_yen"], r["status"]) for r in seen["refunds"]] == [(18000, "pending")]
    fake_stripe.down = False
    call_command("expire_holds")
    call_command("expire_holds")
    seen = payment_seen(booking)
    assert seen["refunded_yen"] == 18000
    assert [(r["amount_yen"], r["status"]) for r in seen["refunds"]] == [(18000, "succeeded")]
    assert [r["amount"] for r in fake_stripe.refunds_of(intent_id)] == [18000]


def test_cancelling_before_paying_cancels_the_intent_instead_of_refunding(fake_stripe):
    booking = HeldBookingFactory()
    payment = payment_start(booking=booking)
    Booking.objects.filter(pk=booking.pk).update(status="cancelled", cancel_code="visitor")

    payment_refund(booking=booking, amount_yen=booking.total_yen, reason="visitor")

    assert fake_stripe.intents[payment.stripe_payment_intent_id]["status"] == "canceled"
    seen = payment_seen(booking)
    assert (seen["status"], seen["refunds"]) == ("cancelled", [])


def test_paid_just_as_the_visitor_cancelled_is_refunded_in_full(fake_stripe):
    booking = HeldBookingFactory(unit__price_yen=9000)
    payment = payment_start(booking=booking)
    fake_stripe.pay(payment.stripe_payment_intent_id)
    Booking.objects.filter(pk=booking.pk).update(status="cancelled", cancel_code="visitor")

    payment_refund(booking=booking, amount_yen=0, reason="visitor")

    seen = payment_seen(booking)
    assert (seen["status"], seen["refunded_yen"]) == ("succeeded", 18000)


def test_on_site_payments_have_nothing_to_refund(settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    booking = HeldBookingFactory()
    payment_start(booking=booking)

    payment_refund(booking=booking, amount_yen=booking.total_yen, reason="visitor")

    assert payment_seen(booking)["refunds"] == []


def test_refund_keys_carry_the_refunds_own_random_part_and_a_resend_reuses_the_key(fake_stripe, paid):
    booking, intent_id = paid
    fake_stripe.server_errors = 3  # the SDK's first try and both of its retries

    payment_refund(booking=booking, amount_yen=18000, reason="operator")
    call_command("expire_holds")

    refund = Refund.objects.get(payment__booking=booking)
    keys = [key for method, path, key in fake_stripe.sent_keys if path == "/v1/refunds"]
    assert keys == [f"refund-{refund.pk}-{refund.idempotency_uuid.hex}"] * 4
    assert [r["amount"] for r in fake_stripe.refunds_of(intent_id)] == [18000]
    assert refund.status == "succeeded"


@pytest.fixture
def pending_refund(fake_stripe, paid):
    """A refund Stripe accepted as pending: counted, but not yet on the card."""
    booking, intent_id = paid
    fake_stripe.refund_status = "pending"
    payment_refund(booking=booking, amount_yen=18000, reason="operator")
    assert payment_seen(booking)["refunded_yen"] == 18000
    return booking, fake_stripe.refunds_of(intent_id)[0]


@pytest.mark.parametrize("event_type", ["refund.updated", "charge.refund.updated"])
def test_pending_refund_that_succeeds_is_shown_refunded(api_client, fake_stripe, pending_refund, event_type):
    booking, refund = pending_refund

    response = deliver(api_client, event_type, fake_stripe.settle_refund(refund["id"], "succeeded"))

    assert response.status_code == 200
    seen = payment_seen(booking)
    assert seen["refunded_yen"] == 18000
    assert [(r["amount_yen"], r["status"]) for r in seen["refunds"]] == [(18000, "succeeded")]


@pytest.mark.parametrize("event_type", ["refund.failed", "refund.updated", "charge.refund.updated"])
def test_refund_that_fails_is_taken_off_the_refunded_total_and_shown_failed(
    api_client, fake_stripe, pending_refund, event_type
):
    booking, refund = pending_refund

    response = deliver(api_client, event_type, fake_stripe.settle_refund(refund["id"], "failed"))

    assert response.status_code == 200
    seen = payment_seen(booking)
    assert seen["refunded_yen"] == 0
    assert [(r["amount_yen"], r["status"]) for r in seen["refunds"]] == [(18000, "failed")]


def test_refund_event_is_acted_on_as_stripe_reports_the_refund_now_and_only_once(
    api_client, fake_stripe, pending_refund
):
    booking, refund = pending_refund
    stale = dict(refund)  # still "pending" in the payload
    fake_stripe.settle_refund(refund["id"], "failed")

    deliver(api_client, "refund.updated", stale, event_id="evt_refund_once")
    deliver(api_client, "refund.failed", fake_stripe.refunds[refund["id"]])
    deliver(api_client, "refund.updated", stale, event_id="evt_refund_once")

    assert payment_seen(booking)["refunded_yen"] == 0
    assert WebhookEvent.objects.filter(event_id="evt_refund_once").count() == 1


def test_stripe_unreachable_while_re_reading_a_refund_asks_for_a_retry(api_client, fake_stripe, pending_refund):
    booking, refund = pending_refund
    fake_stripe.down = True

    response = deliver(api_client, "refund.failed", refund, event_id="evt_refund_retry")

    assert response.status_code == 503
    assert not WebhookEvent.objects.filter(event_id="evt_refund_retry").exists()
    assert payment_seen(booking)["refunds"][0]["status"] == "pending"


@pytest.mark.parametrize("outcome, refunded", [("succeeded", 18000), ("failed", 0)])
def test_the_periodic_job_follows_up_pending_refunds_without_any_event(fake_stripe, pending_refund, outcome, refunded):
    booking, refund = pending_refund
    call_command("expire_holds")
    assert payment_seen(booking)["refunds"][0]["status"] == "pending"
    fake_stripe.settle_refund(refund["id"], outcome)

    call_command("expire_holds")

    seen = payment_seen(booking)
    assert (seen["refunded_yen"], seen["refunds"][0]["status"]) == (refunded, outcome)
