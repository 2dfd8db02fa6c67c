"""How django-axes names the account being logged into, and what a locked-out login answers: the API's error
shape under /api/, a page in the admin's look for the admin and the browsable API's login form. The API's other
proofs of a password or of a reset link (password change, account deletion, reset) count against the same
lockout."""

from axes.handlers.proxy import AxesProxyHandler  # type: ignore[import-untyped]
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import render
from django.utils.translation import gettext as _

from backend.responses import api_error_response, is_api_path

from .errors import LockedOut, WrongPassword
from .models import User

# django-axes stores the name in a column of 255 characters; no account's email is longer (254 at most).
USERNAME_LENGTH = 255


def login_username(request, credentials=None) -> str | None:
    """The email of the JWT endpoint's body, or the `username` of Django's login forms, lowercased as stored
    (cut to what django-axes can store: a longer one is no account's, and fails as a wrong password does)."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if value is None:
        data = getattr(request, "POST", None) or {}
        value = data.get("username") or data.get("email")
    return str(value).strip().lower()[:USERNAME_LENGTH] if value else None


def _retry_after_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _message(minutes: int) -> str:
    return _("Too many failed login attempts. Try again in %(minutes)s minutes.") % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    seconds = _retry_after_seconds()
    minutes = max(1, seconds // 60)
    if is_api_path(request.path):
        return api_error_response(
            request, 429, "locked_out", lambda: _message(minutes), headers={"Retry-After": str(seconds)}
        )
    response = render(
        request,
        "accounts/locked_out.html",
        {"title": _("Login temporarily locked"), "message": _message(minutes)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _django_request(request):
    return getattr(request, "_request", request)  # DRF's Request wraps Django's, on which axes keeps its state


def lockout_check(request, *, email: str | None) -> None:
    """429 locked_out while the client's address, or the account, is locked."""
    if not AxesProxyHandler.is_allowed(_django_request(request), {"email": email} if email else {}):
        raise LockedOut.for_cool_off()


def lockout_count_failure(request, *, email: str | None) -> None:
    """A failed proof (a reset link that does not work) counts as a failed login of the address and account."""
    django_request = _django_request(request)
    user_login_failed.send(sender=__name__, credentials={"email": email} if email else {}, request=django_request)
    if getattr(django_request, "axes_locked_out", False):
        raise LockedOut.for_cool_off()


def password_verify(request, *, user: User, password: str, field: str) -> None:
    """The signed-in user proves the password again (to change it, to delete the account); a wrong one is a
    failed login, so guessing it with a stolen token is locked out like guessing at the login."""
    lockout_check(request, email=user.email)
    django_request = _django_request(request)
    if authenticate(django_request, email=user.email, password=password) is None:
        if getattr(django_request, "axes_locked_out", False):
            raise LockedOut.for_cool_off()
        raise WrongPassword(fields={field: [str(WrongPassword.default_message)]})
