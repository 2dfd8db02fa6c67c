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


def booking_payment_data(*, booking, is_visitor: bool) -> dict | None:
    """The `payment` of a booking response (bookings.hooks.payment_data)."""
    try:
        payment = booking.payment
    except Payment.DoesNotExist:
        return None
    return BookingPaymentSerializer(payment, context={"is_visitor": is_visitor}).data
