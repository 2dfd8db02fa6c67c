"""Admin pages for payments, refunds and received webhook events: read-only records of what Stripe did."""

from django.contrib import admin

from backend.admin import ReadOnlyMixin

from .models import Payment, Refund, WebhookEvent


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    readonly_fields = ("amount_yen", "status", "reason", "stripe_refund_id", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "booking", "provider", "status", "amount_yen", "refunded_yen", "created_at")
    list_filter = ("provider", "status")
    search_fields = ("stripe_payment_intent_id", "booking__visitor__email")
    exclude = ("client_secret",)
    inlines = [RefundInline]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("event_id", "event_type", "received_at")
    search_fields = ("event_id",)
