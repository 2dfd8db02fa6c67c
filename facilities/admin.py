"""Django admin for the catalogue: places, facilities with their certificates and photos, units (through the
services, as the operators' API)."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.admin import ReadOnlyMixin, ServiceAdmin

from . import services
from .models import Area, Certification, Facility, Landmark, Municipality, OperatorOrganisation, Photo, Unit


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ja", "name_kana", "name_en", "prefecture_ja")
    search_fields = ("code", "name_ja", "name_kana", "name_en", "prefecture_ja", "prefecture_en")
    inlines = [AreaInline]


@admin.register(Landmark)
class LandmarkAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ja", "kind", "municipality", "latitude", "longitude")
    list_filter = ("kind", "municipality")
    search_fields = ("code", "name_ja", "name_en")


@admin.register(OperatorOrganisation)
class OperatorOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email", "phone")
    search_fields = ("name",)


class UnitInline(ReadOnlyMixin, admin.TabularInline):
    """Shown here, edited on their own page (UnitAdmin), through the services."""

    model = Unit
    extra = 0
    fields = ("unit_type", "name_ja", "capacity", "count", "price_yen", "min_nights", "max_nights", "is_active")
    readonly_fields = fields
    show_change_link = True


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("name_ja", "kind", "municipality", "area", "operator", "is_published")
    list_filter = ("kind", "municipality", "is_published", "private_booths", "parking")
    search_fields = ("name_ja", "name_en", "address_ja")
    list_select_related = ("municipality", "area", "operator")
    inlines = [UnitInline, CertificationInline, PhotoInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Unit)
class UnitAdmin(ServiceAdmin):
    """Through the services, as the operators' API: a unit type fit for the facility's kind, a maximum stay not
    shorter than the minimum; a unit with pending or confirmed bookings is not deleted, one with past bookings
    is deactivated instead."""

    list_display = ("name_ja", "facility", "unit_type", "capacity", "count", "price_yen", "is_active")
    list_filter = ("unit_type", "is_active")
    list_select_related = ("facility",)
    search_fields = ("name_ja", "name_en", "facility__name_ja")
    raw_id_fields = ("facility",)

    def get_readonly_fields(self, request, obj=None):
        # A unit keeps its facility (its bookings and the town's claims refer to both).
        return ("facility",) if obj is not None else ()

    def service_create(self, *, request, fields):
        return services.unit_create(**fields)

    def service_update(self, *, request, obj, changes):
        return services.unit_update(unit=obj, **changes)

    def service_delete(self, *, request, obj):
        if services.unit_delete(unit=obj) is not None:
            self.message_user(request, _("The unit has past bookings: it is kept, deactivated."), messages.WARNING)
