"""Changing the password (signed in) and resetting it (by an emailed one-time app link); each ends every
session of the account and each is covered by the login lockout."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import tokens
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.test_sessions_end import NEW_PASSWORD, PASSWORD, assert_session_ended, me_with, sign_in
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db
CHANGE = "/api/v1/auth/password/change/"
RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"


@pytest.fixture
def hanako() -> User:
    return VisitorFactory(email="hanako@example.jp")


def bearer(access: str, language: str = "en") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}", HTTP_ACCEPT_LANGUAGE=language)
    return client


def error(response) -> tuple[str, list[str]]:
    body = response.json()["error"]
    return body["code"], sorted(body["fields"])


# --- change ------------------------------------------------------------------------------------------------------


def test_changing_the_password_ends_every_session_and_the_new_one_signs_in(hanako):
    phone, tablet = sign_in(hanako.email), sign_in(hanako.email)

    response = bearer(phone["access"]).post(
        CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 204
    assert_session_ended(tablet)
    assert_session_ended(phone)
    hanako.refresh_from_db()
    assert hanako.check_password(NEW_PASSWORD)
    assert me_with(sign_in(hanako.email, NEW_PASSWORD)["access"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"current_password": "wrong-password-1", "new_password": NEW_PASSWORD}, "wrong_password", "current_password"),
        ({"current_password": PASSWORD, "new_password": "short"}, "invalid", "new_password"),
        ({"current_password": PASSWORD, "new_password": "hanako@example.jp"}, "invalid", "new_password"),
        ({"current_password": PASSWORD, "new_password": "password1234"}, "invalid", "new_password"),
        ({"new_password": NEW_PASSWORD}, "invalid", "current_password"),
    ],
)
def test_a_bad_password_change_is_a_400_naming_the_field_and_changes_nothing(hanako, body, code, field):
    tokens = sign_in(hanako.email)

    response = bearer(tokens["access"]).post(CHANGE, body, format="json")

    assert response.status_code == 400
    assert error(response) == (code, [field])
    hanako.refresh_from_db()
    assert hanako.check_password(PASSWORD)
    assert me_with(tokens["access"]).status_code == 200


def test_changing_the_password_needs_a_session(api_client):
    response = api_client.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 401


def test_guessing_the_current_password_is_locked_out(hanako, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = bearer(sign_in(hanako.email)["access"])
    answers = [
        client.post(CHANGE, {"current_password": f"guess-{n}-xxxxx", "new_password": NEW_PASSWORD}, format="json")
        for n in range(3)
    ]

    locked = client.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")

    assert [answer.status_code for answer in answers[:2]] == [400, 400]
    assert answers[2].status_code == 429
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "locked_out" and locked["Retry-After"]
    hanako.refresh_from_db()
    assert hanako.check_password(PASSWORD)


# --- reset -------------------------------------------------------------------------------------------------------


def reset_link(mailoutbox) -> str:
    assert len(mailoutbox) == 1
    return re.search(r"https?://\S+", mailoutbox[0].body).group(0)


def link_params(link: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlparse(link).query).items()}


def ask_for_reset(client, email, capture):
    with capture(execute=True):
        return client.post(RESET, {"email": email}, format="json")


def test_a_reset_link_is_an_https_app_link_valid_once(
    hanako, api_client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.APP_LINK_BASE_URL = "https://otameshi.example"
    phone = sign_in(hanako.email)

    asked = ask_for_reset(api_client, "HANAKO@example.jp", django_capture_on_commit_callbacks)
    link = reset_link(mailoutbox)
    params = link_params(link)
    confirmed = api_client.post(CONFIRM, {**params, "new_password": NEW_PASSWORD}, format="json")
    again = api_client.post(CONFIRM, {**params, "new_password": "another-long-passphrase"}, format="json")

    assert asked.status_code == 202
    assert mailoutbox[0].to == ["hanako@example.jp"]
    assert link.startswith("https://otameshi.example/app/password-reset?")
    assert confirmed.status_code == 204
    assert again.status_code == 400 and error(again) == ("invalid_token", ["token"])
    hanako.refresh_from_db()
    assert hanako.check_password(NEW_PASSWORD)
    assert_session_ended(phone)
    sign_in(hanako.email, NEW_PASSWORD)


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    hanako, api_client, mailoutbox, django_capture_on_commit_callbacks
):
    known = ask_for_reset(api_client, hanako.email, django_capture_on_commit_callbacks)
    unknown = ask_for_reset(api_client, "nobody@example.jp", django_capture_on_commit_callbacks)

    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json() == unknown.json()
    assert [message.to for message in mailoutbox] == [[hanako.email]]


def test_a_deactivated_account_gets_no_link(hanako, api_client, mailoutbox, django_capture_on_commit_callbacks):
    hanako.is_active = False
    hanako.save()

    response = ask_for_reset(api_client, hanako.email, django_capture_on_commit_callbacks)

    assert response.status_code == 202 and mailoutbox == []


def test_a_link_expires_after_an_hour(hanako, api_client, mailoutbox, django_capture_on_commit_callbacks, monkeypatch):
    ask_for_reset(api_client, hanako.email, django_capture_on_commit_callbacks)
    params = link_params(reset_link(mailoutbox))

    class AnHourAndAMinuteLater(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.now(tz) + dt.timedelta(hours=1, minutes=1)

    # The token generator reads the clock through its module's `datetime`.
    monkeypatch.setattr(tokens, "datetime", AnHourAndAMinuteLater)

    response = api_client.post(CONFIRM, {**params, "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 400 and error(response)[0] == "invalid_token"
    hanako.refresh_from_db()
    assert hanako.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"token": "abc-123"}, "invalid_token", "token"),
        ({"uid": "MTIzNDU2Nzg"}, "invalid_token", "token"),
        ({"uid": "!!"}, "invalid_token", "token"),
        ({"new_password": "password1234"}, "invalid", "new_password"),
        ({"new_password": None}, "invalid", "new_password"),
    ],
)
def test_a_bad_reset_is_a_400_and_changes_nothing(
    hanako, api_client, mailoutbox, django_capture_on_commit_callbacks, change, code, field
):
    ask_for_reset(api_client, hanako.email, django_capture_on_commit_callbacks)
    body = {**link_params(reset_link(mailoutbox)), "new_password": NEW_PASSWORD, **change}
    body = {name: value for name, value in body.items() if value is not None}

    response = api_client.post(CONFIRM, body, format="json")

    assert response.status_code == 400
    assert error(response) == (code, [field])
    hanako.refresh_from_db()
    assert hanako.check_password(PASSWORD)


def test_guessing_reset_tokens_is_locked_out(
    hanako, api_client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.AXES_FAILURE_LIMIT = 3
    ask_for_reset(api_client, hanako.email, django_capture_on_commit_callbacks)
    params = link_params(reset_link(mailoutbox))
    guesses = [
        api_client.post(CONFIRM, {**params, "token": f"guess-{n}", "new_password": NEW_PASSWORD}, format="json")
        for n in range(3)
    ]

    real = api_client.post(CONFIRM, {**params, "new_password": NEW_PASSWORD}, format="json")
    asking = api_client.post(RESET, {"email": hanako.email}, format="json")

    assert [guess.status_code for guess in guesses] == [400, 400, 429]
    assert real.status_code == 429 and real.json()["error"]["code"] == "locked_out"
    assert asking.status_code == 429
    hanako.refresh_from_db()
    assert hanako.check_password(PASSWORD)


def test_reset_requests_are_throttled_per_address(api_client, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"password_reset": "2/hour"})
    answers = [api_client.post(RESET, {"email": f"n{n}@example.jp"}, format="json") for n in range(3)]

    assert [answer.status_code for answer in answers] == [202, 202, 429]
    assert answers[2].json()["error"]["code"] == "throttled" and answers[2]["Retry-After"]
