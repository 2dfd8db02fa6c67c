"""Admin: staff edit programmes with their category rules inline; claims, their lines and the audit trail are
read-only here, because every change of a claim goes through the API's services (limits, budget, audit trail)."""
from django.contrib import admin

from .models import CategoryRule, Claim, ClaimEvent, ExpenseLine, Programme


class CategoryRuleInline(admin.TabularInline):
    model = CategoryRule
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "municipality", "valid_from", "valid_until", "budget_yen", "is_active"]
    list_filter = ["is_active", "municipality"]
    search_fields = ["code", "name_ja", "name_en"]
    inlines = [CategoryRuleInline]


class ReadOnlyMixin:
    """View permission only: the pages render, and any POST to them is refused with 403."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ExpenseLineInline(ReadOnlyMixin, admin.TabularInline):
    model = ExpenseLine
    extra = 0
    fields = ["category", "date", "amount_yen", "persons", "reimbursable_yen", "reason", "disallowed_reason",
              "disallowed_by", "receipt"]
    readonly_fields = fields  # type: ignore[assignment]  # plain names; the stubs type `fields` as field groups


class ClaimEventInline(ReadOnlyMixin, admin.TabularInline):
    model = ClaimEvent
    extra = 0
    fields = ["from_status", "to_status", "actor", "at", "note"]
    readonly_fields = fields  # type: ignore[assignment]  # plain names; the stubs type `fields` as field groups


@admin.register(Claim)
class ClaimAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "programme", "visitor", "status", "total_reimbursable_yen", "approved_amount_yen"]
    list_filter = ["status", "programme"]
    list_select_related = ["programme", "visitor"]
    search_fields = ["visitor__email"]
    fields = ["booking", "visitor", "programme", "status", "lodging_reimbursable_yen", "total_reimbursable_yen",
              "submitted_at", "approved_by", "approved_at", "approved_amount_yen", "rejection_reason", "paid_at",
              "created_at", "updated_at"]
    readonly_fields = fields  # type: ignore[assignment]  # plain names; the stubs type `fields` as field groups
    inlines = [ExpenseLineInline, ClaimEventInline]


@admin.register(ClaimEvent)
class ClaimEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["claim", "from_status", "to_status", "actor", "at"]
    list_select_related = ["claim", "actor"]
