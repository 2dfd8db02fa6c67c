"""OpenAPI post-processing: document the shared error shape on every operation."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code."},
                "message": {"type": "string", "description": "Human-readable, translated by Accept-Language."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Messages per input field that caused the error.",
                },
            },
            "required": ["code", "message", "fields"],
            "additionalProperties": True,
        }
    },
    "required": ["error"],
}

ERROR_STATUSES = {
    "400": "Invalid input; `fields` names what is wrong.",
    "401": "Not authenticated.",
    "403": "Not allowed for this account.",
    "404": "Not found.",
    "409": "Conflicts with the current state (e.g. no longer available).",
    "422": "Unprocessable (e.g. an Idempotency-Key reused with a different body).",
    "429": "Too many requests; `Retry-After` says when to try again.",
    "503": "An outside service (payments, geocoding) is not answering; retry after `Retry-After` seconds.",
}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                responses.setdefault(code, {"description": description, "content": {"application/json": {"schema": ref}}})
    return result
