"""Registering the app's push token, moving it between accounts, removing it (directly, at logout, with the
account), and the notification switches per kind."""

import pytest
from rest_framework.test import APIClient

from notifications.models import Device, Kind
from tests.accounts.test_sessions_end import PASSWORD, sign_in
from tests.conftest import client_for
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db
DEVICES = "/api/v1/devices/"
PREFERENCES = "/api/v1/me/notifications/"
TOKEN = "fcm-token-" + "a" * 140


def test_a_new_token_is_201_and_the_same_again_is_200(visitor):
    client = client_for(visitor, "en")

    first = client.post(DEVICES, {"platform": "ios", "token": TOKEN}, format="json")
    again = client.post(DEVICES, {"platform": "ios", "token": TOKEN}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["token"] == TOKEN and first.json()["language"] == "en"
    assert list(Device.objects.values_list("user_id", "platform", "language")) == [(visitor.id, "ios", "en")]


def test_a_token_another_account_had_moves_to_the_caller(visitor):
    other = VisitorFactory()
    client_for(other).post(DEVICES, {"platform": "android", "token": TOKEN}, format="json")
    Device.objects.update(active=False)

    response = client_for(visitor, "ja").post(DEVICES, {"platform": "android", "token": TOKEN}, format="json")

    assert response.status_code == 200
    device = Device.objects.get()
    assert (device.user_id, device.language, device.active) == (visitor.id, "ja", True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "blackberry", "token": TOKEN}, "platform"),
        ({"platform": "ios", "token": ""}, "token"),
        ({"platform": "ios", "token": "x" * 513}, "token"),
        ({"token": TOKEN}, "platform"),
    ],
)
def test_a_bad_device_is_a_400_naming_the_field(visitor, body, field):
    response = client_for(visitor).post(DEVICES, body, format="json")

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == [field]
    assert not Device.objects.exists()


def test_registering_needs_a_session(api_client):
    assert api_client.post(DEVICES, {"platform": "ios", "token": TOKEN}, format="json").status_code == 401


def test_deleting_a_device(visitor):
    client = client_for(visitor)
    client.post(DEVICES, {"platform": "web", "token": TOKEN}, format="json")
    client_for(VisitorFactory()).post(DEVICES, {"platform": "web", "token": "someone-else"}, format="json")

    other = client.delete(f"{DEVICES}someone-else/")
    mine = client.delete(f"{DEVICES}{TOKEN}/")
    again = client.delete(f"{DEVICES}{TOKEN}/")

    assert mine.status_code == 204
    assert other.status_code == 404 and other.json()["error"]["code"] == "device_not_found"
    assert again.status_code == 404
    assert list(Device.objects.values_list("token", flat=True)) == ["someone-else"]


def test_logging_out_with_the_device_token_removes_that_device_only(visitor):
    tokens = sign_in(visitor.email, PASSWORD)
    client = client_for(visitor)
    client.post(DEVICES, {"platform": "ios", "token": TOKEN}, format="json")
    client.post(DEVICES, {"platform": "web", "token": "the-browser"}, format="json")

    response = APIClient().post(
        "/api/v1/auth/logout/", {"refresh": tokens["refresh"], "device_token": TOKEN}, format="json"
    )

    assert response.status_code == 204
    assert list(Device.objects.values_list("token", flat=True)) == ["the-browser"]


def test_logging_out_names_only_the_callers_device(visitor):
    tokens = sign_in(visitor.email, PASSWORD)
    client_for(VisitorFactory()).post(DEVICES, {"platform": "ios", "token": TOKEN}, format="json")

    APIClient().post("/api/v1/auth/logout/", {"refresh": tokens["refresh"], "device_token": TOKEN}, format="json")

    assert Device.objects.filter(token=TOKEN).exists()


def test_deleting_the_account_removes_its_devices(visitor):
    client = client_for(visitor)
    client.post(DEVICES, {"platform": "ios", "token": TOKEN}, format="json")

    assert client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not Device.objects.exists()


def test_every_kind_is_on_until_switched_off(visitor):
    client = client_for(visitor)

    before = client.get(PREFERENCES)
    patched = client.patch(
        PREFERENCES, {"survey_due": {"push": False}, "claim_paid": {"email": False, "push": False}}, format="json"
    )
    after = client.get(PREFERENCES)

    assert before.status_code == 200 and set(before.json()) == set(Kind.values)
    assert all(switches == {"push": True, "email": True} for switches in before.json().values())
    assert patched.status_code == 200 and patched.json() == after.json()
    assert after.json()["survey_due"] == {"push": False, "email": True}
    assert after.json()["claim_paid"] == {"push": False, "email": False}
    assert after.json()["booking_confirmed"] == {"push": True, "email": True}


@pytest.mark.parametrize("body", [{"survey_due": {"push": "maybe"}}, {"survey_due": "off"}])
def test_a_bad_switch_is_a_400_and_changes_nothing(visitor, body):
    client = client_for(visitor)

    response = client.patch(PREFERENCES, body, format="json")

    assert response.status_code == 400 and list(response.json()["error"]["fields"])[0].startswith("survey_due")
    assert client.get(PREFERENCES).json()["survey_due"] == {"push": True, "email": True}
