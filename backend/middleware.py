"""Answers under /api/ that never reach a view, or that fail outside one, in the API's error shape: a body too
large (refused by its Content-Length before anything reads it), a path that cannot name anything, a database
that does not answer, and any HTML error page Django would otherwise send."""

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.urls import is_valid_path
from django.utils.translation import gettext as _

from .responses import (
    api_error_response,
    database_unavailable_response,
    is_api_path,
    not_found_response,
    payload_too_large_response,
    status_error_response,
)

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _declared_length(request) -> int | None:
    value = request.META.get("CONTENT_LENGTH") or ""
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        return -1
    return int(value)


class ApiErrorMiddleware:
    """Placed before every middleware that reads the body or redirects (sessions, CSRF, CommonMiddleware), so that
    it sees each request before its body is read and each response after them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._refuse_early(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if (
            is_api_path(request.path)
            and response.status_code >= 400
            and not _is_json(response)
            and not _negotiated_by_drf(response)
        ):
            return status_error_response(request, response)
        return response

    def _refuse_early(self, request):
        length = _declared_length(request)
        if length is not None and (length < 0 or length > settings.REQUEST_MAX_BYTES):
            if length < 0:
                return api_error_response(
                    request, 400, "invalid_content_length", lambda: _("The Content-Length header is not a number.")
                )
            # The body stays unread (WSGI servers then close the connection rather than reading the rest).
            return payload_too_large_response(request)
        if not is_api_path(request.path):
            return None
        if "\x00" in request.path:
            return not_found_response(request)
        # CommonMiddleware would redirect (or, with DEBUG, fail on) a POST to a path missing its slash.
        if (
            request.method not in SAFE_METHODS
            and settings.APPEND_SLASH
            and not request.path_info.endswith("/")
            and not is_valid_path(request.path_info, getattr(request, "urlconf", None))
        ):
            return not_found_response(request)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or _is_connection_lost(exception):
            logger.warning("Database unavailable during %s %s: %s", request.method, request.path, exception)
            return database_unavailable_response(request)
        return None


def _is_connection_lost(exception) -> bool:
    return (
        isinstance(exception, DatabaseError)
        and "connection" in str(exception).lower()
        and "closed" in str(exception).lower()
    )


def _negotiated_by_drf(response) -> bool:
    """A DRF answer in the format the client asked for (the browsable API's HTML, an .ics error) stays as it is:
    its body is already the error shape, rendered."""
    return getattr(response, "accepted_renderer", None) is not None


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")
