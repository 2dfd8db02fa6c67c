"""/healthz (the process answers, touching nothing) and /readyz (the database and the cache answer), and the 503
every request gets while the database does not answer."""

import pytest
from django.db import InterfaceError, OperationalError

from backend import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_the_database_and_the_cache(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_readyz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

        def close_if_unusable_or_obsolete(self):
            pass

    monkeypatch.setattr(health, "connection", Unreachable())

    response = client.get("/readyz")

    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert response.json()["checks"] == {"database": "unavailable", "cache": "ok"}


def test_readyz_is_503_when_the_cache_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(health.cache, "set", refuse)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "unavailable"}


@pytest.mark.parametrize(
    "failure",
    [OperationalError("could not connect to server: Connection refused"), InterfaceError("connection already closed")],
)
def test_a_request_while_the_database_is_down_is_a_503_in_the_error_shape(visitor_client, monkeypatch, failure):
    from bookings import apis

    def database_down(*args, **kwargs):
        raise failure

    monkeypatch.setattr(apis.BookingListApi, "get", database_down)

    response = visitor_client.get("/api/v1/bookings/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.json()["error"]
    assert body["code"] == "service_unavailable" and body["message"].startswith("The service is briefly")
    assert "connect" not in body["message"]


def test_a_page_outside_the_api_while_the_database_is_down_is_a_plain_503(client, monkeypatch):
    from django.contrib.auth.views import LoginView

    def database_down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(LoginView, "get", database_down)
    client.raise_request_exception = False

    response = client.get("/api-auth/login/")

    assert response.status_code == 503 and response.has_header("Retry-After")
    assert response["Content-Type"].startswith("text/plain")
