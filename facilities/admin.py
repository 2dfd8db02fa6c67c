"""Django admin for the catalogue: places, facilities with their units, certificates and photos."""
from django.contrib import admin
from django.db import models

from .models import Area, Certification, Facility, Landmark, Municipality, OperatorOrganisation, Photo, Unit


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ja", "name_en", "prefecture_ja")
    search_fields = ("code", "name_ja", "name_en")
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


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ("unit_type", "name_ja", "capacity", "count", "price_yen", "min_nights", "max_nights", "is_active")


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
