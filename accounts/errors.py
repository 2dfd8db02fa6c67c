"""Error codes of the accounts API."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError


class InvalidProfile(DomainError):
    code = "invalid_profile"
    default_message = _("The profile is not consistent.")


class LockedOut(DomainError):
    status_code = 429
    code = "locked_out"
    default_message = _("Too many failed login attempts. Try again in %(minutes)s minutes.")

    @classmethod
    def for_cool_off(cls) -> "LockedOut":
        seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
        return cls(minutes=max(1, seconds // 60), headers={"Retry-After": str(seconds)})


class InvalidRefreshToken(DomainError):
    status_code = 401
    code = "token_not_valid"
    default_message = _("The refresh token is invalid or expired.")


class WrongPassword(DomainError):
    code = "wrong_password"
    default_message = _("The password is not correct.")


class InvalidPassword(DomainError):
    """The new password fails the password rules (length, too common, too close to the email)."""

    code = "invalid"
    default_message = _("Please choose another password.")


class InvalidResetToken(DomainError):
    code = "invalid_token"
    default_message = _("This password reset link is invalid, already used or expired. Ask for a new one.")


class ActiveBookings(DomainError):
    """`bookings`, `claims` and `memberships` (extra) list the ids that must end first."""

    status_code = 409
    code = "active_bookings"
    default_message = _(
        "The account has bookings still to come, claims not yet paid or memberships still running: cancel or "
        "finish them before deleting it."
    )
