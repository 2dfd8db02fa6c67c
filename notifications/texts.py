"""What each notification says, in the language of the device it goes to."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import Kind

TEXTS = {
    Kind.BOOKING_CONFIRMED: (_("Booking confirmed"), _("Your booking #%(id)s is confirmed.")),
    Kind.BOOKING_CANCELLED: (_("Booking cancelled"), _("Your booking #%(id)s has been cancelled.")),
    Kind.HOLD_EXPIRING: (
        _("Your hold ends in 5 minutes"),
        _("Pay for booking #%(id)s within 5 minutes, or the dates are released."),
    ),
    Kind.APPLICATION_GRANTED: (_("Application granted"), _("Your application #%(id)s has been granted.")),
    Kind.APPLICATION_REFUSED: (_("Application refused"), _("Your application #%(id)s has been refused.")),
    Kind.CONSULTATION_TOMORROW: (_("Consultation tomorrow"), _("Your consultation #%(id)s is tomorrow.")),
    Kind.SURVEY_DUE: (_("How was your stay?"), _("The survey of booking #%(id)s is waiting for your answers.")),
    Kind.CLAIM_APPROVED: (_("Claim approved"), _("Your claim #%(id)s has been approved.")),
    Kind.CLAIM_REJECTED: (_("Claim rejected"), _("Your claim #%(id)s has been rejected.")),
    Kind.CLAIM_PAID: (_("Claim paid"), _("Your claim #%(id)s has been paid.")),
    Kind.IMPORT_CONFLICT: (
        _("Calendar import conflict"),
        _("Calendar import #%(id)s blocks dates that are already booked here."),
    ),
}


def render(kind: str, object_id: int, language: str) -> tuple[str, str]:
    title, body = TEXTS[Kind(kind)]
    with translation.override(language):
        return str(title), str(body) % {"id": object_id}
