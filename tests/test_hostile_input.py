"""What an attacker sends first: malformed ids, NUL bytes, deeply nested JSON, unknown paths and methods, huge
bodies. Every answer under /api/ is a 4xx in the error shape, never a 500 nor an HTML page."""

import pytest
from django.test import override_settings

from tests.bookings.conftest import house  # noqa: F401  (fixture)
from tests.bookings.factories import iso
from tests.bookings.helpers import book

pytestmark = pytest.mark.django_db


def error(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["error"]


@pytest.fixture
def booking(house, visitor_client):
    response = book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1})
    assert response.status_code == 201, response.content
    return response.json()


def fullwidth(number: int) -> str:
    return "".join(chr(ord("０") + int(digit)) for digit in str(number))


def test_a_booking_is_found_only_by_its_ascii_digits(booking, visitor_client):
    assert visitor_client.get(f"/api/v1/bookings/{booking['id']}/").status_code == 200

    for path_id in (fullwidth(booking["id"]), "²", "١", "%00", f"{booking['id']}%00"):
        response = visitor_client.get(f"/api/v1/bookings/{path_id}/")
        assert response.status_code == 404, path_id
        assert error(response)["code"] in {"not_found", "booking_not_found"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/programmes/%00/",
        "/api/v1/programmes/a%00b/",
        "/api/v1/calendars/%00.ics",
        "/api/v1/facilities/%00/",
        "/api/v1/facilities/²/",
        "/api/v1/units/%00/availability/",
        "/api/v1/units/³/availability/",
    ],
)
def test_nul_bytes_and_non_ascii_digits_in_a_path_are_a_json_404(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 404
    assert error(response)["message"]


def test_claim_and_line_ids_take_ascii_digits_only(visitor_client):
    for path in ("/api/v1/claims/２/", "/api/v1/claims/%00/", "/api/v1/reimbursement-estimates/²/"):
        response = visitor_client.get(path)
        assert response.status_code == 404, path


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/quotes/",
        "/api/v1/bookings/",
        "/api/v1/auth/register/",
        "/api/v1/auth/token/",
        "/api/v1/calendar-feeds/",
    ],
)
def test_deeply_nested_json_is_a_400(visitor_client, path):
    body = "[" * 1000 + "]" * 1000

    response = visitor_client.post(path, body, content_type="application/json")

    assert response.status_code == 400
    assert error(response)["code"] == "parse_error"


def test_deeply_nested_json_object_is_a_400_in_english_too(visitor_client):
    body = '{"a":' * 5000 + "1" + "}" * 5000

    response = visitor_client.post("/api/v1/quotes/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert error(response)["message"].startswith("The request body could not be read")


def test_an_unknown_api_path_is_a_json_404(api_client):
    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_an_unknown_api_path_is_translated(api_client):
    english = error(api_client.get("/api/nothing", HTTP_ACCEPT_LANGUAGE="en"))["message"]
    japanese = error(api_client.get("/api/nothing"))["message"]

    assert english == "Not found." and japanese != english


@override_settings(DEBUG=True)
def test_a_post_without_the_trailing_slash_is_a_json_404_even_in_debug(visitor_client, house):
    response = visitor_client.post("/api/v1/bookings", {"unit": house.id}, format="json")

    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_a_get_without_the_trailing_slash_still_redirects(api_client):
    response = api_client.get("/api/v1/facilities")

    assert response.status_code == 301 and response["Location"].endswith("/api/v1/facilities/")


def test_a_method_not_allowed_is_a_json_405(visitor_client):
    response = visitor_client.put("/api/v1/quotes/", {}, format="json")

    assert response.status_code == 405
    assert error(response)["code"] == "method_not_allowed" and response.has_header("Allow")


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404 and not response["Content-Type"].startswith("application/json")


def test_an_unexpected_failure_is_a_json_500_under_api(visitor_client, monkeypatch):
    from bookings import apis

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(apis.BookingListApi, "get", broken)
    visitor_client.raise_request_exception = False

    response = visitor_client.get("/api/v1/bookings/")

    assert response.status_code == 500
    assert error(response)["code"] == "server_error" and "boom" not in response.content.decode()


class BodyThatMustNotBeRead:
    def read(self, *args):
        raise AssertionError("the body of a request too large was read")

    readline = read


def test_a_body_larger_than_the_limit_is_a_413_before_it_is_read(visitor_client, settings):
    declared = 200 * 1024 * 1024

    response = visitor_client.post(
        "/api/v1/claims/1/lines/",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(declared),
        **{"wsgi.input": BodyThatMustNotBeRead()},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 413
    body = error(response)
    assert body["code"] == "payload_too_large"
    assert str(settings.REQUEST_MAX_BYTES) in body["message"]


def test_the_413_is_translated(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        content_type="application/json",
        CONTENT_LENGTH=str(10**12),
        **{"wsgi.input": BodyThatMustNotBeRead()},
    )

    assert response.status_code == 413 and "バイト" in error(response)["message"]


def test_a_body_just_under_the_limit_still_reaches_the_view(api_client, settings):
    settings.REQUEST_MAX_BYTES = 200
    body = b'{"email": "x", "password": "y"}'

    response = api_client.post("/api/v1/auth/register/", body, content_type="application/json")

    assert response.status_code == 400 and error(response)["code"] == "invalid"


def test_a_content_length_that_is_not_a_number_is_a_400(api_client):
    response = api_client.post("/api/v1/auth/register/", b"{}", content_type="application/json", CONTENT_LENGTH="12abc")

    assert response.status_code == 400 and error(response)["code"] == "invalid_content_length"


@pytest.mark.django_db(transaction=True)
def test_a_live_server_answers_413_without_waiting_for_a_huge_upload(live_server):
    """The client announces 200 MB and sends one kilobyte: the answer comes without the rest being sent."""
    import socket
    from urllib.parse import urlparse

    address = urlparse(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/v1/claims/1/lines/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {200 * 1024 * 1024}\r\n\r\n".encode()
            + b"x" * 1024
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk

    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_early_refusals_carry_the_security_headers(api_client):
    response = api_client.get("/api/v1/programmes/%00/")

    assert response.status_code == 404
    assert response.has_header("Content-Security-Policy") and response["X-Content-Type-Options"] == "nosniff"
