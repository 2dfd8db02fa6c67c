"""URLs of the payments area."""

from django.urls import path

from .apis import PaymentCollectApi, StripeWebhookApi

urlpatterns = [
    path("payments/stripe/webhook/", StripeWebhookApi.as_view(), name="payments-stripe-webhook"),
    path("bookings/<str:booking_id>/payment/collect/", PaymentCollectApi.as_view(), name="booking-payment-collect"),
]
