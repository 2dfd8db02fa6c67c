from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts import hooks as account_hooks
from bookings import hooks
from facilities import hooks as catalogue_hooks
from payments import hooks as payment_hooks


class MembershipsConfig(AppConfig):
    name = "memberships"
    verbose_name = _("Memberships")

    def ready(self):
        # Looked up at call time, so that replacing a function (as tests do) replaces what bookings calls.
        from . import selectors, serializers, services

        hooks.member_charge.register(lambda **kwargs: services.member_charge(**kwargs))
        hooks.booking_cancelled.register(lambda **kwargs: services.credits_give_back(booking_id=kwargs["booking_id"]))
        hooks.booking_released.register(lambda **kwargs: services.credits_give_back(**kwargs))
        payment_hooks.subscription_changed.register(lambda **kwargs: services.membership_subscription_sync(**kwargs))
        catalogue_hooks.facility_plans.register(lambda **kwargs: serializers.facility_plans_shown(**kwargs))
        account_hooks.deletion_blockers.register(selectors.visitor_memberships_running)
