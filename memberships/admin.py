"""Admin pages of coworking plans (written through the services, as the operators' API), memberships and their
credit ledgers (read-only: joins, notice, credit and billing change only through the services and Stripe's
events), and the Stripe customers that pay memberships."""

from django.contrib import admin

from backend.admin import ReadOnlyMixin, ServiceAdmin

from . import services
from .models import BillingCustomer, CreditEntry, Membership, Plan


@admin.register(Plan)
class PlanAdmin(ServiceAdmin):
    """The operators' checks apply: a coworking space's plan, unit types each once, a residents' plan free and tied
    to housing in its town. A plan is retired (`is_active`), never deleted: memberships refer to it."""

    list_display = ("name_ja", "facility", "monthly_price_yen", "credit_hours", "notice_days", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("facility",)
    search_fields = ("name_ja", "name_en", "facility__name_ja")
    raw_id_fields = ("facility", "resident_housing")
    readonly_fields = ("stripe_product_id", "stripe_price_id", "stripe_price_yen")

    def get_readonly_fields(self, request, obj=None):
        # A plan keeps its facility (its memberships and their bookings refer to both).
        return (*self.readonly_fields, "facility") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    @staticmethod
    def _fields(fields: dict) -> dict:
        out = {name: value for name, value in fields.items() if name in services.PLAN_FIELDS}
        if out.get("resident_housing") is not None:
            out["resident_housing"] = out["resident_housing"].pk
        return out

    def service_create(self, *, request, fields):
        return services.plan_create(facility=fields["facility"], **self._fields(fields))

    def service_update(self, *, request, obj, changes):
        return services.plan_update(plan=obj, **self._fields(changes))


class CreditEntryInline(admin.TabularInline):
    model = CreditEntry
    extra = 0
    can_delete = False
    fields = ("at", "kind", "minutes", "balance_after", "cycle", "booking")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "plan", "visitor", "status", "billing", "starts_on", "ends_on")
    list_filter = ("status", "billing")
    list_select_related = ("plan", "visitor")
    search_fields = ("visitor__email", "stripe_subscription_id", "plan__name_ja")
    exclude = ("client_secret",)
    inlines = [CreditEntryInline]


@admin.register(CreditEntry)
class CreditEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The append-only ledger: every grant, use, refund and expiry, as written."""

    list_display = ("id", "membership", "kind", "minutes", "balance_after", "cycle", "booking", "at")
    list_filter = ("kind",)
    list_select_related = ("membership__plan",)
    search_fields = ("membership__visitor__email",)


@admin.register(BillingCustomer)
class BillingCustomerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("visitor", "stripe_customer_id", "created_at")
    search_fields = ("visitor__email", "stripe_customer_id")
