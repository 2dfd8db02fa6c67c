"""The API's one error shape: {"error": {"code", "message", "fields"}} for every 4xx (and a 503)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import DomainError


def _flatten(detail) -> dict:
    """ErrorDetail trees -> {"field": ["message", ...]}; nested fields joined with dots."""
    out: dict[str, list[str]] = {}

    def walk(value, prefix):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(sub, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(value, list):
            if all(not isinstance(v, (dict, list)) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for index, sub in enumerate(value):
                    walk(sub, f"{prefix}.{index}" if prefix else str(index))
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk(detail, "")
    return out


def _error(code: str, message: str, fields: dict, status_code: int, headers=None, **extra) -> Response:
    body = {"error": {"code": code, "message": message, "fields": fields, **extra}}
    return Response(body, status=status_code, headers=headers)


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return _error(
            exc.code, exc.render_message(), exc.fields, exc.status_code, headers=exc.headers or None, **exc.extra
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        parts = [f"{name}: {messages[0]}" for name, messages in fields.items() if messages]
        message = (
            _("Please check the input: %(problems)s") % {"problems": "; ".join(parts)} if parts else _("Invalid input.")
        )
        return _error("invalid", message, fields, status.HTTP_400_BAD_REQUEST, headers=_headers(response))

    if isinstance(exc, exceptions.Throttled):
        # The framework fills in the wait before translating, so its catalogue never matches; build it here.
        message = _("Request was throttled.")
        if exc.wait is not None:
            message += " " + ngettext(
                "Expected available in {wait} second.", "Expected available in {wait} seconds.", exc.wait
            ).format(wait=exc.wait)
        return _error("throttled", message, {}, response.status_code, headers=_headers(response))
    if isinstance(exc, exceptions.ParseError):
        # The parser's own text is an untranslated Python error; say what to send instead.
        message = _("The request body could not be read: send valid JSON, or multipart form data with files.")
        return _error("parse_error", message, {}, response.status_code, headers=_headers(response))

    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    message = str(detail) if not isinstance(detail, (dict, list)) else str(getattr(exc, "default_detail", ""))
    return _error(code, message, {}, response.status_code, headers=_headers(response))


def _headers(response):
    keep = ("WWW-Authenticate", "Retry-After", "Allow")
    return {name: response[name] for name in keep if response.has_header(name)}
