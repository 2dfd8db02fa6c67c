"""What a client generated from the schema relies on: CORS for the app's web build, translated token and domain
errors, the offline docs."""

import contextlib
import importlib
import re

import pytest
from django.apps import apps
from django.utils import translation
from rest_framework_simplejwt.tokens import RefreshToken

from backend.errors import DomainError

ORIGIN = "https://app.otameshi.example"


@pytest.fixture
def app_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]


def test_a_preflight_allows_the_headers_the_app_sends(client, app_origin):
    response = client.options(
        "/api/v1/bookings/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key, if-none-match, "
        "accept-language",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    allowed = {name.strip().lower() for name in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "if-none-match", "accept-language"} <= allowed


@pytest.mark.django_db
def test_the_app_can_read_the_response_headers_it_needs(client, app_origin):
    response = client.get("/api/v1/stations/", HTTP_ORIGIN=ORIGIN)

    assert response["Access-Control-Allow-Origin"] == ORIGIN
    exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert exposed == {"etag", "last-modified", "retry-after", "content-disposition", "location", "idempotent-replayed"}


def test_another_origin_gets_no_cors_headers(client, app_origin):
    response = client.options(
        "/api/v1/bookings/", HTTP_ORIGIN="https://elsewhere.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert not response.has_header("Access-Control-Allow-Origin")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, expected",
    [
        ("ja", "メールアドレスまたはパスワードが正しくないか、アカウントが有効ではありません。"),
        ("en", "No active account found with the given credentials"),
    ],
)
def test_a_wrong_password_is_refused_in_the_callers_language(api_client, visitor, language, expected):
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": visitor.email, "password": "not-it"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "no_active_account"
    assert response.json()["error"]["message"] == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, expected",
    [
        ("ja", "トークンが無効か、有効期限が切れています。"),
        ("en", "Token is invalid or expired"),
    ],
)
def test_a_bad_refresh_token_is_refused_in_the_callers_language(api_client, language, expected):
    response = api_client.post(
        "/api/v1/auth/token/refresh/", {"refresh": "garbage"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 401
    assert response.json()["error"] == {"code": "token_not_valid", "message": expected, "fields": {}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, expected",
    [
        ("ja", "トークンが無効か、有効期限が切れています。"),
        ("en", "Token is invalid or expired"),
    ],
)
def test_a_bad_bearer_token_is_refused_in_the_callers_language(api_client, visitor, language, expected):
    refresh = RefreshToken.for_user(visitor)  # a refresh token is not an access token
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh}")

    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
    assert response.json()["error"]["message"] == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, expected",
    [
        ("ja", "コード nope の駅・目印は登録されていません。"),
        ("en", "No station or landmark has the code nope."),
    ],
)
def test_an_unknown_station_keeps_its_code_and_names_the_input(api_client, language, expected):
    response = api_client.get("/api/v1/facilities/", {"near_station": "nope"}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "unknown_station",
        "message": expected,
        "fields": {"near_station": [expected]},
    }


def _domain_error_classes() -> list[type[DomainError]]:
    for config in apps.get_app_configs():
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{config.name}.errors")
    found, pending = [], [DomainError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


PLACEHOLDER = re.compile(r"%\((\w+)\)")


@pytest.mark.parametrize("error_class", _domain_error_classes(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_domain_error_message_is_filled_in_and_translated(error_class):
    names = set(PLACEHOLDER.findall(str(error_class.default_message)))
    # A placeholder named like a keyword of DomainError would be taken by that keyword and never filled in.
    assert not names & DomainError.RESERVED_KEYWORDS
    rendered = {}
    for language in ("ja", "en"):
        with translation.override(language):
            rendered[language] = error_class(**{name: f"<{name}>" for name in names}).render_message()
        assert "%(" not in rendered[language]
        assert all(f"<{name}>" in rendered[language] for name in names)
    assert rendered["ja"] != rendered["en"]


def test_the_interactive_docs_load_their_assets_from_this_service(client):
    page = client.get("/api/docs/").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui" in asset for asset in assets)
    assert all(asset.startswith("/") for asset in assets)
    assert "cdn.jsdelivr.net" not in page


# --- the schema a strict client is generated from ---------------------------------------------------------------


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def error_codes(operation) -> dict[str, list[str]]:
    """Per status, the codes an operation lists on top of the shared `Error` component."""
    codes = {}
    for status, response in operation["responses"].items():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if status >= "400" and schema.get("allOf", [{}])[0] == {"$ref": "#/components/schemas/Error"}:
            codes[status] = schema["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"]
    return codes


def test_every_error_answer_references_the_one_error_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message", "fields"}
    for name, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status < "400":
                continue
            if (name, status) == ("POST /api/v1/payments/stripe/webhook/", "503"):
                continue  # Stripe's answer: `{"received": false}` makes it deliver the event again.
            body = response["content"]["application/json"]["schema"]
            assert body["allOf"][0] == {"$ref": "#/components/schemas/Error"}, (name, status)
            assert body["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"], (name, status)


def test_every_operation_has_a_summary_a_resource_tag_and_its_security(schema):
    assert schema["servers"]
    tags = set()
    for name, operation in operations(schema):
        assert operation.get("summary"), name
        assert "security" in operation, name
        tags.update(operation["tags"])
    assert {"facilities", "bookings", "claims", "auth", "operator units"} <= tags
    assert "v1" not in tags


def test_public_operations_say_they_need_no_credentials(schema):
    assert schema["paths"]["/api/v1/facilities/{facility_id}/"]["get"]["security"] == []
    # The search is public; a signed-in visitor's token adds their subsidy estimates to a dated search.
    assert {} in schema["paths"]["/api/v1/facilities/"]["get"]["security"]
    assert schema["paths"]["/api/v1/auth/token/"]["post"]["security"] == []
    assert {"jwtAuth": []} in schema["paths"]["/api/v1/bookings/"]["post"]["security"]


def test_an_operation_lists_only_the_errors_it_can_return_with_their_codes(schema):
    stations = schema["paths"]["/api/v1/stations/"]["get"]
    facilities = schema["paths"]["/api/v1/facilities/"]["get"]
    booking = schema["paths"]["/api/v1/bookings/"]["post"]

    assert error_codes(stations) == {"400": ["invalid"], "404": ["not_found"], "429": ["throttled"]}
    assert {"unknown_station", "invalid_search", "unknown_filter_value"} <= set(error_codes(facilities)["400"])
    assert "not_authenticated" not in error_codes(facilities)["401"] and "409" not in facilities["responses"]
    booking_codes = error_codes(booking)
    assert {"unit_closed", "unit_unavailable"} <= set(booking_codes["409"])
    assert booking_codes["422"] == ["idempotency_key_reused"]
    assert {"too_few_nights", "party_over_capacity", "invalid_idempotency_key"} <= set(booking_codes["400"])
    assert "payment_unavailable" in booking_codes["503"]
    assert "Retry-After" in booking["responses"]["503"]["headers"]


def test_every_domain_error_code_is_documented_somewhere(schema):
    documented = {
        code for _, operation in operations(schema) for codes in error_codes(operation).values() for code in codes
    }
    undocumented = {
        code for cls in _domain_error_classes() if cls.__module__ != "backend.errors" for code in cls.codes()
    } - documented
    # Raised only by the webhook's own signature check or by services no endpoint reaches yet.
    assert undocumented <= {"conflict", "not_found", "service_unavailable"}, undocumented


def test_paginated_lists_document_page_and_page_size(schema):
    for path in ("/api/v1/facilities/", "/api/v1/claims/", "/api/v1/operator/facilities/", "/api/v1/bookings/"):
        names = [p["name"] for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"]
        assert names.count("page") == 1 and names.count("page_size") == 1, path


def test_fields_always_returned_are_required_and_typed(schema):
    components = schema["components"]["schemas"]
    claim = components["Claim"]
    assert set(claim["required"]) == set(claim["properties"])
    assert {"reimbursable_yen", "reason"} <= set(components["ExpenseLine"]["required"])
    assert "from_status" in components["ClaimEvent"]["required"]
    assert claim["properties"]["eligible_dates"]["items"] == {"type": "string", "format": "date"}
    assert components["Unit"]["properties"]["price_basis"]["allOf"][0]["$ref"].endswith("PriceBasisEnum")
    assert components["Landmark"]["properties"]["kind"]["$ref"].endswith("LandmarkKindEnum")
    assert components["ClaimEvent"]["properties"]["to_status"]["$ref"].endswith("ClaimStatusEnum")
    assert "東京都" in components["PrefectureEnum"]["enum"]
    # The cap's keys depend on its basis: they stay optional.
    assert "per_night_cap_yen" not in components["Cap"].get("required", [])


def test_nullable_objects_let_null_through_strict_validators(schema):
    def walk(node, where):
        if isinstance(node, dict):
            assert not (node.get("nullable") and "type" not in node), where
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}.{index}")

    walk(schema, "schema")
    area = schema["components"]["schemas"]["FacilityList"]["properties"]["area"]
    assert {"type": "object", "nullable": True, "enum": [None]} in area["oneOf"]


def test_calendar_endpoints_document_their_headers_and_no_format_parameter(schema):
    operation = schema["paths"]["/api/v1/calendars/{token}.ics"]["get"]

    assert "format" not in [p["name"] for p in operation["parameters"]]
    assert {"ETag", "Last-Modified", "Content-Disposition"} <= set(operation["responses"]["200"]["headers"])
    assert "If-None-Match" in [p["name"] for p in operation["parameters"] if p["in"] == "header"]
    line = schema["paths"]["/api/v1/claims/{claim_id}/lines/"]["post"]["responses"]["201"]
    assert "Location" in line["headers"] and line["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ExpenseLine"
    )


def test_the_development_server_prints_each_log_line_once(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.utils.autoreload').info('Watching for file changes')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings.base", "DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stderr.count("Watching for file changes") == 1


def test_every_list_has_one_shape(schema):
    """Every GET answering a list answers one page of it: no bare arrays."""
    components = schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {})
            assert ref.get("type") != "array", (method, path)
            if "$ref" in ref and method == "get" and path.endswith("/") and "{" not in path.rsplit("/", 2)[-2]:
                properties = components[ref["$ref"].rsplit("/", 1)[-1]].get("properties", {})
                if "results" in properties:
                    assert {"count", "next", "previous"} <= set(properties), path


def test_every_create_documents_its_location(schema):
    created = [
        (name, operation["responses"]["201"])
        for name, operation in operations(schema)
        if "201" in operation["responses"]
    ]
    assert len(created) >= 10
    for name, response in created:
        assert response["headers"]["Location"]["schema"]["format"] == "uri", name
    booking = schema["paths"]["/api/v1/bookings/"]["post"]["responses"]["201"]["headers"]
    assert booking["Idempotent-Replayed"]["schema"]["enum"] == ["true"]


def test_closed_sets_are_enums_and_rates_are_numbers(schema):
    components = schema["components"]["schemas"]

    def enum_of(component, field):
        prop = components[component]["properties"][field]
        ref = (prop.get("allOf") or prop.get("oneOf") or [prop])[0]["$ref"]
        return components[ref.rsplit("/", 1)[-1]]["enum"]

    for component in ("ExpenseLine", "ExpenseLineCreateRequest", "Cap"):
        assert {"lodging", "taxi", "coworking"} <= set(enum_of(component, "category")), component
    assert enum_of("CalendarImportSync", "status") == [
        "ok",
        "not_modified",
        "http_error",
        "parse_error",
        "too_large",
        "timeout",
        "too_complex",
    ]
    assert enum_of("Consultation", "language") == ["ja", "en"]
    kpi = components["FiscalYearKpi"]["properties"]
    assert kpi["conversion_rate"]["type"] == kpi["median_days_to_move"]["type"] == "number"
