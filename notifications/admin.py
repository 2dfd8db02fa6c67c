from django.contrib import admin

from .models import Device


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "platform", "language", "active", "updated_at"]
    list_filter = ["platform", "active"]
    readonly_fields = ["user", "platform", "token", "language", "created_at", "updated_at"]
