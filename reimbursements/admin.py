"""Admin: staff edit programmes with their category rules inline; the claim audit trail is read-only."""
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


class ExpenseLineInline(admin.TabularInline):
    model = ExpenseLine
    extra = 0
    readonly_fields = ["reimbursable_yen", "reason"]


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["id", "programme", "visitor", "status", "total_reimbursable_yen", "approved_amount_yen"]
    list_filter = ["status", "programme"]
    # Status changes go through the API's services so that the audit trail and the limits hold.
    readonly_fields = ["status", "approved_by", "approved_at", "approved_amount_yen", "submitted_at", "paid_at",
                       "lodging_reimbursable_yen", "total_reimbursable_yen"]
    inlines = [ExpenseLineInline, ClaimEventInline]


@admin.register(ClaimEvent)
class ClaimEventAdmin(admin.ModelAdmin):
    list_display = ["claim", "from_status", "to_status", "actor", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
