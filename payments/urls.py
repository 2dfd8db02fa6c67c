"""URLs of the payments area."""

from django.urls import path

from .apis import StripeWebhookApi

urlpatterns = [
    path("payments/stripe/webhook/", StripeWebhookApi.as_view(), name="payments-stripe-webhook"),
]
