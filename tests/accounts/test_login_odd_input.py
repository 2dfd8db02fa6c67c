"""Logins with input django-axes cannot store as it is (an email longer than its column, a forwarded address
that is not one): each is a 4xx in the error shape, never a 500, on PostgreSQL too."""

import pytest
from axes.models import AccessAttempt

from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
PASSWORD = "correct-horse-battery"


def test_an_email_longer_than_any_account_fails_as_a_wrong_password(api_client):
    email = "a" * 245 + "@example.jp"  # 256 characters
    assert len(email) == 256

    response = api_client.post(TOKEN, {"email": email, "password": "wrong-password"}, format="json")

    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert [attempt.username for attempt in AccessAttempt.objects.all()] == [email[:255]]


@pytest.mark.parametrize("forwarded", ["not-an-ip", "999.1.1.1", "10.0.0.1, not-an-ip", "::ffff:zz"])
def test_behind_a_proxy_a_forwarded_address_that_is_not_one_leaves_logins_working(api_client, settings, forwarded):
    settings.NUM_PROXIES = 1
    user = VisitorFactory(email="hanako@example.jp")

    wrong = api_client.post(
        TOKEN, {"email": user.email, "password": "wrong-password"}, format="json", HTTP_X_FORWARDED_FOR=forwarded
    )
    # The failure is counted against the connection's own address.
    counted = [attempt.ip_address for attempt in AccessAttempt.objects.all()]
    right = api_client.post(
        TOKEN, {"email": user.email, "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR=forwarded
    )

    assert wrong.status_code == 401 and wrong.json()["error"]["code"]
    assert right.status_code == 200 and right.json()["access"]
    assert counted == ["127.0.0.1"]
