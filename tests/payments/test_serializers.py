"""A booking's payment is written out by hand for speed: it must say exactly what the declared fields say."""

import json

import pytest
from rest_framework import serializers

from payments.models import Payment, Refund
from payments.serializers import BookingPaymentSerializer
from tests.payments.factories import HeldBookingFactory

pytestmark = pytest.mark.django_db


def payments() -> list[Payment]:
    on_site = Payment.objects.create(
        booking=HeldBookingFactory(), provider="onsite", status="pay_on_site", amount_yen=8000
    )
    by_card = Payment.objects.create(
        booking=HeldBookingFactory(),
        provider="stripe",
        status="pending",
        amount_yen=18000,
        stripe_payment_intent_id="pi_1",
        client_secret="pi_1_secret_x",
    )
    refunded = Payment.objects.create(
        booking=HeldBookingFactory(),
        provider="stripe",
        status="succeeded",
        amount_yen=18000,
        refunded_yen=9000,
        stripe_payment_intent_id="pi_2",
        client_secret="pi_2_secret_y",
    )
    Refund.objects.create(payment=refunded, amount_yen=9000, status="succeeded", reason="キャンセル")
    Refund.objects.create(payment=refunded, amount_yen=3600, status="pending")
    return [on_site, by_card, Payment.objects.prefetch_related("refunds").get(pk=refunded.pk)]


@pytest.mark.parametrize("is_visitor", [True, False])
def test_a_written_out_payment_equals_the_declared_fields(is_visitor):
    serializer = BookingPaymentSerializer(context={"is_visitor": is_visitor})
    made = payments()

    written = [serializer.to_representation(payment) for payment in made]
    declared = [serializers.Serializer.to_representation(serializer, payment) for payment in made]

    # Same keys in the same order, same values of the same JSON types.
    assert json.dumps(written, ensure_ascii=False) == json.dumps(declared, ensure_ascii=False)
    assert [row["client_secret"] for row in written] == (
        [None, "pi_1_secret_x", "pi_2_secret_y"] if is_visitor else [None, None, None]
    )
    assert [len(row["refunds"]) for row in written] == [0, 0, 2]
    assert written[2]["refunds"][0]["reason"] == "キャンセル"
