"""What booking a stay costs the database, through the API: the bounds stop a change from quietly adding queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reimbursements import estimates
from tests.bookings.factories import LodgingUnitFactory
from tests.reimbursements.factories import saku_programme

pytestmark = pytest.mark.django_db

# The booking's own queries: authentication, the unit, then its transaction: the stock rows made and locked in one
# statement, closures and prices in one; the booking (written confirmed, paid on site), its lines, the stock, the payment and
# both audit events (created, confirmed) in one insert; and the savepoint pair of the test's transaction (a
# durable block opens none outside a test).
BOOKING_QUERIES = 11
# The response's subsidy estimates under every covering programme, which the reimbursements app reads (which
# programmes may cover the stay; those programmes with their rules and committed budget; then what their group
# pass sees of the visitor's group: its bookings with their lines, its claims with lines and frozen days).
ESTIMATE_QUERIES = 4
# When no programme may cover the stay, the estimates ask which programmes may, and nothing else.
UNCOVERED_ESTIMATE_QUERIES = 1


@pytest.fixture
def booked(saku, organisation, visitor_client, monkeypatch):
    """A unit in a town with a programme, and the visitor already holding a booking of it."""
    monkeypatch.setattr("bookings.selectors.today", lambda: date(2026, 10, 1))
    saku_programme()
    unit = LodgingUnitFactory(facility__operator=organisation, facility__municipality=saku)
    earlier = {"unit": unit.id, "check_in": "2026-11-01", "check_out": "2026-11-02", "adults": 1}
    assert visitor_client.post("/api/v1/bookings/", earlier, format="json").status_code == 201
    return unit, {**earlier, "check_in": "2026-12-01", "check_out": "2026-12-04"}


def test_booking_a_stay_costs_a_bounded_number_of_queries(
    booked, visitor_client, monkeypatch, django_assert_max_num_queries
):
    unit, body = booked
    estimate_queries = []
    counted = estimates.compute

    def counting(**kwargs):
        with CaptureQueriesContext(connection) as queries:
            result = counted(**kwargs)
        estimate_queries.append(len(queries))
        return result

    monkeypatch.setattr(estimates, "compute", counting)

    with django_assert_max_num_queries(BOOKING_QUERIES + ESTIMATE_QUERIES) as queries:
        response = visitor_client.post("/api/v1/bookings/", body, format="json")

    assert response.status_code == 201
    assert len(estimate_queries) == 1 and estimate_queries[0] <= ESTIMATE_QUERIES
    assert len(queries) - estimate_queries[0] <= BOOKING_QUERIES
    body = response.json()
    assert body["status"] == "confirmed" and body["total_yen"] == 3 * unit.price_yen
    # The estimates are still there, with the earlier booking's day taken into account.
    assert body["reimbursement"]["programme"] == "saku-trial-stay-2026"
    assert body["reimbursement"]["eligible"] is True
    assert len(body["reimbursements"]) == 1


def test_a_booking_no_programme_covers_reads_no_history(
    saku, organisation, visitor_client, monkeypatch, django_assert_max_num_queries
):
    """A town without a programme: the answer says so without reading the visitor's bookings or claims, however
    many there are."""
    monkeypatch.setattr("bookings.selectors.today", lambda: date(2026, 10, 1))
    unit = LodgingUnitFactory(facility__operator=organisation, facility__municipality=saku, count=3)
    for n in range(3):
        earlier = {"unit": unit.id, "check_in": f"2026-11-0{1 + 2 * n}", "check_out": f"2026-11-0{2 + 2 * n}"}
        assert visitor_client.post("/api/v1/bookings/", {**earlier, "adults": 1}, format="json").status_code == 201
    body = {"unit": unit.id, "check_in": "2026-12-01", "check_out": "2026-12-04", "adults": 1}

    with django_assert_max_num_queries(BOOKING_QUERIES + UNCOVERED_ESTIMATE_QUERIES):
        response = visitor_client.post("/api/v1/bookings/", body, format="json")

    assert response.status_code == 201
    assert response.json()["reimbursement"]["reasons"] == ["outside_programme_area"]
    assert response.json()["reimbursements"] == []


def test_the_answer_to_a_booking_is_the_booking_as_read_back(booked, visitor_client):
    """The answer is built from what the booking's transaction wrote, not read back: it must not differ from
    the booking as the API shows it afterwards."""
    _unit, body = booked

    made = visitor_client.post("/api/v1/bookings/", body, format="json").json()

    assert made["status"] == "confirmed" and made["payment"]["status"] == "pay_on_site"
    assert made["sequence"] == 1 and made["hold_expires_at"] is None
    assert made == visitor_client.get(f"/api/v1/bookings/{made['id']}/").json()
