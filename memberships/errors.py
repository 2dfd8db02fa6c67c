"""Domain errors of memberships: plans, joining and cancelling, credit."""

from django.utils.translation import gettext_lazy as _

from backend.errors import Conflict, DomainError, NotFound, ServiceUnavailable


class PlanNotFound(NotFound):
    code = "plan_not_found"
    default_message = _("No such plan.")


class MembershipNotFound(NotFound):
    code = "membership_not_found"
    default_message = _("No such membership.")


class InvalidPlan(DomainError):
    code = "invalid_plan"
    default_message = _("The plan is not valid.")


class AlreadyMember(Conflict):
    code = "already_member"
    default_message = _("You already hold this plan.")


class MembershipNotCancellable(Conflict):
    code = "membership_not_cancellable"
    default_message = _("This membership is already cancelled or has ended.")


NOT_PAID_YET = _("This membership's first payment has not been made: unpaid, it lapses by itself within a day.")


class BillingUnavailable(ServiceUnavailable):
    # Stripe's outage: 503 with Retry-After; nothing was kept or changed, so the same request may be sent again.
    code = "membership_billing_unavailable"
    default_message = _(
        "Card payment of memberships is not available right now, so nothing was changed. Please try again in a "
        "few minutes."
    )


class MembershipPastDue(Conflict):
    code = "membership_past_due"
    default_message = _("The membership's last payment failed; pay it before booking with its credit.")


class ResidentsPlanNotJoined(DomainError):
    code = "residents_plan"
    default_message = _("This plan comes with a stay at its housing: guests have it for the days of their stay.")
