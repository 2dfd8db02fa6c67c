"""Domain errors of bookings: bad stays, no availability, cancellations, availability rules and feeds."""

from django.utils.translation import gettext_lazy as _

from backend.errors import Conflict, DomainError, NotFound


class BookingNotFound(NotFound):
    code = "booking_not_found"
    default_message = _("No such booking.")


class UnknownUnit(DomainError):
    """The unit named in a quote or booking body does not exist or cannot be booked."""

    code = "unit_not_found"
    default_message = _("No bookable unit has this id.")


class InvalidStay(DomainError):
    """The dates or party of a stay break one of the unit's rules; `code` says which."""

    code = "invalid_stay"
    other_codes = (
        "nights_required",
        "dates_required",
        "check_out_not_after_check_in",
        "too_few_nights",
        "too_many_nights",
        "date_in_past",
        "beyond_booking_window",
        "party_over_capacity",
        "total_too_large",
        "times_required",
        "times_not_accepted",
        "ends_not_after_starts",
        "off_grid",
        "too_short",
        "too_long",
        "outside_opening_hours",
        "not_hourly",
    )


class UnitClosed(Conflict):
    code = "unit_closed"
    default_message = _("The unit is closed on %(dates)s.")


class UnitUnavailable(Conflict):
    code = "unit_unavailable"
    default_message = _("The unit is no longer available on %(dates)s.")


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was already used for a different booking request.")


class BookingNotCancellable(Conflict):
    code = "booking_not_cancellable"
    default_message = _("This booking can no longer be cancelled (it is %(status)s).")


class BookingNotShortenable(Conflict):
    code = "booking_not_shortenable"
    default_message = _("Only a confirmed stay of nights can be shortened (this booking is %(status)s).")


class InvalidShortening(DomainError):
    """The new check-out of a shortened stay breaks a rule; `code` says which."""

    code = "invalid_check_out"
    default_message = _("The new check-out must fall after the check-in and before the current check-out.")
    other_codes = ("nights_already_begun", "too_few_nights")


class BookingNotConfirmable(Conflict):
    code = "booking_not_confirmable"
    default_message = _("This booking was cancelled and cannot be confirmed.")


class CancelReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Operators must give a reason when cancelling a booking.")


class ClosureNotFound(NotFound):
    code = "closure_not_found"
    default_message = _("No such closure on this unit.")


class ClosureOverBookings(Conflict):
    code = "closure_over_bookings"
    default_message = _("The unit has active bookings on %(dates)s; cancel them before closing those dates.")


class PriceOverrideNotFound(NotFound):
    code = "price_override_not_found"
    default_message = _("No such price override on this unit.")


class PriceOverrideOverlap(DomainError):
    code = "price_override_overlap"
    default_message = _("These dates overlap another price override of the unit (%(start)s to %(end)s).")


class InvalidDateRange(DomainError):
    code = "invalid_date_range"


class CalendarFeedNotFound(NotFound):
    code = "calendar_feed_not_found"
    default_message = _("No such calendar feed.")


class InvalidIdempotencyKey(DomainError):
    code = "invalid_idempotency_key"
    default_message = _("The Idempotency-Key header must be 1 to 255 visible characters.")


class StaysFeedForVisitorsOnly(DomainError):
    code = "invalid_feed_scope"
    default_message = _("Only visitors have a feed of their stays; operators choose a unit or a facility.")


class ConsultationsFeedForStaffOnly(DomainError):
    code = "invalid_feed_scope"
    default_message = _("Only municipal staff have a feed of their town's consultations.")


class CalendarImportNotFound(NotFound):
    code = "calendar_import_not_found"
    default_message = _("No such calendar import on this unit.")


class InvalidImportUrl(DomainError):
    code = "invalid_url"
    default_message = _("This calendar URL cannot be imported.")


class DuplicateFeed(DomainError):
    code = "duplicate_feed"
    default_message = _("This unit already imports this calendar URL.")


class CalendarImportSyncNotFound(NotFound):
    code = "calendar_import_sync_not_found"
    default_message = _("No such sync of this calendar import.")
