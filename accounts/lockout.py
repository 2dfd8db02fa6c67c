"""How django-axes names the account being logged into, and what a locked-out login answers: the API's error
shape under /api/, a page in the admin's look for the admin and the browsable API's login form."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from backend.responses import api_error_response, is_api_path


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
