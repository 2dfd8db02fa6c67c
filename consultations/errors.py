"""Domain errors of consultations."""

from django.utils.translation import gettext_lazy as _

from backend.errors import Conflict, DomainError, NotFound


class SlotNotFound(NotFound):
    code = "consultation_slot_not_found"
    default_message = _("No such consultation slot.")


class ConsultationNotFound(NotFound):
    code = "consultation_not_found"
    default_message = _("No such consultation.")


class UnknownSlot(DomainError):
    code = "consultation_slot_not_found"
    default_message = _("No consultation slot has this id.")


class UnknownMunicipality(DomainError):
    code = "unknown_municipality"
    default_message = _("No municipality has this code.")


class InvalidSlot(DomainError):
    code = "invalid_consultation_slot"
    default_message = _("The consultation slot is not valid.")


class SlotFull(Conflict):
    code = "slot_full"
    default_message = _("This consultation slot is fully booked.")


class SlotInPast(Conflict):
    code = "slot_in_past"
    default_message = _("This consultation slot has already started.")


class AlreadyBooked(Conflict):
    code = "consultation_already_booked"
    default_message = _("You have already booked this consultation slot.")


class SlotHasConsultations(Conflict):
    code = "slot_has_consultations"
    default_message = _("Visitors have booked this slot: cancel their consultations before deleting it.")


class ConsultationNotCancellable(Conflict):
    code = "consultation_not_cancellable"
    default_message = _("This consultation can no longer be cancelled (it is %(status)s).")


class ConsultationNotMarkable(Conflict):
    code = "consultation_not_markable"
    default_message = _("This consultation cannot be marked (it is %(status)s).")


class ConsultationNotStarted(Conflict):
    code = "consultation_not_started"
    default_message = _("A consultation can be marked attended or missed only once it has started.")


class ReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Staff must give the visitor a reason for cancelling.")
