"""The error shape for answers made outside DRF's views (middleware, handler404/handler500), translated by the
request's Accept-Language even where LocaleMiddleware has not run yet."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def _language(request) -> str:
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


def api_error_response(request, status: int, code: str, message, *, headers: dict | None = None) -> JsonResponse:
    with translation.override(_language(request)):
        text = message() if callable(message) else str(message)
    body: dict[str, dict[str, object]] = {"error": {"code": code, "message": text, "fields": {}}}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Content-Language"] = _language(request)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def not_found_response(request) -> JsonResponse:
    return api_error_response(request, 404, "not_found", lambda: _("Not found."))


def payload_too_large_response(request):
    limit = settings.REQUEST_MAX_BYTES
    if not is_api_path(request.path):
        return HttpResponse("Request body too large.", status=413, content_type="text/plain; charset=utf-8")
    return api_error_response(
        request,
        413,
        "payload_too_large",
        lambda: _("The request body is larger than %(limit)s bytes.") % {"limit": limit},
    )


def database_unavailable_response(request):
    headers = {"Retry-After": str(settings.DATABASE_RETRY_AFTER_SECONDS)}
    if not is_api_path(request.path):
        response = HttpResponse(
            "Service temporarily unavailable.", status=503, content_type="text/plain; charset=utf-8"
        )
        response["Retry-After"] = headers["Retry-After"]
        return response
    return api_error_response(
        request,
        503,
        "service_unavailable",
        lambda: _("The service is briefly unavailable. Please try again in a moment."),
        headers=headers,
    )


# Status codes an HTML error page may have under /api/, and what the JSON answer says instead.
_STATUS_ERRORS = {
    400: ("bad_request", lambda: _("The request could not be processed.")),
    403: ("permission_denied", lambda: _("You do not have permission to perform this action.")),
    404: ("not_found", lambda: _("Not found.")),
    405: ("method_not_allowed", lambda: _("This method is not allowed here.")),
    413: ("payload_too_large", lambda: _("The request body is too large.")),
    500: ("server_error", lambda: _("Something went wrong on our side. Please try again later.")),
    503: ("service_unavailable", lambda: _("The service is briefly unavailable. Please try again in a moment.")),
}


def status_error_response(request, response=None, *, status: int | None = None) -> JsonResponse:
    """An HTML (or empty) error answer under /api/ turned into the error shape, keeping Allow and Retry-After."""
    status = status or response.status_code
    # A status without its own text (410, 502...) takes the generic one of its class.
    code, message = _STATUS_ERRORS.get(status) or (
        "server_error" if status >= 500 else "error",
        _STATUS_ERRORS[500 if status >= 500 else 400][1],
    )
    headers = {}
    if response is not None:
        headers = {
            name: response[name] for name in ("Allow", "Retry-After", "WWW-Authenticate") if response.has_header(name)
        }
    return api_error_response(request, status, code, message, headers=headers)
