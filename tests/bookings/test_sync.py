"""Polling and offline sync: ETag and If-None-Match (304) on bookings and facility detail; `updated_since` on the
bookings list with `removed`."""

import pytest
from django.utils import timezone

from tests.bookings.factories import iso
from tests.bookings.helpers import BOOKINGS, book

pytestmark = pytest.mark.django_db


def stay(client, house, start: int, nights: int = 1) -> dict:
    response = book(client, {"unit": house.id, "check_in": iso(start), "check_out": iso(start + nights), "adults": 1})
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_booking_answers_304_while_it_has_not_changed(house, visitor_client, operator_client):
    booking = stay(visitor_client, house, 10)
    url = f"{BOOKINGS}{booking['id']}/"

    first = visitor_client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and first["Cache-Control"] == "private, no-cache"

    again = visitor_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    # Another reader sees another answer (the operator sees the guest): its own tag.
    assert operator_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200

    assert visitor_client.post(f"{url}cancel/", {}, format="json").status_code == 200
    changed = visitor_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["status"] == "cancelled" and changed["ETag"] != etag


def test_the_list_and_a_facility_answer_304_too(house, visitor_client, api_client, operator_client):
    stay(visitor_client, house, 10)
    listed = visitor_client.get(BOOKINGS)
    assert visitor_client.get(BOOKINGS, HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304

    url = f"/api/v1/facilities/{house.facility_id}/"
    facility = api_client.get(url)
    assert api_client.get(url, HTTP_IF_NONE_MATCH=facility["ETag"]).status_code == 304
    # The language is part of the answer, so of its tag.
    assert api_client.get(url, HTTP_IF_NONE_MATCH=facility["ETag"], HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    patched = operator_client.patch(
        f"/api/v1/operator/facilities/{house.facility_id}/", {"name_ja": "新しい名前"}, format="json"
    )
    assert patched.status_code == 200
    assert api_client.get(url, HTTP_IF_NONE_MATCH=facility["ETag"]).status_code == 200


def test_updated_since_returns_what_changed_and_removed_what_left_the_filter(house, visitor_client):
    kept = stay(visitor_client, house, 10)
    cancelled = stay(visitor_client, house, 12)
    since = timezone.now().isoformat()
    assert visitor_client.post(f"{BOOKINGS}{cancelled['id']}/cancel/", {}, format="json").status_code == 200

    everything = visitor_client.get(BOOKINGS).json()
    assert {row["id"] for row in everything["results"]} == {kept["id"], cancelled["id"]}
    assert everything["removed"] == []

    changed = visitor_client.get(BOOKINGS, {"updated_since": since}).json()
    assert [row["id"] for row in changed["results"]] == [cancelled["id"]] and changed["removed"] == []

    confirmed = visitor_client.get(BOOKINGS, {"updated_since": since, "status": "confirmed"}).json()
    assert confirmed["results"] == [] and confirmed["removed"] == [cancelled["id"]]

    later = timezone.now().isoformat()
    assert visitor_client.get(BOOKINGS, {"updated_since": later}).json()["count"] == 0


def test_updated_since_sees_a_collected_payment(house, visitor_client, operator_client):
    booking = stay(visitor_client, house, 10)
    since = timezone.now().isoformat()
    assert operator_client.get(BOOKINGS, {"updated_since": since}).json()["count"] == 0
    assert operator_client.post(f"{BOOKINGS}{booking['id']}/payment/collect/").status_code == 200
    assert [row["id"] for row in operator_client.get(BOOKINGS, {"updated_since": since}).json()["results"]] == [
        booking["id"]
    ]


def test_a_bad_updated_since_is_a_400_naming_it(visitor_client):
    response = visitor_client.get(BOOKINGS, {"updated_since": "yesterday"})
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["updated_since"]
