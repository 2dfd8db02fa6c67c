"""Domain errors of the catalogue: unknown facilities and units, bad searches, operators' edits."""
from django.utils.translation import gettext_lazy as _

from backend.errors import Conflict, DomainError, NotFound


class FacilityNotFound(NotFound):
    code = "facility_not_found"
    default_message = _("No such facility.")


class LandmarkNotFound(DomainError):
    code = "unknown_station"
    default_message = _("No station or landmark has the code %(code)s.")


class InvalidSearch(DomainError):
    code = "invalid_search"
    default_message = _("The search parameters are not valid.")
