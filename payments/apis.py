"""The Stripe webhook endpoint."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .webhooks import WebhookRetry, webhook_receive


class WebhookAckSerializer(serializers.Serializer):
    received = serializers.BooleanField()


class StripeWebhookApi(APIView):
    # Stripe authenticates by signing the body, not with a user's credentials; it must never be throttled.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        operation_id="payments_stripe_webhook",
        summary="Stripe webhook (called by Stripe, not by the app)",
        description=(
            "Receives Stripe events, verified with the `Stripe-Signature` header on the raw body. "
            "Each event is processed once; a replay answers 200 and changes nothing."
        ),
        request={"application/json": OpenApiTypes.OBJECT},
        responses={
            200: WebhookAckSerializer,
            # 400 (signature does not match the body) gets the shared error shape from the schema hook.
            503: OpenApiResponse(WebhookAckSerializer, description="Not handled now; Stripe delivers it again."),
        },
        auth=[],
        tags=["payments"],
    )
    def post(self, request):
        # request.body, never request.data: the signature covers the exact bytes Stripe sent.
        try:
            webhook_receive(payload=request.body, signature=request.headers.get("Stripe-Signature"))
        except WebhookRetry:
            return Response({"received": False}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({"received": True})
