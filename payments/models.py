"""Payments of bookings, their refunds, and the Stripe events already processed."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    class Provider(models.TextChoices):
        ONSITE = "onsite", _("pay at the facility")
        STRIPE = "stripe", _("card (Stripe)")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting payment")
        PAY_ON_SITE = "pay_on_site", _("to be paid at the facility")
        SUCCEEDED = "succeeded", _("paid")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    booking = models.OneToOneField("bookings.Booking", on_delete=models.PROTECT, related_name="payment")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PENDING)
    amount_yen = models.PositiveIntegerField()
    refunded_yen = models.PositiveIntegerField(default=0)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    client_secret = models.CharField(max_length=255, blank=True)
    # Part of the idempotency keys sent to Stripe: ids restart after a database reset, this never repeats.
    # Null only on rows made before it existed, which keep the keys they were first sent with.
    idempotency_uuid = models.UUIDField(default=uuid.uuid4, null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(refunded_yen__lte=F("amount_yen")), name="payment_refund_within_amount"),
        ]


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("refunded")
        FAILED = "failed", _("failed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_yen = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=200, blank=True)
    stripe_refund_id = models.CharField(max_length=255, blank=True, db_index=True)
    idempotency_uuid = models.UUIDField(default=uuid.uuid4, null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount_yen__gt=0), name="refund_amount_positive")]


class WebhookEvent(models.Model):
    """Every Stripe event id is processed once: a replay finds its row and does nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
