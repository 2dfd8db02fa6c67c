"""What booking a stay costs the database, through the API: the bounds stop a change from quietly adding queries."""

from datetime import date

import pytest

from tests.bookings.factories import LodgingUnitFactory
from tests.reimbursements.factories import saku_programme

pytestmark = pytest.mark.django_db

# The booking's write (lock, re-check, price, write, audit event), the on-site payment confirming it, and the
# response with the estimate of every covering programme; savepoints of the test's transaction included.
BOOKING_QUERIES = 30


def test_booking_a_stay_costs_a_bounded_number_of_queries(
    saku, organisation, visitor_client, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("bookings.selectors.today", lambda: date(2026, 10, 1))
    saku_programme()
    unit = LodgingUnitFactory(facility__operator=organisation, facility__municipality=saku)
    earlier = {"unit": unit.id, "check_in": "2026-11-01", "check_out": "2026-11-02", "adults": 1}
    assert visitor_client.post("/api/v1/bookings/", earlier, format="json").status_code == 201

    with django_assert_max_num_queries(BOOKING_QUERIES):
        response = visitor_client.post(
            "/api/v1/bookings/", {**earlier, "check_in": "2026-12-01", "check_out": "2026-12-04"}, format="json"
        )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "confirmed" and body["total_yen"] == 3 * unit.price_yen
    # The estimates are still there, with the earlier booking's day taken into account.
    assert body["reimbursement"]["programme"] == "saku-trial-stay-2026"
    assert body["reimbursement"]["eligible"] is True
    assert len(body["reimbursements"]) == 1
