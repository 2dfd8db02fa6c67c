"""Emails to visitors about their consultations, in the language they booked in."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import Consultation, ConsultationSlot


def _when(slot: ConsultationSlot) -> str:
    start = timezone.localtime(slot.starts_at)
    end = timezone.localtime(slot.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} (JST)"


def _where(slot: ConsultationSlot) -> str:
    if slot.mode == ConsultationSlot.Mode.ONLINE:
        return _("Online: %(url)s") % {"url": slot.meeting_url}
    return _("Place: %(place)s") % {"place": slot.place}


def _send(consultation_id: int, subject_text: str, lead_text: str, *, with_reason: bool = False) -> None:
    consultation = (
        Consultation.objects.select_related("slot__municipality", "visitor").filter(id=consultation_id).first()
    )
    if consultation is None or not consultation.visitor.email:
        return
    slot = consultation.slot
    with translation.override(consultation.language):
        town = slot.municipality.localized("name")
        subject = _(subject_text) % {"town": town}
        lines = [_(lead_text) % {"town": town}, "", _when(slot), _where(slot)]
        if with_reason and consultation.cancel_reason:
            lines += ["", _("Reason: %(reason)s") % {"reason": consultation.cancel_reason}]
        lines += ["", f"{settings.SITE_URL}/api/v1/consultations/{consultation.id}/"]
    send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [consultation.visitor.email])


# The texts are marked here and translated when sent, in the consultation's language.
BOOKED_SUBJECT = gettext_noop("Your consultation with %(town)s is booked")
BOOKED_LEAD = gettext_noop("Your consultation with the staff of %(town)s is booked.")
CANCELLED_SUBJECT = gettext_noop("Your consultation with %(town)s is cancelled")
CANCELLED_LEAD = gettext_noop("Your consultation with the staff of %(town)s is cancelled.")
REMINDER_SUBJECT = gettext_noop("Tomorrow: your consultation with %(town)s")
REMINDER_LEAD = gettext_noop("A reminder: your consultation with the staff of %(town)s is tomorrow.")


def send_booked(*, consultation_id: int) -> None:
    _send(consultation_id, BOOKED_SUBJECT, BOOKED_LEAD)


def send_cancelled(*, consultation_id: int) -> None:
    _send(consultation_id, CANCELLED_SUBJECT, CANCELLED_LEAD, with_reason=True)


def send_reminder(*, consultation_id: int) -> None:
    _send(consultation_id, REMINDER_SUBJECT, REMINDER_LEAD)
