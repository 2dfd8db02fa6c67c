"""A password change or a deactivation ends every session of the account, whatever the path: the old access
token no longer reads /me/ and the old refresh token no longer refreshes (issue: sessions survive a password
change)."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/me/"
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "staple-orbit-lantern-42"


def sign_in(email: str, password: str = PASSWORD) -> dict:
    response = APIClient().post(TOKEN, {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def me_with(access: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get(ME)


def refresh_with(refresh: str):
    return APIClient().post(REFRESH, {"refresh": refresh}, format="json")


def assert_session_ended(tokens: dict) -> None:
    me = me_with(tokens["access"])
    assert me.status_code == 401, me.json()
    refreshed = refresh_with(tokens["refresh"])
    assert refreshed.status_code == 401, refreshed.json()
    assert refreshed.json()["error"]["code"] == "token_not_valid"


@pytest.fixture
def hanako() -> User:
    return VisitorFactory(email="hanako@example.jp")


@pytest.fixture
def two_sessions(hanako) -> list[dict]:
    """The phone's and the tablet's, the tablet's refreshed once (its rotated token is the live one)."""
    phone = sign_in(hanako.email)
    tablet = sign_in(hanako.email)
    rotated = refresh_with(tablet["refresh"]).json()
    assert me_with(phone["access"]).status_code == 200
    return [phone, {"access": rotated["access"], "refresh": rotated["refresh"]}]


def test_a_session_lives_on_without_a_change(hanako, two_sessions):
    """The control: nothing changed, so both sessions still read /me/ and refresh."""
    for tokens in two_sessions:
        assert me_with(tokens["access"]).status_code == 200
        assert refresh_with(tokens["refresh"]).status_code == 200


def test_a_password_set_in_the_admin_ends_every_session(hanako, two_sessions, admin_client):
    page = f"/admin/accounts/user/{hanako.pk}/password/"
    response = admin_client.post(
        page, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )

    assert response.status_code == 302, response.content
    for tokens in two_sessions:
        assert_session_ended(tokens)
    assert me_with(sign_in(hanako.email, NEW_PASSWORD)["access"]).status_code == 200


def test_a_deactivation_in_the_admin_ends_every_session(hanako, two_sessions, admin_client):
    page = f"/admin/accounts/user/{hanako.pk}/change/"
    form = {
        "email": hanako.email,
        "full_name": hanako.full_name,
        "phone": "",
        "home_prefecture": "",
        "home_municipality": "",
        "home_municipality_code": "",
        "role": "visitor",
        "is_active": "",
    }
    response = admin_client.post(page, form)

    assert response.status_code == 302, response.content
    hanako.refresh_from_db()
    assert not hanako.is_active
    for tokens in two_sessions:
        assert_session_ended(tokens)


def test_a_password_set_in_code_ends_every_session(hanako, two_sessions):
    """set_password and save, as a management command or a shell would."""
    hanako.set_password(NEW_PASSWORD)
    hanako.save()

    for tokens in two_sessions:
        assert_session_ended(tokens)


def test_saving_the_profile_or_signing_in_again_ends_no_session(hanako, two_sessions):
    hanako.full_name = "佐久 花子"
    hanako.save()
    sign_in(hanako.email)

    for tokens in two_sessions:
        assert me_with(tokens["access"]).status_code == 200
        assert refresh_with(tokens["refresh"]).status_code == 200
