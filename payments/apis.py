"""The Stripe webhook endpoint, and operators marking an on-site payment as collected."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOperator
from bookings import hooks as booking_hooks
from bookings import selectors as booking_selectors
from bookings.serializers import BookingSerializer

from .services import payment_collect
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


class PaymentCollectApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[OpenApiParameter("booking_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=None,
        responses=BookingSerializer,
        operation_id="bookings_payment_collect",
        summary="Mark an on-site payment as collected",
        description="The facility's operator marks the guest's on-site payment as paid (once; recorded in the "
        "booking's events). 409 when the booking is not paid on site, already collected, cancelled or not "
        "confirmed.",
        tags=["bookings"],
    )
    def post(self, request, booking_id: str):
        booking = booking_selectors.booking_get(user=request.user, booking_id=booking_id)
        payment_collect(booking=booking, operator=request.user)
        booking = booking_selectors.booking_for_response(booking_id=booking.pk)
        estimates = booking_hooks.estimates_for_bookings(bookings=[booking])
        return Response(BookingSerializer(booking, context={"request": request, "estimates": estimates}).data)
