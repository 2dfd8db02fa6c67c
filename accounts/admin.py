from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "organisation", "municipality", "is_staff", "deleted"]
    list_filter = ["role", "is_staff", "is_active", ("deleted_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["deleted_at"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {"fields": ["full_name", "phone", "home_prefecture", "home_municipality", "home_municipality_code"]},
        ),
        (_("Role"), {"fields": ["role", "organisation", "municipality"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Deletion"), {"fields": ["deleted_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "role", "organisation", "municipality", "password1", "password2"],
            },
        )
    ]

    @admin.display(boolean=True, description=_("deleted"), ordering="deleted_at")
    def deleted(self, user: User) -> bool:
        return user.deleted_at is not None
