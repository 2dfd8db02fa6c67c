"""Consultations in the admin: read-only, since slots and bookings change only through the services."""

from django.contrib import admin

from backend.admin import ReadOnlyMixin

from .models import Consultation, ConsultationSlot


@admin.register(ConsultationSlot)
class ConsultationSlotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "municipality", "starts_at", "minutes", "mode", "capacity", "booked"]
    list_filter = ["mode", "municipality"]


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "slot", "visitor", "status", "language", "created_at"]
    list_filter = ["status"]
    list_select_related = ["slot", "visitor"]
    raw_id_fields = ["slot", "visitor"]
