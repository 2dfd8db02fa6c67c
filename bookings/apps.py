from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts import hooks as account_hooks
from facilities import hooks as catalogue_hooks


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self):
        from . import imports, search_prices, selectors, services, signals, stays  # noqa: F401  (signals connects)

        catalogue_hooks.units_open_and_free.register(stays.units_open_and_free)
        catalogue_hooks.units_have_active_bookings.register(selectors.units_have_active_bookings)
        catalogue_hooks.units_have_bookings.register(selectors.units_have_bookings)
        catalogue_hooks.units_priced.register(search_prices.units_priced)
        services.stock_released.register(imports.conflicts_take_freed_stock)
        services.slots_released.register(imports.conflicts_take_freed_slots)
        account_hooks.deletion_blockers.register(selectors.visitor_bookings_to_come)
