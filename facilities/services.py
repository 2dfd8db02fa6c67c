"""Writes on the catalogue by operators: their facilities, units, certificates and photos.

Callers pass input already checked for form and range (the operator serializers); the rules that need the
database (an area of the facility's own town, a unit type fit for the facility's kind, bookings that must
survive) are decided here. A unit or facility with booking history is never deleted: bookings keep their unit
(and the town's claims their booking), so it is deactivated or unpublished instead.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from . import hooks
from .errors import HasActiveBookings, InvalidCatalogueEdit
from .models import Area, Certification, Facility, Municipality, OperatorOrganisation, Photo, Unit
from .opening_hours import opening_hours_errors

FACILITY_FIELDS = {
    "kind",
    "name_ja",
    "name_en",
    "description_ja",
    "description_en",
    "postal_code",
    "address_ja",
    "address_en",
    "latitude",
    "longitude",
    "wifi_mbps",
    "private_booths",
    "external_monitors",
    "open_24h",
    "kids_space",
    "car_share",
    "parking",
    "check_in_time",
    "check_out_time",
    "opening_hours_ja",
    "opening_hours_en",
    "website",
    "is_published",
}
UNIT_FIELDS = {
    "unit_type",
    "name_ja",
    "name_en",
    "capacity",
    "count",
    "price_yen",
    "min_nights",
    "max_nights",
    "booking_window_days",
    "check_in_time",
    "check_out_time",
    "free_cancellation_days",
    "cancellation_fee_percent",
    "booking_mode",
    "opening_hours",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "day_cap_yen",
    "free_cancellation_hours",
    "is_active",
}
CERTIFICATION_FIELDS = {"scheme", "level", "certificate_number", "certified_on", "valid_until"}
PHOTO_FIELDS = {"url", "caption_ja", "caption_en", "position"}
UNIT_TYPES_BY_KIND: dict[str, set[str]] = {
    Facility.Kind.COWORKING: {Unit.Type.DESK, Unit.Type.MEETING_ROOM},
    Facility.Kind.TRIAL_HOUSING: {Unit.Type.ROOM, Unit.Type.HOUSE},
    Facility.Kind.TELEWORK_HOTEL: {Unit.Type.ROOM, Unit.Type.HOUSE},
}


def _invalid(field: str, message: str) -> InvalidCatalogueEdit:
    return InvalidCatalogueEdit(message, fields={field: [message]})


def _municipality(code: str) -> Municipality:
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise _invalid("municipality", _("Unknown value: %(value)s.") % {"value": code})
    return municipality


def _area(municipality: Municipality, slug: str | None) -> Area | None:
    if not slug:
        return None
    area = Area.objects.filter(municipality=municipality, slug=slug).first()
    if area is None:
        raise _invalid(
            "area",
            _("%(municipality)s has no area %(area)s.")
            % {"municipality": municipality.localized("name"), "area": slug},
        )
    return area


def _has_active_bookings(units) -> bool:
    return hooks.units_have_active_bookings(units=units)


def _has_bookings(units) -> bool:
    return hooks.units_have_bookings(units=units)


def _check_unit_rules(unit: Unit) -> None:
    if unit.unit_type not in UNIT_TYPES_BY_KIND[unit.facility.kind]:
        allowed = ", ".join(sorted(UNIT_TYPES_BY_KIND[unit.facility.kind]))
        raise _invalid(
            "unit_type",
            _("A %(kind)s offers units of type: %(types)s.")
            % {"kind": unit.facility.get_kind_display(), "types": allowed},
        )
    if unit.max_nights < unit.min_nights:
        raise _invalid("max_nights", _("The maximum stay must not be shorter than the minimum stay."))
    if unit.is_hourly and unit.facility.kind != Facility.Kind.COWORKING:
        raise _invalid("booking_mode", _("Only a coworking space's desks and meeting rooms are booked by the hour."))
    hours_errors = opening_hours_errors(unit.opening_hours)
    if hours_errors:
        raise _invalid(
            "opening_hours", _("Opening hours are written: %(errors)s.") % {"errors": "; ".join(hours_errors)}
        )
    for name in ("min_minutes", "max_minutes"):
        if getattr(unit, name) % unit.slot_minutes:
            raise _invalid(
                name, _("A duration is a multiple of the %(minutes)s-minute grid.") % {"minutes": unit.slot_minutes}
            )
    if unit.max_minutes < unit.min_minutes:
        raise _invalid("max_minutes", _("The longest booking must not be shorter than the shortest."))


# --- facilities ------------------------------------------------------------------------------------------------


@transaction.atomic
def facility_create(
    *, organisation: OperatorOrganisation, municipality: str, area: str | None = None, **fields
) -> Facility:
    town = _municipality(municipality)
    facility = Facility(
        operator=organisation,
        municipality=town,
        area=_area(town, area),
        **{name: value for name, value in fields.items() if name in FACILITY_FIELDS},
    )
    facility.save()
    return facility


@transaction.atomic
def facility_update(*, facility: Facility, **fields) -> Facility:
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    if "municipality" in fields:
        facility.municipality = _municipality(fields["municipality"])
    if "area" in fields:
        facility.area = _area(facility.municipality, fields["area"])
    elif facility.area is not None and facility.area.municipality_id != facility.municipality_id:
        raise _invalid(
            "area",
            _("%(municipality)s has no area %(area)s.")
            % {"municipality": facility.municipality.localized("name"), "area": facility.area.slug},
        )
    if "kind" in fields and fields["kind"] != facility.kind:
        units = facility.units.all()
        if any(unit.unit_type not in UNIT_TYPES_BY_KIND[fields["kind"]] for unit in units) or _has_bookings(units):
            raise _invalid("kind", _("The kind cannot change once the facility has units of another type or bookings."))
    for name, value in fields.items():
        if name in FACILITY_FIELDS:
            setattr(facility, name, value)
    facility.save()
    return facility


@transaction.atomic
def facility_delete(*, facility: Facility) -> Facility | None:
    """Deletes a facility without booking history; one with past or cancelled bookings is unpublished and its
    units deactivated instead (returned); pending or confirmed bookings refuse it (409)."""
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    units = Unit.objects.filter(facility=facility)
    if _has_active_bookings(units):
        raise HasActiveBookings()
    if _has_bookings(units):
        facility.is_published = False
        facility.save(update_fields=["is_published", "updated_at"])
        units.update(is_active=False)
        return facility
    facility.delete()
    return None


# --- units -----------------------------------------------------------------------------------------------------


@transaction.atomic
def unit_create(*, facility: Facility, **fields) -> Unit:
    unit = Unit(facility=facility, **{name: value for name, value in fields.items() if name in UNIT_FIELDS})
    _check_unit_rules(unit)
    unit.save()
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, **fields) -> Unit:
    # Locked like a booking locks it, so a rule changes between bookings and never under one.
    unit = Unit.objects.select_for_update().select_related("facility").get(pk=unit.pk)
    if fields.get("booking_mode", unit.booking_mode) != unit.booking_mode and _has_active_bookings([unit]):
        # Its bookings hold nights, days or hours as the mode they were made in.
        raise HasActiveBookings()
    for name, value in fields.items():
        if name in UNIT_FIELDS:
            setattr(unit, name, value)
    _check_unit_rules(unit)
    unit.save()
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit) -> Unit | None:
    """Deletes a unit never booked; one with past or cancelled bookings is deactivated instead (returned);
    pending or confirmed bookings refuse it (409)."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if _has_active_bookings([unit]):
        raise HasActiveBookings()
    if _has_bookings([unit]):
        unit.is_active = False
        unit.save(update_fields=["is_active", "updated_at"])
        return unit
    unit.delete()
    return None


# --- certificates and photos -----------------------------------------------------------------------------------


def _save_certification(certification: Certification) -> Certification:
    errors = certification.validation_errors()
    if errors:
        raise InvalidCatalogueEdit(next(iter(errors.values()))[0], fields=errors)
    certification.save()
    return certification


@transaction.atomic
def certification_create(*, facility: Facility, **fields) -> Certification:
    certification = Certification(
        facility=facility, **{name: value for name, value in fields.items() if name in CERTIFICATION_FIELDS}
    )
    return _save_certification(certification)


@transaction.atomic
def certification_update(*, certification: Certification, **fields) -> Certification:
    for name, value in fields.items():
        if name in CERTIFICATION_FIELDS:
            setattr(certification, name, value)
    return _save_certification(certification)


def certification_delete(*, certification: Certification) -> None:
    certification.delete()


def photo_create(*, facility: Facility, **fields) -> Photo:
    photo = Photo(facility=facility, **{name: value for name, value in fields.items() if name in PHOTO_FIELDS})
    photo.save()
    return photo


def photo_update(*, photo: Photo, **fields) -> Photo:
    for name, value in fields.items():
        if name in PHOTO_FIELDS:
            setattr(photo, name, value)
    photo.save()
    return photo


def photo_delete(*, photo: Photo) -> None:
    photo.delete()
