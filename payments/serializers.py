"""How a booking's payment and refunds appear in booking responses."""
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
