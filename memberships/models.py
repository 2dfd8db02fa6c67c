"""Plans a coworking space sells by the month, visitors' memberships of them, each membership's append-only
ledger of room credit (in minutes), and the Stripe customers that pay memberships by card."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.audit import AppendOnlyModel
from facilities.models import Translated


class Plan(Translated, models.Model):
    """A monthly plan of a facility: the units it gives access to (free while it runs), hours of room credit each
    cycle for the units booked from credit, a price an hour over the credit, and how long credit and notice last."""

    facility = models.ForeignKey("facilities.Facility", on_delete=models.PROTECT, related_name="plans")
    name_ja = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    monthly_price_yen = models.PositiveIntegerField()
    # Unit types (Unit.Type) a member uses at no charge, e.g. ["desk"].
    access_unit_types = models.JSONField(default=list, blank=True)
    # Unit types a member books by the hour from the credit, then at `over_credit_price_per_hour_yen`.
    credit_unit_types = models.JSONField(default=list, blank=True)
    credit_hours = models.PositiveSmallIntegerField(default=0, help_text=_("Hours of room credit each cycle."))
    over_credit_price_per_hour_yen = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Null: the room's own price.")
    )
    carry_over_months = models.PositiveSmallIntegerField(
        default=0, help_text=_("How many later cycles unused credit lasts (0: it resets each cycle).")
    )
    notice_days = models.PositiveSmallIntegerField(default=0, help_text=_("Notice a cancellation gives, in days."))
    # A residents' plan (¥0): guests of this housing have it, without joining, for the days a confirmed stay there
    # covers (check-in to check-out day, both included).
    resident_housing = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, null=True, blank=True, related_name="resident_plans"
    )
    is_active = models.BooleanField(default=True, help_text=_("false: retired; nobody new joins it."))
    # Stripe Billing: the Product the plan is sold as and its monthly Price for `stripe_price_yen` (a Price never
    # changes its amount; a new monthly price gets a new Price when someone next joins).
    stripe_product_id = models.CharField(max_length=255, blank=True)
    stripe_price_id = models.CharField(max_length=255, blank=True)
    stripe_price_yen = models.PositiveIntegerField(null=True, blank=True)
    # Part of the idempotency keys sent to Stripe: ids restart after a database reset, this never repeats.
    idempotency_uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["facility_id", "id"]
        verbose_name = _("plan")
        constraints = [
            models.CheckConstraint(
                condition=Q(resident_housing__isnull=True) | Q(monthly_price_yen=0), name="plan_residents_free"
            ),
        ]

    def __str__(self):
        return self.name_ja


class Membership(models.Model):
    """A visitor's plan, from `starts_on`; cycles roll from that date (memberships.cycles). Cancelling sets
    `ends_on`, the last day covered, after the plan's notice. Paid on site, or by card as a Stripe Billing
    subscription whose status (as its webhooks report it) sets the membership's."""

    class Billing(models.TextChoices):
        ONSITE = "onsite", _("paid at the facility")
        STRIPE = "stripe", _("card (Stripe subscription)")

    class Status(models.TextChoices):
        # By card: joined, the first invoice not paid yet. It covers nothing and is granted no credit until paid.
        INCOMPLETE = "incomplete", _("awaiting its first payment")
        ACTIVE = "active", _("active")
        PAST_DUE = "past_due", _("payment past due")
        CANCELLED = "cancelled", _("cancelled (runs until its end date)")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="memberships")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The last cycle whose credit was granted (-1: none yet); grants catch up when the membership is next used.
    granted_cycle = models.IntegerField(default=-1)
    billing = models.CharField(max_length=10, choices=Billing.choices, default=Billing.ONSITE)
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    # Confirms the first invoice's payment with Stripe.js; shown to the visitor while the membership is incomplete.
    client_secret = models.CharField(max_length=255, blank=True)
    idempotency_uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("membership")
        indexes = [models.Index(fields=["visitor", "status"], name="membership_visitor_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="membership_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["stripe_subscription_id"],
                condition=~Q(stripe_subscription_id=""),
                name="membership_one_per_subscription",
            ),
        ]

    def __str__(self):
        return f"{self.plan} #{self.pk}"


class CreditEntry(AppendOnlyModel):
    """One movement of a membership's room credit, in minutes: a cycle's grant, a booking's use, its refund when
    cancelled, unused credit expiring at renewal. `balance_after` is the balance it leaves, never negative (a
    CHECK); entries are written under the membership's row lock, so each follows the one before."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("granted")
        USE = "use", _("used")
        REFUND = "refund", _("given back")
        EXPIRY = "expiry", _("expired")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="credit_entries")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    minutes = models.PositiveIntegerField()
    balance_after = models.IntegerField()
    cycle = models.IntegerField(help_text=_("The cycle it belongs to (0: the first)."))
    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["membership_id", "id"]
        verbose_name = _("credit entry")
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="credit_entry_minutes_positive"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="credit_entry_balance_never_negative"),
        ]


class BillingCustomer(models.Model):
    """A visitor's Customer at Stripe, made the first time they join a plan paid by card."""

    visitor = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    idempotency_uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe customer")
