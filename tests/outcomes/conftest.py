"""Fixtures of the outcome tests: a fixed "today" after the stays of the known history."""

from datetime import date

import pytest

TODAY = date(2026, 11, 1)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("bookings.selectors.today", lambda: TODAY)
    return TODAY
