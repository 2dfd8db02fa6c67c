"""Late payments on dates the facility has since closed, and the expiry job carrying on past a bad row."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking, UnitStock
from bookings.services import closure_create
from payments import services, stripe_gateway
from payments.models import Payment, Refund, WebhookEvent
from payments.serializers import PaymentSerializer
from payments.services import payment_refund
from tests.payments.factories import HeldBookingFactory
from tests.payments.helpers import deliver, payment_start

pytestmark = pytest.mark.django_db


def seen(booking) -> dict:
    booking = Booking.objects.get(pk=booking.pk)
    return {
        "status": booking.status,
        "cancel_code": booking.cancel_code,
        "payment": dict(PaymentSerializer(Payment.objects.get(booking=booking)).data),
    }


def taken(booking) -> list[int]:
    return list(UnitStock.objects.filter(unit=booking.unit).order_by("date").values_list("taken", flat=True))


def expired_hold(fake_stripe, **kwargs):
    """A booking whose hold expired while Stripe could not be told to cancel its intent."""
    booking = HeldBookingFactory(unit__price_yen=9000, **kwargs)
    intent_id = payment_start(booking=booking).stripe_payment_intent_id
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    fake_stripe.down = True
    call_command("expire_holds")
    fake_stripe.down = False
    assert seen(booking)["status"] == "cancelled"
    return booking, intent_id


def close_the_dates(booking):
    closure_create(
        unit=booking.unit,
        start_date=booking.check_in,
        end_date=booking.check_out - dt.timedelta(days=1),
        reason="屋根の修理",
    )


def test_late_payment_on_dates_closed_since_is_refunded_in_full_and_the_event_recorded(api_client, fake_stripe):
    booking, intent_id = expired_hold(fake_stripe)
    close_the_dates(booking)
    intent = fake_stripe.pay(intent_id)

    response = deliver(api_client, "payment_intent.succeeded", intent, event_id="evt_late_closed")

    assert response.status_code == 200
    assert WebhookEvent.objects.filter(event_id="evt_late_closed").exists()
    result = seen(booking)
    assert (result["status"], result["payment"]["status"], result["payment"]["refunded_yen"]) == (
        "cancelled",
        "succeeded",
        18000,
    )
    assert [(r["amount_yen"], r["status"], r["reason"]) for r in result["payment"]["refunds"]] == [
        (18000, "succeeded", services.REASON_DATES_CLOSED)
    ]
    assert [r["amount"] for r in fake_stripe.refunds_of(intent_id)] == [18000]
    assert taken(booking) == [0, 0]


def test_expiry_finding_a_late_payment_on_closed_dates_refunds_it_and_carries_on(fake_stripe):
    """The webhook has not arrived; the job itself finds the paid intent. It must neither stop nor skip others."""
    closed, closed_intent = expired_hold(fake_stripe)
    close_the_dates(closed)
    fake_stripe.pay(closed_intent)
    other, other_intent = expired_hold(fake_stripe)

    call_command("expire_holds")
    call_command("expire_holds")

    assert seen(closed)["payment"]["refunded_yen"] == 18000
    assert [r["amount"] for r in fake_stripe.refunds_of(closed_intent)] == [18000]
    assert fake_stripe.intents[other_intent]["status"] == "canceled"
    assert seen(other)["payment"]["status"] == "cancelled"


def test_one_payment_failing_unexpectedly_does_not_stop_the_others_or_the_refunds(fake_stripe, monkeypatch):
    first, first_intent = expired_hold(fake_stripe)
    second, second_intent = expired_hold(fake_stripe)
    paid = HeldBookingFactory(unit__price_yen=9000)
    paid_intent = payment_start(booking=paid).stripe_payment_intent_id
    fake_stripe.pay(paid_intent)
    Payment.objects.filter(booking=paid).update(status="succeeded")
    Booking.objects.filter(pk=paid.pk).update(status="cancelled", cancel_code="operator")
    fake_stripe.down = True
    payment_refund(booking=paid, amount_yen=18000, reason="operator")  # recorded, not sent yet
    fake_stripe.down = False
    real_cancel = stripe_gateway.intent_cancel
    attempted = []

    def cancel_failing_once(intent_id):
        attempted.append(intent_id)
        if len(attempted) == 1:
            raise RuntimeError("unexpected answer")
        return real_cancel(intent_id)

    monkeypatch.setattr(stripe_gateway, "intent_cancel", cancel_failing_once)

    call_command("expire_holds")

    assert sorted(attempted) == sorted([first_intent, second_intent])
    survivor = second_intent if attempted[0] == first_intent else first_intent
    assert fake_stripe.intents[survivor]["status"] == "canceled"
    assert fake_stripe.intents[attempted[0]]["status"] == "requires_payment_method"
    assert seen(paid)["payment"]["refunded_yen"] == 18000


def test_one_refund_failing_unexpectedly_does_not_stop_the_others(fake_stripe, monkeypatch):
    bookings = []
    for _ in range(2):
        booking = HeldBookingFactory(unit__price_yen=9000)
        fake_stripe.pay(payment_start(booking=booking).stripe_payment_intent_id)
        Payment.objects.filter(booking=booking).update(status="succeeded")
        Booking.objects.filter(pk=booking.pk).update(status="cancelled", cancel_code="operator")
        bookings.append(booking)
    fake_stripe.down = True
    for booking in bookings:
        payment_refund(booking=booking, amount_yen=18000, reason="operator")
    fake_stripe.down = False
    real_create = stripe_gateway.refund_create
    calls = []

    def create_failing_once(**kwargs):
        calls.append(kwargs["intent_id"])
        if len(calls) == 1:
            raise RuntimeError("unexpected answer")
        return real_create(**kwargs)

    monkeypatch.setattr(stripe_gateway, "refund_create", create_failing_once)

    call_command("expire_holds")

    assert len(calls) == 2
    refunded = sorted(seen(booking)["payment"]["refunded_yen"] for booking in bookings)
    assert refunded == [0, 18000]
    # The one that failed is still waiting to be sent, and goes on the next run.
    call_command("expire_holds")
    assert [seen(booking)["payment"]["refunded_yen"] for booking in bookings] == [18000, 18000]


def test_a_payment_recorded_without_an_intent_is_cancelled_once_its_booking_is(fake_stripe):
    """The process stopped after recording the payment but before Stripe's answer was saved."""
    expired = HeldBookingFactory(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    holding = HeldBookingFactory()
    for booking in (expired, holding):
        Payment.objects.create(booking=booking, provider="stripe", status="pending", amount_yen=booking.total_yen)

    call_command("expire_holds")

    assert (seen(expired)["status"], seen(expired)["payment"]["status"]) == ("cancelled", "cancelled")
    assert (seen(holding)["status"], seen(holding)["payment"]["status"]) == ("pending", "pending")
    assert fake_stripe.requests == []


def test_totals_below_stripes_minimum_are_paid_on_site(fake_stripe):
    small = HeldBookingFactory(unit__price_yen=24)  # two nights: 48 yen
    smallest_by_card = HeldBookingFactory(unit__price_yen=25)  # 50 yen

    payment_start(booking=small)
    payment_start(booking=smallest_by_card)

    assert (seen(small)["status"], seen(small)["payment"]["provider"]) == ("confirmed", "onsite")
    assert (seen(smallest_by_card)["status"], seen(smallest_by_card)["payment"]["provider"]) == ("pending", "stripe")
    assert [params["amount"] for _, _, params in fake_stripe.requests] == ["50"]
    assert not Refund.objects.exists()
