"""What a client generated from the schema relies on: CORS for the app's web build, translated token and domain
errors, the offline docs."""
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
        "/api/v1/bookings/", HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key, if-none-match, "
                                            "accept-language")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    allowed = {name.strip().lower() for name in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "if-none-match", "accept-language"} <= allowed


@pytest.mark.django_db
def test_the_app_can_read_the_response_headers_it_needs(client, app_origin):
    response = client.get("/api/v1/stations/", HTTP_ORIGIN=ORIGIN)

    assert response["Access-Control-Allow-Origin"] == ORIGIN
    exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert exposed == {"etag", "last-modified", "retry-after", "content-disposition", "location"}


def test_another_origin_gets_no_cors_headers(client, app_origin):
    response = client.options("/api/v1/bookings/", HTTP_ORIGIN="https://elsewhere.example",
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")

    assert not response.has_header("Access-Control-Allow-Origin")


@pytest.mark.django_db
@pytest.mark.parametrize("language, expected", [
    ("ja", "メールアドレスまたはパスワードが正しくないか、アカウントが有効ではありません。"),
    ("en", "No active account found with the given credentials"),
])
def test_a_wrong_password_is_refused_in_the_callers_language(api_client, visitor, language, expected):
    response = api_client.post("/api/v1/auth/token/", {"email": visitor.email, "password": "not-it"}, format="json",
                               HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "no_active_account"
    assert response.json()["error"]["message"] == expected


@pytest.mark.django_db
@pytest.mark.parametrize("language, expected", [
    ("ja", "トークンが無効か、有効期限が切れています。"), ("en", "Token is invalid or expired"),
])
def test_a_bad_refresh_token_is_refused_in_the_callers_language(api_client, language, expected):
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": "garbage"}, format="json",
                               HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 401
    assert response.json()["error"] == {"code": "token_not_valid", "message": expected, "fields": {}}


@pytest.mark.django_db
@pytest.mark.parametrize("language, expected", [
    ("ja", "トークンが無効か、有効期限が切れています。"), ("en", "Token is invalid or expired"),
])
def test_a_bad_bearer_token_is_refused_in_the_callers_language(api_client, visitor, language, expected):
    refresh = RefreshToken.for_user(visitor)  # a refresh token is not an access token
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh}")

    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
    assert response.json()["error"]["message"] == expected


@pytest.mark.django_db
@pytest.mark.parametrize("language, expected", [
    ("ja", "コード nope の駅・目印は登録されていません。"), ("en", "No station or landmark has the code nope."),
])
def test_an_unknown_station_keeps_its_code_and_names_the_input(api_client, language, expected):
    response = api_client.get("/api/v1/facilities/", {"near_station": "nope"}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert response.json()["error"] == {"code": "unknown_station", "message": expected,
                                        "fields": {"near_station": [expected]}}


def _domain_error_classes() -> list[type[DomainError]]:
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.errors")
        except ModuleNotFoundError:
            pass
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
