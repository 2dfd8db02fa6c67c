"""The claims list for a mobile app: filters, ETag and 304, updated_since with removed, the booking's summary, and
receipts an image component loads through a short-lived signed link."""

from datetime import date

import pytest
from django.utils import timezone

from reimbursements import claim_filters
from tests.reimbursements.factories import make_booking, saku_programme
from tests.reimbursements.helpers import PNG, add_line, open_claim

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def claims(saku, visitor, visitor_client):
    saku_programme()
    december = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4))
    january = make_booking(visitor=visitor, check_in=date(2027, 1, 10), check_out=date(2027, 1, 12))
    return {
        "december": open_claim(visitor_client, december),
        "january": open_claim(visitor_client, january),
        "bookings": (december, january),
    }


def ids(client, **query) -> list[int]:
    response = client.get(CLAIMS, query)
    assert response.status_code == 200, response.json()
    return sorted(row["id"] for row in response.json()["results"])


def test_claims_are_filtered_by_status_programme_booking_and_dates(claims, visitor_client):
    december, january = claims["december"]["id"], claims["january"]["id"]
    assert ids(visitor_client) == sorted([december, january])
    assert ids(visitor_client, status="draft", programme="saku-trial-stay-2026") == sorted([december, january])
    assert ids(visitor_client, programme="another-programme") == []
    assert ids(visitor_client, booking=claims["bookings"][1].id) == [january]
    assert ids(visitor_client, date_from="2026-12-03", date_to="2026-12-31") == [december]
    assert ids(visitor_client, date_from="2026-12-04") == [january]  # check-out day is not a night of the stay
    bad = visitor_client.get(CLAIMS, {"date_from": "2027-01-02", "date_to": "2027-01-01"})
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["date_to"]


def test_a_claim_carries_its_booking_summary(claims, visitor_client):
    december = claims["bookings"][0]
    summary = visitor_client.get(f"{CLAIMS}{claims['december']['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()[
        "booking_summary"
    ]
    assert summary == {
        "id": december.id,
        "facility": {"id": december.unit.facility_id, "name": december.unit.facility.localized("name")},
        "unit": {"id": december.unit_id, "name": summary["unit"]["name"]},
        "check_in": "2026-12-01",
        "check_out": "2026-12-04",
        "status": "confirmed",
    }


def test_a_page_costs_the_same_queries_whatever_it_holds(claims, visitor_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(40) as one:
        assert len(visitor_client.get(CLAIMS, {"page_size": 1}).json()["results"]) == 1
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(visitor_client.get(CLAIMS, {"page_size": 2}).json()["results"]) == 2


def test_a_claim_answers_304_until_it_changes(claims, visitor_client):
    url = f"{CLAIMS}{claims['december']['id']}/"
    etag = visitor_client.get(url)["ETag"]
    assert visitor_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert visitor_client.get(CLAIMS, HTTP_IF_NONE_MATCH=visitor_client.get(CLAIMS)["ETag"]).status_code == 304

    assert add_line(visitor_client, claims["december"]["id"], category="taxi", date="2026-12-02", amount_yen=1200)
    changed = visitor_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag and len(changed.json()["lines"]) == 1


def test_updated_since_lists_what_changed_and_removed_what_left_the_filter(claims, visitor_client):
    since = timezone.now().isoformat()
    january = claims["january"]["id"]
    assert visitor_client.post(f"{CLAIMS}{january}/withdraw/").status_code == 200

    changed = visitor_client.get(CLAIMS, {"updated_since": since}).json()
    assert [row["id"] for row in changed["results"]] == [january] and changed["removed"] == []
    drafts = visitor_client.get(CLAIMS, {"updated_since": since, "status": "draft"}).json()
    assert drafts["results"] == [] and drafts["removed"] == [january]
    assert visitor_client.get(CLAIMS).json()["removed"] == []


def test_a_receipt_loads_without_a_token_through_its_signed_link(claims, visitor_client, api_client, monkeypatch):
    claim_id = claims["december"]["id"]
    line = add_line(visitor_client, claim_id, category="taxi", date="2026-12-02", amount_yen=1200).json()
    url = line["receipt_url"]
    assert url.startswith("http") and "signature=" in url
    path = url.split("testserver", 1)[-1] if "testserver" in url else url[url.index("/api/") :]

    shown = api_client.get(path)
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == PNG

    # Another line's path with this signature, a forged one, or no signature without a token: not found / 401.
    other = path.replace(f"/lines/{line['id']}/", f"/lines/{line['id'] + 1}/")
    assert api_client.get(other).status_code == 404
    assert api_client.get(path[: path.index("signature=")] + "signature=forged").status_code == 404
    assert api_client.get(path.split("?")[0]).status_code == 401

    # Expired: a link lives at most two steps.
    later = claim_filters.time.time() + 2 * claim_filters.RECEIPT_LINK_STEP + 1
    monkeypatch.setattr(claim_filters.time, "time", lambda: later)
    assert api_client.get(path).status_code == 404
