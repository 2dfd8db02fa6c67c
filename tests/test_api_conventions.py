"""The conventions the mobile team relies on: error shape, language, schema, auth."""

import pytest


@pytest.mark.django_db
def test_validation_errors_use_one_shape_and_name_the_field(api_client):
    response = api_client.post("/api/v1/auth/register/", {"email": "not-an-email", "password": "x"}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"email", "password"}
    assert "email" in error["message"]


@pytest.mark.django_db
def test_messages_are_japanese_by_default_and_english_on_request(api_client):
    body = {"email": "x", "password": "correct-horse-battery"}
    japanese = api_client.post("/api/v1/auth/register/", body, format="json").json()["error"]
    english = api_client.post("/api/v1/auth/register/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["error"]

    assert english["fields"]["email"] == ["Enter a valid email address."]
    assert japanese["fields"]["email"] == ["有効なメールアドレスを入力してください。"]
    assert english["message"].startswith("Please check the input")
    assert japanese["message"] != english["message"]


@pytest.mark.django_db
def test_register_then_get_a_token_and_read_the_profile(api_client):
    created = api_client.post(
        "/api/v1/auth/register/",
        {"email": "Hanako@Example.jp", "password": "correct-horse-battery", "home_prefecture": "東京都"},
        format="json",
    )
    assert created.status_code == 202

    tokens = api_client.post(
        "/api/v1/auth/token/", {"email": "hanako@example.jp", "password": "correct-horse-battery"}, format="json"
    ).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/v1/me/").json()

    assert me["email"] == "hanako@example.jp"
    assert me["home_prefecture"] == "東京都"
    refreshed = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200 and refreshed.json()["access"]


@pytest.mark.django_db
def test_registering_an_existing_email_answers_as_for_a_new_one(api_client, visitor):
    body = {"email": visitor.email.upper(), "password": "correct-horse-battery"}
    taken = api_client.post("/api/v1/auth/register/", body, format="json")
    new = api_client.post("/api/v1/auth/register/", {**body, "email": "new@example.jp"}, format="json")

    assert taken.status_code == new.status_code == 202
    assert taken.json() == {**new.json(), "email": visitor.email}


@pytest.mark.django_db
def test_unauthenticated_profile_is_401_in_the_error_shape(api_client):
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_openapi_schema_documents_the_error_shape(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    register = schema["paths"]["/api/v1/auth/register/"]["post"]
    shared, listed = register["responses"]["400"]["content"]["application/json"]["schema"]["allOf"]
    assert shared == {"$ref": "#/components/schemas/Error"}
    error = schema["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["required"] == ["code", "message", "fields"]
    assert "invalid" in listed["properties"]["error"]["properties"]["code"]["enum"]


@pytest.mark.django_db
def test_domain_errors_are_translated(api_client):
    body = {
        "email": "new@example.jp",
        "password": "correct-horse-battery",
        "home_prefecture": "長野県",
        "home_municipality_code": "131121",
    }
    japanese = api_client.post("/api/v1/auth/register/", body, format="json").json()["error"]
    english = api_client.post("/api/v1/auth/register/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["error"]

    assert japanese["code"] == english["code"] == "invalid_profile"
    assert japanese["message"] == "この市区町村コードは長野県のものではありません(長野県のコードは 20 で始まります)。"
    assert english["message"] == "This municipality code is not in 長野県 (its codes start with 20)."


@pytest.mark.django_db
def test_too_many_anonymous_requests_get_429_with_retry_after(api_client, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import AnonRateThrottle

    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    statuses = [api_client.get("/api/v1/municipalities/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    refused = api_client.get("/api/v1/municipalities/", HTTP_ACCEPT_LANGUAGE="en")
    wait = int(refused["Retry-After"])
    assert wait > 0
    assert refused.json()["error"]["code"] == "throttled"
    assert refused.json()["error"]["message"] == f"Request was throttled. Expected available in {wait} seconds."
    japanese = api_client.get("/api/v1/municipalities/").json()["error"]["message"]
    assert japanese.startswith("リクエストが多すぎます。") and "秒後に再度お試しください。" in japanese
    cache.clear()


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_translated_400(api_client):
    send = {"data": "{not json", "content_type": "application/json"}
    english = api_client.post("/api/v1/auth/register/", HTTP_ACCEPT_LANGUAGE="en", **send)
    japanese = api_client.post("/api/v1/auth/register/", **send)

    assert english.status_code == japanese.status_code == 400
    assert english.json()["error"]["code"] == "parse_error"
    assert english.json()["error"]["message"].startswith("The request body could not be read")
    assert japanese.json()["error"]["message"].startswith("リクエスト本文を読み取れません")


@pytest.mark.django_db
def test_an_outside_service_outage_is_a_503_with_retry_after(rf):
    from backend.errors import ServiceUnavailable
    from backend.exceptions import api_exception_handler

    response = api_exception_handler(ServiceUnavailable(), {"request": rf.get("/")})

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.data["error"]["code"] == "service_unavailable"


@pytest.mark.django_db
def test_framework_messages_missing_from_its_japanese_catalogue_are_translated(api_client):
    body = {"email": "a@example.jp", "password": "correct-horse-battery", "full_name": ["佐久", "花子"]}
    japanese = api_client.post("/api/v1/auth/register/", body, format="json").json()["error"]
    english = api_client.post("/api/v1/auth/register/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["error"]

    assert english["fields"]["full_name"] == ["Not a valid string."]
    assert japanese["fields"]["full_name"] == ["有効な文字列ではありません。"]
