"""Base class of the domain errors each app declares in its errors.py."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the API user can act on: a stable `code`, a translated message, the fields involved.

    Subclasses set `code`, `status_code` and `default_message`; the API exception handler
    turns any instance into `{"error": {"code", "message", "fields"}}`, with `headers` (e.g. Retry-After)
    on the response.
    """

    status_code = 400
    headers: dict[str, str] = {}
    code = "invalid"
    # Other codes an instance may carry (`code=` at the raise site); the OpenAPI schema lists them all.
    other_codes: tuple[str, ...] = ()
    default_message: str | Promise = _("The request could not be processed.")

    # Keywords of __init__: a message placeholder with one of these names would never be filled in.
    RESERVED_KEYWORDS = frozenset({"message", "fields", "code", "status_code", "extra", "headers"})

    def __init__(
        self,
        message=None,
        *,
        fields: dict | None = None,
        code: str | None = None,
        status_code: int | None = None,
        extra: dict | None = None,
        headers: dict | None = None,
        **params,
    ):
        self.message = message if message is not None else self.default_message
        self.params = params
        self.fields = fields or {}
        self.extra = extra or {}
        if headers is not None:
            self.headers = headers
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        super().__init__(str(self.message))

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        return (cls.code, *cls.other_codes)

    def render_message(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_message = _("The request conflicts with the current state.")


class ServiceUnavailable(DomainError):
    """An outside service (payments, geocoding) did not answer; the same request may succeed later."""

    status_code = 503
    code = "service_unavailable"
    default_message = _("A service this request needs is not answering. Please try again in a minute.")
    headers = {"Retry-After": "60"}
