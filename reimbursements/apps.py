from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts import hooks as account_hooks
from bookings import hooks


class ReimbursementsConfig(AppConfig):
    name = "reimbursements"
    verbose_name = _("Reimbursements")

    def ready(self):
        # What bookings shows and does for the subsidies. Looked up at call time, so that replacing a function
        # (as tests do) replaces what bookings calls.
        from . import (
            consultation_requirement,
            estimates,
            schema,  # noqa: F401  (documents the quotes' and bookings' `reimbursement` field)
            selectors,
            services,
        )
        from . import hooks as requirement_hooks

        hooks.estimate_for_quote.register(lambda **kwargs: estimates.compute(quote=estimates.Quote(**kwargs)).quote)
        hooks.estimates_for_bookings.register(lambda **kwargs: estimates.compute(**kwargs).bookings)
        hooks.booking_cancelled.register(lambda **kwargs: services.claims_of_cancelled_booking(**kwargs))
        hooks.booking_changed.register(lambda **kwargs: services.claims_of_changed_booking(**kwargs))
        # The consultation requirement: a consultation the town's staff marked attended (consultations app).
        requirement_hooks.consultation_attended.register(consultation_requirement.consultation_attended)
        requirement_hooks.consultations_attended_bulk.register(consultation_requirement.consultations_attended_bulk)
        account_hooks.deletion_blockers.register(selectors.visitor_claims_unpaid)
