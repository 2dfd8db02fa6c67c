"""Error codes of the accounts API."""
from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError


class EmailTaken(DomainError):
    code = "email_taken"
    default_message = _("An account with this email address already exists.")


class InvalidProfile(DomainError):
    code = "invalid_profile"
    default_message = _("The profile is not consistent.")
