"""Refunds after a cancellation: what the policy allows goes back through Stripe Refunds and shows on the booking."""
import pytest
from django.core.management import call_command

from bookings.models import Booking
from payments.models import Payment
from payments.serializers import PaymentSerializer
from payments.services import payment_refund, payment_start
from tests.payments.factories import HeldBookingFactory

pytestmark = pytest.mark.django_db


def payment_seen(booking) -> dict:
    return dict(PaymentSerializer(Payment.objects.get(booking=booking)).data)


@pytest.fixture
def paid(fake_stripe):
    booking = HeldBookingFactory(unit__price_yen=9000)
    payment = payment_start(booking=booking)
    fake_stripe.pay(payment.stripe_payment_intent_id)
    Payment.objects.filter(pk=payment.pk).update(status="succeeded")
    Booking.objects.filter(pk=booking.pk).update(status="cancelled", cancel_code="visitor")
    return booking, payment.stripe_payment_intent_id


def test_visitor_cancelling_inside_the_fee_window_gets_a_partial_refund(fake_stripe, paid):
    booking, intent_id = paid

    payment_refund(booking=booking, amount_yen=18000 - 5400, reason="visitor")

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
