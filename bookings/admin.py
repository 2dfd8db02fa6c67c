"""Admin pages for bookings: read-only records (changes go through the API's services so that stock and
payments stay consistent), and closures and price overrides edited through the same services as the API."""

from django.contrib import admin

from backend.admin import ReadOnlyMixin, ServiceAdmin

from . import services
from .models import Booking, BookingEvent, BookingLine, CalendarFeed, Closure, PriceOverride, UnitStock


class BookingLineInline(admin.TabularInline):
    model = BookingLine
    extra = 0
    can_delete = False
    readonly_fields = ("date", "price_yen")

    def has_add_permission(self, request, obj=None):
        return False


class BookingEventInline(ReadOnlyMixin, admin.TabularInline):
    model = BookingEvent
    extra = 0
    fields = ("kind", "from_status", "to_status", "actor", "at", "note")
    readonly_fields = fields


@admin.register(Booking)
class BookingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "unit", "visitor", "check_in", "check_out", "status", "total_yen", "created_at")
    list_filter = ("status", "kind", "unit__facility__municipality")
    search_fields = ("visitor__email", "unit__name_ja", "unit__facility__name_ja")
    list_select_related = ("unit__facility", "visitor")
    date_hierarchy = "check_in"
    inlines = [BookingLineInline, BookingEventInline]


@admin.register(BookingEvent)
class BookingEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("booking", "kind", "from_status", "to_status", "actor", "at")
    list_filter = ("kind",)
    list_select_related = ("booking", "actor")


@admin.register(UnitStock)
class UnitStockAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("unit", "date", "taken", "total")
    list_select_related = ("unit__facility",)
    date_hierarchy = "date"


@admin.register(Closure)
class ClosureAdmin(ServiceAdmin):
    """Through the services, as the operators' API: no closure over booked nights; an edit calendars must
    notice raises the closure's SEQUENCE."""

    list_display = ("unit", "start_date", "end_date", "reason")
    list_select_related = ("unit__facility",)
    raw_id_fields = ("unit",)
    readonly_fields = ("sequence",)

    def service_create(self, *, request, fields):
        return services.closure_create(**fields)

    def service_update(self, *, request, obj, changes):
        return services.closure_update(closure=obj, **changes)

    def service_delete(self, *, request, obj):
        services.closure_delete(closure=obj)


@admin.register(PriceOverride)
class PriceOverrideAdmin(ServiceAdmin):
    """Through the services, as the operators' API: overrides of a unit never overlap."""

    list_display = ("unit", "start_date", "end_date", "price_yen", "label")
    list_select_related = ("unit__facility",)
    raw_id_fields = ("unit",)

    def service_create(self, *, request, fields):
        return services.price_override_create(**fields)

    def service_update(self, *, request, obj, changes):
        return services.price_override_update(override=obj, **changes)

    def service_delete(self, *, request, obj):
        services.price_override_delete(override=obj)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "owner", "scope", "unit", "facility", "created_at", "rotated_at")
    exclude = ("token",)
