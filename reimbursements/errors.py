"""Domain errors of reimbursements: programmes, claims, expense lines and receipts."""

from django.utils.translation import gettext_lazy as _

from backend.errors import Conflict, DomainError, NotFound


class ProgrammeNotFound(NotFound):
    code = "programme_not_found"
    default_message = _("No such reimbursement programme.")


class ProgrammeHasClaims(Conflict):
    code = "programme_has_claims"
    default_message = _(
        "This programme has claims, so it cannot be deleted: it has been retired instead. It covers "
        "no new bookings and takes no new claims; its claims go on."
    )


class ClaimNotFound(NotFound):
    code = "claim_not_found"
    default_message = _("No such claim.")


class LineNotFound(NotFound):
    code = "line_not_found"
    default_message = _("No such expense line on this claim.")


class BookingCancelled(Conflict):
    code = "booking_cancelled"
    default_message = _("The booking is cancelled; a cancelled booking cannot be claimed.")


class ClaimBookingCancelled(Conflict):
    code = "booking_cancelled"
    default_message = _(
        "The booking of this claim has been cancelled, so the claim cannot be approved: reject it "
        "with a reason, or the visitor withdraws it."
    )


class NotEligible(DomainError):
    status_code = 422
    code = "not_eligible"
    default_message = _("This booking is not eligible for a reimbursement (%(reasons)s).")


class ClaimExists(Conflict):
    code = "claim_exists"
    default_message = _("This booking already has a claim in progress.")


class InvalidStatus(Conflict):
    code = "invalid_status"
    default_message = _("A claim that is %(status)s cannot be changed this way.")


class DayLimitReached(Conflict):
    code = "day_limit_reached"
    default_message = _("No days of the programme's limit are left for this booking.")


class ClaimLimitReached(Conflict):
    code = "claim_limit_reached"
    default_message = _("The household has already made %(limit)s claims this fiscal year, the programme's maximum.")


class BudgetExceeded(Conflict):
    code = "budget_exceeded"
    default_message = _("Approving ¥%(amount)s would exceed the programme's budget: ¥%(remaining)s is left.")


class InvalidLine(DomainError):
    code = "invalid_line"


class InvalidReceipt(DomainError):
    code = "invalid_receipt"


class NightLimitReached(Conflict):
    code = "night_limit_reached"
    default_message = _("No nights of the programme's limit are left for this booking.")


class ClaimedUnderOtherProgramme(Conflict):
    code = "claimed_under_other_programme"
    default_message = _(
        "This booking is already claimed under another programme; a booking is funded by one programme at most."
    )


class OutsideProgrammeArea(Conflict):
    code = "outside_programme_area"
    default_message = _(
        "The programme does not cover this booking: the facility is outside its town, or the programme is retired."
    )


class OutsideValidityWindow(Conflict):
    code = "outside_validity_window"
    default_message = _(
        "The programme does not cover this booking: its check-in date is outside the programme's validity window."
    )


class RequirementsUnmet(Conflict):
    code = "requirements_unmet"
    default_message = _("The claim cannot be submitted before these requirements are met: %(codes)s.")


class BudgetExhausted(Conflict):
    code = "budget_exhausted"
    default_message = _("The programme's budget is used up: ¥0 is left.")


class ApplicationNotRequired(Conflict):
    code = "application_not_required"
    default_message = _("This programme takes no applications before the stay: submit the claim after it.")


class ApplicationDeadlinePassed(Conflict):
    code = "application_deadline_passed"
    default_message = _("Applications must be made at least %(days)s days before check-in (by %(deadline)s).")


class ApplicationRequired(Conflict):
    code = "application_required"
    default_message = _(
        "This programme requires an application granted before the stay: apply first and wait for the town's decision."
    )


class StayNotCompleted(Conflict):
    code = "stay_not_completed"
    default_message = _("The claim can be paid once its stay is completed (check-out %(check_out)s).")


class StayNotFinished(Conflict):
    code = "stay_not_finished"
    default_message = _("The report can be submitted from the check-out date (%(check_out)s).")


# --- monthly programmes: certification and monthly claims (rules 41-52) ------------------------------------------


class CertificationNotFound(NotFound):
    code = "certification_not_found"
    default_message = _("No such certification.")


class NotMonthlyProgramme(Conflict):
    code = "not_monthly_programme"
    default_message = _("This programme covers trial stays; certification and monthly claims are for monthly ones.")


class CertificationExists(Conflict):
    code = "certification_exists"
    default_message = _("You already have a certification under this programme, pending or approved.")


class MoveNotConfirmed(Conflict):
    code = "move_not_confirmed"
    default_message = _("The town's staff have not confirmed your move to the town on %(date)s: report the move first.")


class MoveOutsideWindow(Conflict):
    code = "move_outside_window"
    default_message = _("The programme counts moves from %(first)s to %(last)s; your move on %(date)s is not one.")


class CertificationDeadlinePassed(Conflict):
    code = "certification_deadline_passed"
    default_message = _("Certification must be applied for within %(months)s months of the move (by %(deadline)s).")


class AgeLimit(Conflict):
    code = "age_limit"
    default_message = _("The programme is for people under %(limit)s on their move date; you were %(age)s.")


class WorkplaceNotCovered(Conflict):
    code = "workplace_not_covered"
    default_message = _("The programme covers workplaces in %(prefectures)s, not in %(prefecture)s.")


class NotCombinable(Conflict):
    code = "not_combinable"
    default_message = _("This programme cannot be combined with %(programme)s, under which you are certified.")


class CertificationInvalidStatus(Conflict):
    code = "invalid_status"
    default_message = _("A certification that is %(status)s cannot be changed this way.")


class NotCertified(Conflict):
    code = "not_certified"
    default_message = _("You have no approved certification under this programme.")


class OutsidePeriod(Conflict):
    code = "outside_period"
    default_message = _("Your certification pays the months from %(first)s to %(last)s; %(month)s is not one of them.")


class MonthAlreadyClaimed(Conflict):
    code = "month_already_claimed"
    default_message = _("This month is already claimed; withdraw that claim to claim it again.")
