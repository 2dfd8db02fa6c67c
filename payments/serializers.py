"""How a booking's payment and refunds appear in booking responses."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Payment, Refund


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["amount_yen", "status", "reason", "created_at"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    refunds = RefundSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = ["provider", "status", "amount_yen", "refunded_yen", "client_secret", "refunds"]
        read_only_fields = fields


class BookingPaymentSerializer(PaymentSerializer):
    """The payment as the booking's own visitor sees it; anyone else gets no client secret."""

    client_secret = serializers.SerializerMethodField()

    class Meta(PaymentSerializer.Meta):
        pass

    @extend_schema_field({"type": "string", "nullable": True})
    def get_client_secret(self, payment):
        # Null, not "", when there is none (payment on site), as the schema says.
        return (payment.client_secret or None) if self.context.get("is_visitor") else None

    def to_representation(self, instance):
        """The declared fields, written out: every booking answer carries a payment, and building the two model
        serializers' fields took longer than the values (`tests/payments/test_serializers.py` holds it equal)."""
        payment = instance
        return {
            "provider": str(payment.provider),
            "status": str(payment.status),
            "amount_yen": int(payment.amount_yen),
            "refunded_yen": int(payment.refunded_yen),
            "client_secret": self.get_client_secret(payment),
            "refunds": [
                {
                    "amount_yen": int(refund.amount_yen),
                    "status": str(refund.status),
                    "reason": str(refund.reason),
                    "created_at": _DATETIME.to_representation(refund.created_at),
                }
                for refund in payment.refunds.all()
            ],
        }


# The refunds' datetimes, formatted as the declared DateTimeField formats them.
_DATETIME = serializers.DateTimeField()


def booking_payment_data(*, booking, is_visitor: bool) -> dict | None:
    """The `payment` of a booking response (bookings.hooks.payment_data)."""
    try:
        payment = booking.payment
    except Payment.DoesNotExist:
        return None
    return BookingPaymentSerializer(payment, context={"is_visitor": is_visitor}).data
