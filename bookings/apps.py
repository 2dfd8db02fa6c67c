from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
        from . import imports, services

        if imports.conflicts_take_freed_stock not in services.stock_released_hooks:
            services.stock_released_hooks.append(imports.conflicts_take_freed_stock)
