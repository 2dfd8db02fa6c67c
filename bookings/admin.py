"""Admin pages for bookings: read-only records (changes go through the API's services so that stock and
payments stay consistent), and editable closures and price overrides."""
from django.contrib import admin

from backend.admin import ReadOnlyMixin

from .models import Booking, BookingLine, CalendarFeed, Closure, PriceOverride, UnitStock


class BookingLineInline(admin.TabularInline):
    model = BookingLine
    extra = 0
    can_delete = False
    readonly_fields = ("date", "price_yen")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "unit", "visitor", "check_in", "check_out", "status", "total_yen", "created_at")
    list_filter = ("status", "kind", "unit__facility__municipality")
    search_fields = ("visitor__email", "unit__name_ja", "unit__facility__name_ja")
    list_select_related = ("unit__facility", "visitor")
    date_hierarchy = "check_in"
    inlines = [BookingLineInline]


@admin.register(UnitStock)
class UnitStockAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("unit", "date", "taken", "total")
    list_select_related = ("unit__facility",)
    date_hierarchy = "date"


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("unit", "start_date", "end_date", "reason")
    list_select_related = ("unit__facility",)
    raw_id_fields = ("unit",)
    readonly_fields = ("sequence",)

    def save_model(self, request, obj, form, change):
        # Calendars notice an edited closure only by its SEQUENCE, as with edits through the API.
        if change and set(form.changed_data) & set(Closure.SHOWN_FIELDS):
            obj.sequence += 1
        super().save_model(request, obj, form, change)


@admin.register(PriceOverride)
class PriceOverrideAdmin(admin.ModelAdmin):
    list_display = ("unit", "start_date", "end_date", "price_yen", "label")
    list_select_related = ("unit__facility",)
    raw_id_fields = ("unit",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "owner", "scope", "unit", "facility", "created_at", "rotated_at")
    exclude = ("token",)
