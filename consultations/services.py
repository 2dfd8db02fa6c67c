"""Writes of consultations: staff publish, change and delete slots; visitors book and cancel; staff mark
attendance. A slot's `booked` only changes with the slot's row locked, re-read and checked under the lock
(and `booked <= capacity` is a CHECK behind it); emails go after commit."""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.models import Kind
from notifications.services import notify

from . import emails
from .errors import (
    AlreadyBooked,
    ConsultationNotCancellable,
    ConsultationNotMarkable,
    ConsultationNotStarted,
    InvalidSlot,
    ReasonRequired,
    SlotFull,
    SlotHasConsultations,
    SlotInPast,
)
from .models import MAX_MINUTES, Consultation, ConsultationSlot

logger = logging.getLogger(__name__)

# Slots are published for the coming months; the bound also keeps every date computed from a slot in range.
MAX_DAYS_AHEAD = 730
SLOT_FIELDS = ("starts_at", "minutes", "mode", "place", "meeting_url", "capacity")


def _invalid(field: str, message) -> InvalidSlot:
    return InvalidSlot(message, fields={field: [str(message)]})


def _slot_check(values: dict, *, booked: int, starts_changed: bool) -> None:
    """The slot's rules, each a 400 naming its field."""
    if starts_changed and values["starts_at"] <= timezone.now():
        raise _invalid("starts_at", _("A consultation slot must start in the future."))
    if starts_changed and values["starts_at"] > timezone.now() + timedelta(days=MAX_DAYS_AHEAD):
        raise _invalid(
            "starts_at", _("A consultation slot starts at most %(days)s days ahead.") % {"days": MAX_DAYS_AHEAD}
        )
    if not 1 <= values["minutes"] <= MAX_MINUTES:
        raise _invalid("minutes", _("A consultation lasts from 1 to %(max)s minutes.") % {"max": MAX_MINUTES})
    if values["capacity"] < 1:
        raise _invalid("capacity", _("A consultation slot takes at least one visitor."))
    if values["capacity"] < booked:
        raise _invalid(
            "capacity",
            _("%(booked)s visitors have booked this slot: the capacity cannot be lower.") % {"booked": booked},
        )
    if values["mode"] == ConsultationSlot.Mode.ONLINE:
        if not values["meeting_url"]:
            raise _invalid("meeting_url", _("An online consultation needs a meeting URL."))
    if values["meeting_url"] and not values["meeting_url"].lower().startswith("https://"):
        raise _invalid("meeting_url", _("The meeting URL must start with https://."))
    if values["mode"] == ConsultationSlot.Mode.IN_PERSON and not values["place"]:
        raise _invalid("place", _("An in-person consultation needs a place."))


def slot_create(
    *,
    staff: User,
    starts_at: datetime,
    minutes: int,
    mode: str,
    place: str = "",
    meeting_url: str = "",
    capacity: int = 1,
) -> ConsultationSlot:
    values = {
        "starts_at": starts_at,
        "minutes": minutes,
        "mode": mode,
        "place": place,
        "meeting_url": meeting_url,
        "capacity": capacity,
    }
    _slot_check(values, booked=0, starts_changed=True)
    assert staff.municipality_id is not None  # staff always have one (constraint staff_has_municipality)
    return ConsultationSlot.objects.create(municipality_id=staff.municipality_id, created_by=staff, **values)


def slot_update(*, slot: ConsultationSlot, **changes) -> ConsultationSlot:
    """Changes the fields given; the capacity never goes below what is booked (checked under the lock)."""
    with transaction.atomic(durable=True):
        current = ConsultationSlot.objects.select_for_update().get(pk=slot.pk)
        values = {field: changes.get(field, getattr(current, field)) for field in SLOT_FIELDS}
        _slot_check(
            values,
            booked=current.booked,
            starts_changed="starts_at" in changes and changes["starts_at"] != current.starts_at,
        )
        moved = any(
            values[field] != getattr(current, field)
            for field in ("starts_at", "minutes", "place", "meeting_url", "mode")
        )
        for field, value in values.items():
            setattr(current, field, value)
        if moved:
            current.sequence += 1
        current.save()
        if moved:
            # Calendar apps take the change only with a higher SEQUENCE.
            for consultation in current.consultations.filter(status=Consultation.Status.BOOKED):
                consultation.sequence += 1
                consultation.save(update_fields=["sequence", "updated_at"])
    return current


def slot_delete(*, slot: ConsultationSlot) -> None:
    """Only a slot nobody holds a place in goes: one with booked, attended or missed consultations is a 409
    (staff cancel them first, with a reason the visitors are sent)."""
    with transaction.atomic(durable=True):
        current = ConsultationSlot.objects.select_for_update().get(pk=slot.pk)
        if current.consultations.filter(status__in=Consultation.LIVE_STATUSES).exists():
            raise SlotHasConsultations()
        current.delete()


def _lock_slot(slot_id: int) -> ConsultationSlot:
    return ConsultationSlot.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=slot_id)


def _count(slot: ConsultationSlot, change: int) -> None:
    """Adds to `booked` in SQL (not from the value read), so that the CHECK sees every place taken even if the
    lock were ever skipped; `updated_at` moves for the calendar feeds' validators."""
    ConsultationSlot.objects.filter(pk=slot.pk).update(booked=F("booked") + change, updated_at=timezone.now())


def consultation_book(*, visitor: User, slot: ConsultationSlot, language: str = "ja") -> Consultation:
    """Lock the slot, re-read it, decide, write: a slot never takes more than its capacity."""
    try:
        with transaction.atomic(durable=True):
            current = _lock_slot(slot.pk)
            if current.starts_at <= timezone.now():
                raise SlotInPast()
            if (
                Consultation.objects.filter(slot=current, visitor=visitor)
                .exclude(status=Consultation.Status.CANCELLED)
                .exists()
            ):
                raise AlreadyBooked()
            if current.booked >= current.capacity:
                raise SlotFull()
            consultation = Consultation.objects.create(
                slot=current, visitor=visitor, language=language if language in ("ja", "en") else "ja"
            )
            _count(current, +1)
    except IntegrityError as error:
        # Behind the lock: the CHECK (booked <= capacity) or the one-per-visitor index refused the write.
        logger.warning("A consultation CHECK or unique index refused a booking of slot %s: %s", slot.pk, error)
        if "consultation_once_per_visitor_and_slot" in str(error) or "UNIQUE" in str(error).upper():
            raise AlreadyBooked() from error
        raise SlotFull() from error
    transaction.on_commit(lambda: emails.send_booked(consultation_id=consultation.pk))
    return consultation


def consultation_cancel(*, consultation: Consultation, by: User, reason: str = "") -> Consultation:
    """The visitor cancels before the start; staff cancel any booked one, with a reason. The place goes back."""
    if by.is_municipal_staff and not reason:
        raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
    with transaction.atomic(durable=True):
        # The slot first, then the consultation: the order slot changes take too, so the two never deadlock.
        slot = _lock_slot(consultation.slot_id)
        current = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if current.status != Consultation.Status.BOOKED:
            raise ConsultationNotCancellable(status=current.get_status_display())
        if by.is_visitor and slot.starts_at <= timezone.now():
            raise ConsultationNotCancellable(status=_("already started"))
        current.status = Consultation.Status.CANCELLED
        current.cancelled_by, current.cancelled_at, current.cancel_reason = by, timezone.now(), reason
        current.sequence += 1
        current.save()
        _count(slot, -1)
    transaction.on_commit(lambda: emails.send_cancelled(consultation_id=current.pk))
    return current


def consultation_mark(*, consultation: Consultation, by: User, status: str) -> Consultation:
    """Staff record attendance once the consultation has started; they may correct attended and missed."""
    with transaction.atomic(durable=True):
        current = Consultation.objects.select_for_update(of=("self",)).select_related("slot").get(pk=consultation.pk)
        if current.status == Consultation.Status.CANCELLED:
            raise ConsultationNotMarkable(status=current.get_status_display())
        if current.slot.starts_at > timezone.now():
            raise ConsultationNotStarted()
        if current.status != status:
            current.status, current.marked_by, current.marked_at = status, by, timezone.now()
            current.save()
    return current


def consultations_remind(*, now: datetime | None = None) -> int:
    """Emails the day-before reminder of every booked consultation whose slot is tomorrow (Asia/Tokyo), once
    each: a consultation is claimed by a conditional UPDATE before its email goes, so overlapping runs never
    send it twice. Returns how many were sent."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time()))
    end = start + timedelta(days=1)
    due = list(
        Consultation.objects.filter(
            status=Consultation.Status.BOOKED,
            reminded_at__isnull=True,
            slot__starts_at__gte=start,
            slot__starts_at__lt=end,
        ).values_list("id", flat=True)
    )
    sent = 0
    for consultation_id in due:
        claimed = Consultation.objects.filter(
            id=consultation_id, reminded_at__isnull=True, status=Consultation.Status.BOOKED
        ).update(reminded_at=now)
        if claimed:
            notify(
                user_id=Consultation.objects.values_list("visitor_id", flat=True).get(id=consultation_id),
                kind=Kind.CONSULTATION_TOMORROW,
                object_id=consultation_id,
                email=partial(emails.send_reminder, consultation_id=consultation_id),
            )
            sent += 1
    return sent
