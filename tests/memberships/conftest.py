"""A coworking space with desks and a meeting room by the hour, its monthly plan, and a clock for the memberships'
"today" (cycles and renewals), which tests move by hand."""

from datetime import date

import pytest

from bookings import selectors as bookings_selectors
from memberships import selectors
from tests.bookings.factories import CoworkingUnitFactory, HourlyRoomFactory
from tests.memberships.factories import PlanFactory


class Clock:
    def __init__(self, today: date):
        self.today = today

    def __call__(self) -> date:
        return self.today


@pytest.fixture
def clock(monkeypatch):
    """Memberships' today, set by the test (bookings keep the real one)."""
    fixed = Clock(bookings_selectors.today())
    monkeypatch.setattr(selectors, "today", fixed)
    return fixed


@pytest.fixture
def space(organisation):
    desks = CoworkingUnitFactory(facility__operator=organisation)
    room = HourlyRoomFactory(facility=desks.facility)
    return desks.facility, desks, room


@pytest.fixture
def plan(space):
    return PlanFactory(facility=space[0])
