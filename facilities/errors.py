"""Domain errors of the catalogue: unknown facilities and units, bad searches, operators' edits."""

from django.utils.translation import gettext_lazy as _

from backend.errors import Conflict, DomainError, NotFound


class FacilityNotFound(NotFound):
    code = "facility_not_found"
    default_message = _("No such facility.")


class LandmarkNotFound(DomainError):
    code = "unknown_station"
    default_message = _("No station or landmark has the code %(station)s.")


class InvalidSearch(DomainError):
    code = "invalid_search"
    other_codes = ("unknown_filter_value",)
    default_message = _("The search parameters are not valid.")


class UnitNotFound(NotFound):
    code = "unit_not_found"
    default_message = _("No such unit.")


class CertificationNotFound(NotFound):
    code = "certification_not_found"
    default_message = _("No such certificate.")


class PhotoNotFound(NotFound):
    code = "photo_not_found"
    default_message = _("No such photo.")


class InvalidCatalogueEdit(DomainError):
    """An operator's edit that breaks a rule of the catalogue; `fields` names the field."""

    code = "invalid"
    default_message = _("The change is not valid.")


class HasActiveBookings(Conflict):
    code = "has_active_bookings"
    default_message = _("It has pending or confirmed bookings; deactivate it instead, or cancel them first.")


class AddressNotFound(DomainError):
    status_code = 422
    code = "address_not_found"
    default_message = _("No place was found for this address. Check it, or enter the coordinates yourself.")
