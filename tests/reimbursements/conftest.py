"""Fixtures of the reimbursement tests: the Saku programme and a booking clock set before the spec's trips."""

from datetime import date

import pytest

from tests.reimbursements.factories import saku_programme

# The spec's worked examples run from 2026-11-01 to 2027-01-17. The bookings API refuses dates in the past and
# lets a visitor cancel only before check-in, so its "today" is fixed a month before the first of them: the
# examples stay bookable through the API whenever the suite runs.
BOOKING_TODAY = date(2026, 10, 1)


@pytest.fixture
def booking_clock(monkeypatch):
    monkeypatch.setattr("bookings.selectors.today", lambda: BOOKING_TODAY)
    return BOOKING_TODAY


@pytest.fixture
def programme(saku):
    return saku_programme()
