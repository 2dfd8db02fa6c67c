"""Reads of consultations: the slots each role may see, the consultations each may see, and whether a visitor
met a town's staff (for the subsidy rules)."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from backend.ids import parse_id
from facilities.models import Municipality

from .errors import ConsultationNotFound, SlotNotFound, UnknownMunicipality, UnknownSlot
from .models import Consultation, ConsultationSlot


def _start_of(day: date) -> datetime:
    """Midnight of `day` in Asia/Tokyo (the project's time zone)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def municipality_by_code(*, code: str) -> Municipality:
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise UnknownMunicipality(fields={"municipality": [str(UnknownMunicipality.default_message)]})
    return municipality


def _starting_within(rows: QuerySet, field: str, date_from: date | None, date_to: date | None) -> QuerySet:
    """Rows whose `field` (a start time) falls on a date in [date_from, date_to] (Asia/Tokyo), both included."""
    if date_from is not None:
        rows = rows.filter(**{f"{field}__gte": _start_of(date_from)})
    if date_to is not None:
        rows = rows.filter(**{f"{field}__lt": _start_of(date_to + timedelta(days=1))})
    return rows


def slots_for(
    *,
    user: User,
    municipality: Municipality | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    mode: str | None = None,
) -> QuerySet[ConsultationSlot]:
    """Staff: every slot of their town. Visitors: future slots with a free place, of one town if asked. Either
    narrowed to the slots starting in [date_from, date_to] and of one `mode`, when asked."""
    slots = _starting_within(ConsultationSlot.objects.select_related("municipality"), "starts_at", date_from, date_to)
    if mode:
        slots = slots.filter(mode=mode)
    if user.is_municipal_staff:
        assert user.municipality_id is not None  # staff always have one (constraint staff_has_municipality)
        return slots.filter(municipality_id=user.municipality_id).order_by("starts_at", "id")
    slots = slots.filter(starts_at__gt=timezone.now(), booked__lt=F("capacity"))
    if municipality is not None:
        slots = slots.filter(municipality=municipality)
    return slots.order_by("starts_at", "id")


def staff_slot_get(*, staff: User, slot_id) -> ConsultationSlot:
    slot_id = parse_id(slot_id)
    assert staff.municipality_id is not None  # staff always have one (constraint staff_has_municipality)
    slot = (
        ConsultationSlot.objects.select_related("municipality")
        .filter(id=slot_id, municipality_id=staff.municipality_id)
        .first()
        if slot_id
        else None
    )
    if slot is None:
        raise SlotNotFound()
    return slot


def slot_bookable(*, slot_id) -> ConsultationSlot:
    """The slot a booking names: an unknown id is a 400 on `slot` (being full or past is decided under lock)."""
    parsed = parse_id(slot_id) if not isinstance(slot_id, bool) else None
    slot = ConsultationSlot.objects.filter(id=parsed).first() if parsed else None
    if slot is None:
        raise UnknownSlot(fields={"slot": [str(UnknownSlot.default_message)]})
    return slot


def consultations_for(
    *, user: User, status: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Consultation]:
    """A visitor's own consultations; staff's town's. Narrowed to one `status` and to those whose slot starts in
    [date_from, date_to] (Japan time), when asked."""
    consultations = Consultation.objects.select_related("slot__municipality", "visitor")
    consultations = _starting_within(consultations, "slot__starts_at", date_from, date_to)
    if status:
        consultations = consultations.filter(status=status)
    if user.is_municipal_staff:
        assert user.municipality_id is not None  # staff always have one (constraint staff_has_municipality)
        consultations = consultations.filter(slot__municipality_id=user.municipality_id)
    else:
        consultations = consultations.filter(visitor=user)
    return consultations.order_by("slot__starts_at", "id")


def consultation_get(*, user: User, consultation_id) -> Consultation:
    consultation_id = parse_id(consultation_id)
    consultation = consultations_for(user=user).filter(id=consultation_id).first() if consultation_id else None
    if consultation is None:
        raise ConsultationNotFound()
    return consultation


# --- for the subsidy rules -------------------------------------------------------------------------------------


def consultation_attended(*, visitor_id: int, municipality_id: int, start: date, end: date) -> bool:
    """Whether the visitor attended a consultation with the town's staff on a date (Asia/Tokyo) in
    [start, end], both included."""
    return Consultation.objects.filter(
        visitor_id=visitor_id,
        status=Consultation.Status.ATTENDED,
        slot__municipality_id=municipality_id,
        slot__starts_at__gte=_start_of(start),
        slot__starts_at__lt=_start_of(end + timedelta(days=1)),
    ).exists()


def consultations_attended_dates(*, visitor_ids, municipality_ids) -> dict[tuple[int, int], set[date]]:
    """For lists, in one query: the dates (Asia/Tokyo) of every attended consultation, by (visitor id,
    municipality id); a pair with none is absent. `any(start <= d <= end for d in dates)` answers the same as
    `consultation_attended`."""
    rows = Consultation.objects.filter(
        visitor_id__in=list(visitor_ids),
        slot__municipality_id__in=list(municipality_ids),
        status=Consultation.Status.ATTENDED,
    ).values_list("visitor_id", "slot__municipality_id", "slot__starts_at")
    out: dict[tuple[int, int], set[date]] = {}
    for visitor_id, municipality_id, starts_at in rows:
        out.setdefault((visitor_id, municipality_id), set()).add(timezone.localtime(starts_at).date())
    return out


# --- for calendars ---------------------------------------------------------------------------------------------


def visitor_consultations_since(*, visitor_id: int, since: date) -> QuerySet[Consultation]:
    """A visitor's consultations (cancelled ones too, so calendar apps remove them) from `since` on."""
    return (
        Consultation.objects.filter(visitor_id=visitor_id, slot__starts_at__gte=_start_of(since))
        .select_related("slot__municipality")
        .order_by("slot__starts_at", "id")
    )


def visitor_consultations_between(
    *, visitor_id: int, municipality_id: int, start: date, end: date
) -> QuerySet[Consultation]:
    """A visitor's consultations with one town on the dates [start, end] (Asia/Tokyo), cancelled ones too."""
    return (
        Consultation.objects.filter(
            visitor_id=visitor_id,
            slot__municipality_id=municipality_id,
            slot__starts_at__gte=_start_of(start),
            slot__starts_at__lt=_start_of(end + timedelta(days=1)),
        )
        .select_related("slot__municipality")
        .order_by("slot__starts_at", "id")
    )


def town_slots_since(*, municipality_id: int, since: date) -> QuerySet[ConsultationSlot]:
    """A town's slots from `since` on (all of them: the feed shows those booked)."""
    return ConsultationSlot.objects.filter(municipality_id=municipality_id, starts_at__gte=_start_of(since)).order_by(
        "starts_at", "id"
    )


def _latest(*moments):
    moments = [moment for moment in moments if moment is not None]
    return max(moments) if moments else None


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def visitor_consultations_state(*, visitor_id: int, since: date) -> dict:
    """For a visitor's feed validators, in one query: how many of their consultations start from `since` on,
    their latest change (the consultation's or its slot's), and the date of the newest one before `since`."""
    inside = Q(slot__starts_at__gte=_start_of(since))
    row = Consultation.objects.filter(visitor_id=visitor_id).aggregate(
        n=Count("id", filter=inside),
        at=Max("updated_at", filter=inside),
        slot_at=Max("slot__updated_at", filter=inside),
        gone=Max("slot__starts_at", filter=~inside),
    )
    return {"n": row["n"], "at": _latest(row["at"], row["slot_at"]), "gone": _local_day(row["gone"])}


def town_slots_state(*, municipality_id: int, since: date) -> dict:
    """For a staff feed's validators, in one query: the town's slots from `since` on (all, and those booked),
    their latest change, and the date of the newest booked one before `since`."""
    inside = Q(starts_at__gte=_start_of(since))
    row = ConsultationSlot.objects.filter(municipality_id=municipality_id).aggregate(
        n=Count("id", filter=inside),
        n_booked=Count("id", filter=inside & Q(booked__gt=0)),
        at=Max("updated_at", filter=inside),
        gone=Max("starts_at", filter=~inside & Q(booked__gt=0)),
    )
    return {"n": row["n"], "booked": row["n_booked"], "at": row["at"], "gone": _local_day(row["gone"])}


def town_booked_slots_since(*, municipality_id: int, since: date) -> QuerySet[ConsultationSlot]:
    return town_slots_since(municipality_id=municipality_id, since=since).filter(booked__gt=0)
