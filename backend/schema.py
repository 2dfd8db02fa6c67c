"""The OpenAPI schema as a strict client generator needs it: errors, tags, summaries, security, headers, nullability.

`AutoSchema` is DRF's schema class for every view (settings REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]). Each
operation lists only the error statuses it can return, each with the enum of its `error.code` values: those of the
framework (validation, authentication, permissions, throttling, media type) follow from the view's own classes and
documented inputs, and the domain errors from the code the view runs (`raised_domain_errors`).
"""

import inspect
import sys
import types
from functools import cache

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication

from .errors import DomainError
from .hooks import Hook, Receivers
from .pagination import StandardPagination

PROJECT_PACKAGES = {
    "accounts",
    "backend",
    "bookings",
    "consultations",
    "facilities",
    "memberships",
    "notifications",
    "outcomes",
    "payments",
    "reimbursements",
}

ERROR_DESCRIPTIONS = {
    400: "Invalid input; `fields` names what is wrong.",
    401: "Not authenticated, or the credentials are not valid.",
    403: "Not allowed for this account.",
    404: "Not found.",
    409: "Conflicts with the current state (e.g. no longer available).",
    415: "The body's Content-Type is not one this operation reads.",
    422: "Unprocessable (e.g. an Idempotency-Key reused with a different body).",
    429: "Too many requests; `Retry-After` says when to try again.",
    503: "An outside service (payments, geocoding) is not answering; retry after `Retry-After` seconds.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
LOCATION = {"description": "The URL of what was created.", "schema": {"type": "string", "format": "uri"}}
# Codes simplejwt's Bearer authentication gives a credential it refuses (see JWTAuthentication.get_user).
BEARER_CODES = ("authentication_failed", "token_not_valid", "user_not_found", "user_inactive", "password_changed")
ROLE_FREE_PERMISSIONS = (permissions.AllowAny, permissions.IsAuthenticated, permissions.IsAuthenticatedOrReadOnly)
SUMMARY_VERBS = {
    "list": "List",
    "retrieve": "Get",
    "create": "Create",
    "update": "Update",
    "partial_update": "Update",
    "destroy": "Delete",
    "delete": "Delete",
}


# --- the domain errors a view can raise ------------------------------------------------------------------------


def _in_project(obj) -> bool:
    module = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None)
    return (module or "").split(".")[0] in PROJECT_PACKAGES


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names) | set(code.co_freevars)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _referenced(function, owner) -> list:
    """What a function's names can stand for: its globals and closure, attributes of the project modules and
    classes it uses (`selectors.claim_get`), and, for a method, its class's attributes (`self.calendar_response`)."""
    function = inspect.unwrap(function)
    code = getattr(function, "__code__", None)
    if code is None:
        return []
    names = _code_names(code)
    scope = dict(function.__globals__)
    if function.__closure__:
        scope.update(inspect.getclosurevars(function).nonlocals)
    found = [scope[name] for name in names if name in scope]
    # `from payments.services import payment_start` inside a function names the module too.
    found.extend(sys.modules[name] for name in names if name in sys.modules)
    holders = [value for value in found if isinstance(value, (types.ModuleType, type)) and _in_project(value)]
    if owner is not None:
        holders.append(owner)
    for holder in holders:
        found.extend(getattr(holder, name) for name in names if hasattr(holder, name))
        if isinstance(holder, type):
            # `super().post(...)`: what the bases define under those names too.
            found.extend(
                vars(base)[name]
                for base in holder.__mro__[1:]
                if _in_project(base)
                for name in names
                if name in vars(base)
            )
    return found


def raised_domain_errors(function, owner=None) -> set[type[DomainError]]:
    """The DomainError classes the code reachable from `function` refers to (raises, or builds to raise)."""
    return set(_reachable_errors(function, owner))


@cache
def _reachable_errors(function, owner) -> frozenset:
    errors: set = set()
    seen: set = set()
    pending = [(function, owner)]
    while pending:
        current, current_owner = pending.pop()
        key = (id(inspect.unwrap(current)), current_owner)
        if key in seen:
            continue
        seen.add(key)
        for value in _referenced(current, current_owner):
            if isinstance(value, type) and issubclass(value, DomainError):
                errors.add(value)
            elif isinstance(value, (dict, list, tuple, set, frozenset)):
                # A table of errors (reason -> error class) that the code picks from.
                members = value.values() if isinstance(value, dict) else value
                errors.update(
                    member for member in members if isinstance(member, type) and issubclass(member, DomainError)
                )
            elif isinstance(value, Hook) and not value.raises:
                continue
            elif isinstance(value, (Hook, Receivers)):
                # What a higher app registered: its errors reach the view through the hook.
                pending.extend((registered, current_owner) for registered in value.callables())
            elif isinstance(value, type) and _in_project(value):
                pending.extend(
                    (member, value) for member in vars(value).values() if inspect.isfunction(inspect.unwrap(member))
                )
            elif isinstance(value, (staticmethod, classmethod)) or inspect.ismethod(value):
                pending.append((value.__func__, current_owner))
            elif callable(value) and inspect.isfunction(inspect.unwrap(value)) and _in_project(inspect.unwrap(value)):
                pending.append((value, current_owner))
    return frozenset(errors)


# --- the schema class ------------------------------------------------------------------------------------------


ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error_schema(codes: list[str]) -> dict:
    """The shared `Error` component, narrowed to the codes this operation can answer with this status."""
    return {
        "allOf": [
            ERROR_REF,
            {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {"code": {"type": "string", "enum": codes}},
                        "required": ["code"],
                    }
                },
                "required": ["error"],
            },
        ]
    }


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        if not self.view.get_authenticators():
            # Public: no credentials are read, so a client sends none.
            operation["security"] = []
        self._add_pagination_parameters(operation)
        created = operation["responses"].get("201")
        if created is not None:
            created.setdefault("headers", {}).setdefault("Location", LOCATION)
        for status, codes in sorted(self.error_codes(operation).items()):
            response = operation["responses"].get(str(status))
            if response is None:
                response = operation["responses"][str(status)] = {"description": ERROR_DESCRIPTIONS.get(status, "")}
            if "content" not in response or status != 503:
                response["content"] = {"application/json": {"schema": _error_schema(sorted(codes))}}
            if status in (429, 503):
                response.setdefault("headers", {}).update(RETRY_AFTER)
        return operation

    def _get_request_body(self, direction="request"):
        # drf-spectacular documents the bodies of POST, PUT and PATCH only. A view whose DELETE reads a body says
        # so (`delete_reads_body`, DELETE /me/ with the password) and has it documented; other DELETEs have none.
        if self.method != "DELETE" or not getattr(self.view, "delete_reads_body", False):
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    # --- errors --------------------------------------------------------------------------------------------

    def _view_function(self):
        return getattr(self.view, self.method.lower(), None)

    def domain_errors(self) -> set[type[DomainError]]:
        function = self._view_function()
        if function is None:
            return set()
        owner = type(self.view)
        errors = raised_domain_errors(function, owner if _in_project(owner) else None)
        for name in ("get_permissions", "initial"):
            if name in vars(owner):
                errors |= raised_domain_errors(getattr(owner, name), owner)
        return errors

    def error_codes(self, operation: dict) -> dict[int, set[str]]:
        codes: dict[int, set[str]] = {}

        def add(status, *values):
            codes.setdefault(status, set()).update(values)

        has_body = "requestBody" in operation
        query = [
            p for p in operation.get("parameters", []) if p["in"] == "query" and p["name"] not in ("page", "page_size")
        ]
        if has_body:
            add(400, "invalid", "parse_error")
            add(415, "unsupported_media_type")
        if query or any(p["in"] == "query" and p["name"] == "page_size" for p in operation.get("parameters", [])):
            add(400, "invalid")
        if any(p["in"] == "query" and p["name"] == "page" for p in operation.get("parameters", [])):
            add(404, "not_found")  # a page past the last one

        authenticators = self.view.get_authenticators()
        permission_classes = [type(p) for p in self.view.get_permissions()]
        anonymous_allowed = permissions.AllowAny in permission_classes or (
            permissions.IsAuthenticatedOrReadOnly in permission_classes and self.method in permissions.SAFE_METHODS
        )
        if authenticators:
            add(401, *BEARER_CODES)
            if not anonymous_allowed:
                add(401, "not_authenticated")
            if any(not issubclass(p, ROLE_FREE_PERMISSIONS) for p in permission_classes):
                add(403, "permission_denied")
            if self.method not in permissions.SAFE_METHODS and any(
                isinstance(a, SessionAuthentication) for a in authenticators
            ):
                add(403, "permission_denied")  # CSRF, for a browser session
        token_serializer = getattr(self.view, "get_serializer_class", None)
        if token_serializer and any(
            cls.__module__.startswith("rest_framework_simplejwt") for cls in type(self.view).__mro__
        ):
            add(401, "token_not_valid", *getattr(token_serializer(), "default_error_messages", {}))
        if self.view.get_throttles():
            add(429, "throttled")
        for error in self.domain_errors():
            add(error.status_code, *error.codes())
        return codes

    # --- parameters, summary, tags, fields -----------------------------------------------------------------

    def _add_pagination_parameters(self, operation: dict) -> None:
        """The list views paginate by hand (APIView + StandardPagination): document `page` and `page_size`."""
        ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        ref = ok.get("$ref", "")
        component = self.registry._components.get((ref.rsplit("/", 1)[-1], "schemas")) if ref else None
        properties = (component.schema or {}).get("properties", {}) if component is not None else {}
        if not {"count", "next", "previous", "results"} <= set(properties):
            return
        parameters = operation.setdefault("parameters", [])
        present = {(p["name"], p["in"]) for p in parameters}
        for parameter in StandardPagination().get_schema_operation_parameters(self.view):
            if (parameter["name"], parameter["in"]) not in present:
                parameters.append(parameter)

    def _get_format_parameters(self):
        # `?format=` is not part of the API: the calendar endpoints answer text/calendar whatever it says.
        return []

    def get_summary(self):
        """From the operation id: `claims_lines_create` -> "Create claims line", `claims_mark_paid` (at
        .../mark-paid/) -> "Mark paid claim"."""
        words = self.get_operation_id().split("_")
        last_segment = [s for s in self.path.split("/") if s and "{" not in s][-1].replace("-", "_").split("_")
        for size in (2, 1):
            action = "_".join(words[-size:])
            if action in SUMMARY_VERBS:
                verb, resource = SUMMARY_VERBS[action], words[:-size]
                break
        else:
            if self.method == "POST" and words[-len(last_segment) :] == last_segment:
                verb, resource = " ".join(last_segment).capitalize(), words[: -len(last_segment)]
            else:
                return " ".join(words).capitalize()
        resource = [{"me": "own profile"}.get(word, word) for word in resource]
        if resource and verb != "List":
            resource[-1] = _singular(resource[-1])
        return " ".join([verb, *resource])

    def get_tags(self):
        """One tag per resource: the first segment under /api/v1/ (operators' resources as `operator ...`)."""
        segments = [s for s in self.path.removeprefix("/api/v1/").split("/") if s and "{" not in s]
        if not segments:
            return ["api"]
        if segments[0] == "operator" and len(segments) > 1:
            return [f"operator {segments[1]}"]
        return [{"me": "auth"}.get(segments[0], segments[0])]

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":
            # A response carries every field of its serializer, unless the serializer says one may be missing.
            declared = getattr(serializer, "_declared_fields", {})
            optional = {name for name, field in declared.items() if field._kwargs.get("required") is False}
            required = set(schema.get("required", [])) | (set(schema.get("properties", {})) - optional)
            if required:
                schema["required"] = sorted(required)
        return schema


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# --- post-processing hooks -------------------------------------------------------------------------------------


def add_error_components(result, generator, request, public):
    """The pieces the operations' error responses share."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "description": "Every 4xx and 5xx answer under /api/. Each operation lists, per status, the `code` values "
        "it can answer with.",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "description": "Stable machine-readable code."},
                    "message": {"type": "string", "description": "Human-readable, translated by Accept-Language."},
                    "fields": {"$ref": "#/components/schemas/ErrorFields"},
                },
                "required": ["code", "message", "fields"],
                "additionalProperties": True,
            }
        },
        "required": ["error"],
    }
    schemas["ErrorFields"] = {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "description": "Messages per input field that caused the error.",
    }
    return result


def nullable_references(result, generator, request, public):
    """`allOf: [$ref]` + `nullable` (no `type`) does not let null through strict OpenAPI 3.0 validators: say
    `oneOf` the referenced object or null instead."""

    def rewrite(node):
        if isinstance(node, dict):
            all_of = node.get("allOf")
            if node.get("nullable") and "type" not in node and isinstance(all_of, list) and len(all_of) == 1:
                node.pop("nullable")
                node.pop("allOf")
                node["oneOf"] = [all_of[0], {"type": "object", "nullable": True, "enum": [None]}]
            for value in node.values():
                rewrite(value)
        elif isinstance(node, list):
            for value in node:
                rewrite(value)

    rewrite(result)
    return result
