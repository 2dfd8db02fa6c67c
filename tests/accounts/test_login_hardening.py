"""What an attacker tries first against logins: rotating X-Forwarded-For to dodge throttling, guessing passwords
on the JWT endpoint, the admin and the browsable API's form, and reusing refresh tokens after rotation or logout."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from accounts.models import User
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def anon_rate(monkeypatch):
    """Throttling as in production (the test settings switch it off), at a rate a test can reach."""
    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "5/min"})
    yield
    cache.clear()


def forwarded(number: int) -> dict:
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{number % 250}, 198.51.100.{number % 250}"}


def test_a_new_x_forwarded_for_per_request_does_not_reset_the_throttle(api_client, anon_rate):
    statuses = [api_client.get("/api/v1/municipalities/", **forwarded(n)).status_code for n in range(8)]

    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}


def test_behind_one_proxy_the_address_it_forwards_is_the_clients(api_client, anon_rate):
    with override_settings(NUM_PROXIES=1, REST_FRAMEWORK={**_rest_framework(), "NUM_PROXIES": 1}):
        assert api_settings.NUM_PROXIES == 1
        # The proxy appends the address it saw: clients pick only what comes before it.
        one = [
            api_client.get("/api/v1/municipalities/", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 192.0.2.1").status_code
            for n in range(7)
        ]
        other = api_client.get("/api/v1/municipalities/", HTTP_X_FORWARDED_FOR="192.0.2.2").status_code

    assert one[:5] == [200] * 5 and set(one[5:]) == {429}
    assert other == 200


def _rest_framework() -> dict:
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_guessing_passwords_with_a_new_forwarded_address_each_time_is_locked_out(api_client, settings):
    user = VisitorFactory(email="hanako@example.jp")
    statuses = [
        api_client.post(
            TOKEN, {"email": user.email, "password": f"wrong-password-{n}"}, format="json", **forwarded(n)
        ).status_code
        for n in range(settings.AXES_FAILURE_LIMIT + 5)
    ]

    right = api_client.post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json", **forwarded(999))

    assert set(statuses[: settings.AXES_FAILURE_LIMIT - 1]) == {401}
    assert set(statuses[settings.AXES_FAILURE_LIMIT - 1 :]) == {429}
    assert right.status_code == 429
    body = right.json()["error"]
    assert body["code"] == "locked_out" and body["message"] and body["fields"] == {}
    assert int(right["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "access" not in right.json()


def test_the_lockout_message_is_translated(api_client, settings):
    user = VisitorFactory(email="hanako@example.jp")
    for n in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(TOKEN, {"email": user.email, "password": f"wrong-password-{n}"}, format="json")

    english = api_client.post(
        TOKEN, {"email": user.email, "password": PASSWORD}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()["error"]["message"]
    japanese = api_client.post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json").json()["error"][
        "message"
    ]

    assert english.startswith("Too many failed login attempts") and japanese != english


def test_an_account_is_locked_whatever_the_addresses_guessing_it(settings):
    user = VisitorFactory(email="hanako@example.jp")
    for n in range(settings.AXES_FAILURE_LIMIT):
        APIClient(REMOTE_ADDR=f"10.0.0.{n + 1}").post(
            TOKEN, {"email": user.email, "password": "wrong-password"}, format="json"
        )

    response = APIClient(REMOTE_ADDR="10.0.1.1").post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json")

    assert response.status_code == 429


def test_an_address_is_locked_whatever_the_accounts_it_guesses(settings):
    client = APIClient(REMOTE_ADDR="10.0.0.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN, {"email": f"nobody{n}@example.jp", "password": "wrong-password"}, format="json")
    user = VisitorFactory(email="hanako@example.jp")

    assert client.post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json").status_code == 429
    other = APIClient(REMOTE_ADDR="10.0.0.8").post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json")
    assert other.status_code == 200


def test_a_success_before_the_limit_resets_the_count(api_client, settings):
    user = VisitorFactory(email="hanako@example.jp")
    for _round in range(3):
        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            api_client.post(TOKEN, {"email": user.email, "password": f"wrong-{n}"}, format="json")
        assert api_client.post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json").status_code == 200


@pytest.mark.parametrize("login_url", ["/admin/login/", "/api-auth/login/"])
def test_session_logins_are_locked_out_too(client, settings, login_url):
    User.objects.create_superuser(email="root@example.jp", password=PASSWORD)
    for n in range(settings.AXES_FAILURE_LIMIT + 5):
        client.post(
            login_url,
            {"username": "root@example.jp", "password": f"wrong-password-{n}"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )

    response = client.post(login_url, {"username": "root@example.jp", "password": PASSWORD})

    assert response.status_code == 429
    assert "text/html" in response["Content-Type"] and response.has_header("Retry-After")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_still_works(client):
    User.objects.create_superuser(email="root@example.jp", password=PASSWORD)

    response = client.post("/admin/login/", {"username": "root@example.jp", "password": PASSWORD})

    assert response.status_code == 302 and client.get("/admin/").status_code == 200


# --- refresh tokens -------------------------------------------------------------------------------------------


def _tokens(client) -> dict:
    VisitorFactory(email="hanako@example.jp")
    response = client.post(TOKEN, {"email": "hanako@example.jp", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def test_a_rotated_refresh_token_cannot_be_used_again(api_client):
    tokens = _tokens(api_client)

    first = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    again = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")

    assert first.status_code == 200
    assert again.status_code == 401 and again.json()["error"]["code"] == "token_not_valid"
    assert api_client.post(REFRESH, {"refresh": first.json()["refresh"]}, format="json").status_code == 200


def test_logout_blacklists_the_refresh_token(api_client):
    tokens = _tokens(api_client)

    logout = api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
    refresh = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")

    assert logout.status_code == 204
    assert refresh.status_code == 401 and refresh.json()["error"]["code"] == "token_not_valid"


@pytest.mark.parametrize("body", [{}, {"refresh": "garbage"}, {"refresh": ""}])
def test_logout_with_a_bad_token_is_refused_in_the_error_shape(api_client, body):
    response = api_client.post(LOGOUT, body, format="json")

    assert response.status_code in (400, 401)
    assert "refresh" in response.json()["error"]["fields"]


def test_logout_with_an_access_token_is_refused(api_client):
    tokens = _tokens(api_client)

    response = api_client.post(LOGOUT, {"refresh": tokens["access"]}, format="json")

    assert response.status_code == 401 and "refresh" in response.json()["error"]["fields"]


def test_behind_one_proxy_lockout_keys_on_the_address_the_proxy_saw(api_client, settings):
    settings.NUM_PROXIES = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The client forges an address of its own; the proxy appends the one it saw, 192.0.2.10.
        api_client.post(
            TOKEN,
            {"email": f"nobody{n}@example.jp", "password": "wrong-password"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 192.0.2.10",
        )
    user = VisitorFactory(email="hanako@example.jp")

    locked = api_client.post(
        TOKEN, {"email": user.email, "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.10"
    )
    other = api_client.post(
        TOKEN, {"email": user.email, "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR="192.0.2.11"
    )

    assert locked.status_code == 429 and other.status_code == 200
