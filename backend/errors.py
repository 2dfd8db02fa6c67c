"""Base class of the domain errors each app declares in its errors.py."""
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the API user can act on: a stable `code`, a translated message, the fields involved.

    Subclasses set `code`, `status_code` and `default_message`; the API exception handler
    turns any instance into `{"error": {"code", "message", "fields"}}`.
    """

    status_code = 400
    code = "invalid"
    default_message: str | Promise = _("The request could not be processed.")

    def __init__(self, message=None, *, fields: dict | None = None, code: str | None = None,
                 status_code: int | None = None, extra: dict | None = None, **params):
        self.message = message if message is not None else self.default_message
        self.params = params
        self.fields = fields or {}
        self.extra = extra or {}
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        super().__init__(str(self.message))

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
