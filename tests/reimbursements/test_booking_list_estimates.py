"""A page of bookings carries each booking's estimate, with claims and frozen days behind it, in a fixed number
of SQL queries: the same for one booking as for nine."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking
from facilities.models import Facility
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import make_booking
from tests.reimbursements.helpers import BOOKINGS, open_claim, submit

pytestmark = pytest.mark.django_db


def listed(client) -> list[dict]:
    response = client.get(BOOKINGS)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def queries_of(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        listed(client)
    return len(captured)


def claimed_trip(visitor) -> Booking:
    """A stay of 2026-11-01 → 11-03 whose claim is submitted: three frozen days."""
    booking = make_booking(visitor=visitor, check_in=date(2026, 11, 1), check_out=date(2026, 11, 3), adults=2)
    client = client_for(visitor)
    claim = open_claim(client, booking)
    assert submit(client, claim["id"]).status_code == 200
    return booking


def more_trips(visitor, count: int, start: date) -> None:
    """Stays of two nights in other facilities, and a coworking day pass, for the same visitor."""
    desk = factories.UnitFactory(facility=factories.FacilityFactory(kind=Facility.Kind.COWORKING), price_yen=1500)
    make_booking(visitor=visitor, unit=desk, kind=Booking.Kind.DAY_PASS, dates=[start], check_in=None, price=1500)
    for n in range(count - 1):
        first = start + timedelta(days=7 * (n + 1))
        make_booking(visitor=visitor, check_in=first, check_out=first + timedelta(days=2), price=7000, adults=2)


def test_a_visitors_list_costs_the_same_for_one_and_nine_bookings(
    programme, visitor, visitor_client, django_assert_num_queries
):
    claimed = claimed_trip(visitor)
    one = queries_of(visitor_client)
    more_trips(visitor, 8, date(2026, 12, 1))
    with django_assert_num_queries(one):
        rows = listed(visitor_client)
    assert len(rows) == 9
    estimates = {row["id"]: row["reimbursement"] for row in rows}
    frozen = estimates[claimed.id]
    assert (frozen["eligible"], frozen["eligible_days"], frozen["eligible_nights"]) == (True, 3, 2)
    assert frozen["lodging_reimbursable_yen"] == 2 * 8000
    # The frozen three days leave three: the day pass on 12-01 and the first stay 12-08 → 12-10 share them.
    eligible = sorted(
        (row["check_in"], row["reimbursement"]["eligible_days"]) for row in rows if row["reimbursement"]["eligible"]
    )
    assert eligible == [("2026-11-01", 3), ("2026-12-01", 1), ("2026-12-08", 2)]
    later = [row["reimbursement"] for row in rows if row["check_in"] > "2026-12-08"]
    assert len(later) == 6 and all(e["reasons"] == ["day_limit_reached"] for e in later)
    assert all(e["programme"] == "saku-trial-stay-2026" and e["caps"] for e in estimates.values())


def test_staff_list_costs_the_same_for_one_and_nine_bookings(programme, staff_client, django_assert_num_queries):
    claimed_trip(factories.VisitorFactory())
    one = queries_of(staff_client)
    for n in range(8):
        visitor = factories.VisitorFactory()
        if n % 2:
            claimed_trip(visitor)
        else:
            more_trips(visitor, 1, date(2026, 12, 1) + timedelta(days=n))
    with django_assert_num_queries(one):
        rows = listed(staff_client)
    assert len(rows) == 9
    assert all(row["reimbursement"]["eligible"] for row in rows)
    assert sorted(row["reimbursement"]["lodging_reimbursable_yen"] for row in rows) == [0] * 4 + [16000] * 5
