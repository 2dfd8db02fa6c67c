from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from bookings import hooks


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        # The payment provider of bookings. Looked up at call time, so that replacing a service (as tests do)
        # replaces what bookings calls.
        from . import (
            schema,  # noqa: F401  (documents the bookings' `payment` field)
            serializers,
            services,
        )

        hooks.payment_start.register(lambda **kwargs: services.payment_open(**kwargs))
        hooks.payment_refund.register(lambda **kwargs: services.payment_refund(**kwargs))
        hooks.payment_data.register(lambda **kwargs: serializers.booking_payment_data(**kwargs))
