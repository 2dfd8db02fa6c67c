"""A claim pays only for a stay that happened: cancelling a booking withdraws its draft and voids its granted,
submitted or approved claim, whose days go back to the group."""

from datetime import date

import pytest

from reimbursements.models import Claim, ClaimDay
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.helpers import book, booking_detail, cancel, open_claim, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(programme):
    return factories.UnitFactory(price_yen=4500)


@pytest.fixture
def trip_a(booking_clock, visitor_client, unit):
    """Trip A 2026-11-01 → 11-03 (3 dates), claimed and submitted."""
    booking = book(visitor_client, unit, check_in=date(2026, 11, 1), check_out=date(2026, 11, 3))
    claim = open_claim(visitor_client, booking)
    response = submit(visitor_client, claim["id"])
    assert response.status_code == 200, response.content
    assert response.json()["eligible_dates"] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    return booking, response.json()


def test_an_approved_claim_is_void_once_its_booking_is_cancelled(visitor, visitor_client, staff_client, unit, trip_a):
    booking_a, claim_a = trip_a
    assert staff_client.post(f"/api/v1/claims/{claim_a['id']}/approve/").json()["status"] == "approved"
    cancel(visitor_client, booking_a["id"])
    voided = visitor_client.get(f"/api/v1/claims/{claim_a['id']}/").json()
    assert (voided["status"], voided["reasons"], voided["eligible_dates"]) == ("cancelled", ["stay_cancelled"], [])

    # The stay did not happen: its three days go back to the group, and nothing of it is ever paid.
    booking_b = book(visitor_client, unit, check_in=date(2026, 12, 5), check_out=date(2026, 12, 9))
    assert booking_b["reimbursement"]["eligible_days"] == 5
    assert booking_b["reimbursement"]["group_days_remaining"] == 1
    claim_b = open_claim(visitor_client, booking_b)
    body = submit(visitor_client, claim_b["id"]).json()
    assert body["eligible_dates"] == ["2026-12-05", "2026-12-06", "2026-12-07", "2026-12-08", "2026-12-09"]
    assert ClaimDay.objects.filter(visitor=visitor).count() == 5
    assert staff_client.post(f"/api/v1/claims/{claim_a['id']}/mark-paid/").status_code == 409
    # The cancelled trip's own estimate shows it takes no part any more.
    assert booking_detail(visitor_client, booking_a["id"])["reimbursement"]["reasons"] == ["booking_cancelled"]


def test_a_submitted_claim_of_a_cancelled_booking_gives_its_days_back(visitor, visitor_client, unit, trip_a):
    booking_a, claim_a = trip_a
    cancel(visitor_client, booking_a["id"])
    assert not ClaimDay.objects.filter(claim_id=claim_a["id"]).exists()
    booking_b = book(visitor_client, unit, check_in=date(2026, 12, 5), check_out=date(2026, 12, 9))
    estimate = booking_b["reimbursement"]
    assert (estimate["eligible_days"], estimate["eligible_nights"]) == (5, 4)
    # Void, it can no longer be withdrawn.
    assert visitor_client.post(f"/api/v1/claims/{claim_a['id']}/withdraw/").status_code == 409


def test_staff_cannot_approve_a_claim_whose_booking_was_cancelled(visitor_client, staff_user, trip_a):
    booking_a, claim_a = trip_a
    cancel(visitor_client, booking_a["id"])
    response = client_for(staff_user, "en").post(f"/api/v1/claims/{claim_a['id']}/approve/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_status"
    claim = Claim.objects.get(id=claim_a["id"])
    assert (claim.status, claim.approved_by_id, claim.approved_amount_yen) == ("cancelled", None, None)
    assert list(claim.events.values_list("to_status", flat=True)) == ["draft", "submitted", "cancelled"]
    assert list(claim.events.values_list("note", flat=True))[-1] == "stay_cancelled"


def test_cancelling_a_booking_withdraws_its_draft_claim_and_voids_a_submitted_one(visitor_client, unit, trip_a):
    draft_booking = book(visitor_client, unit, check_in=date(2026, 12, 5), check_out=date(2026, 12, 7))
    draft = open_claim(visitor_client, draft_booking)

    cancel(visitor_client, draft_booking["id"])

    assert visitor_client.get(f"/api/v1/claims/{draft['id']}/").json()["status"] == "withdrawn"
    events = visitor_client.get(f"/api/v1/claims/{draft['id']}/events/").json()["results"]
    assert [(e["from_status"], e["to_status"], e["note"]) for e in events][-1] == (
        "draft",
        "withdrawn",
        "booking cancelled",
    )

    booking_a, claim_a = trip_a
    cancel(visitor_client, booking_a["id"])
    assert Claim.objects.get(id=claim_a["id"]).status == "cancelled"
    assert ClaimDay.objects.filter(claim_id=claim_a["id"]).count() == 0
