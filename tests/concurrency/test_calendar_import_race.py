"""A calendar import's sync and a burst of bookings race for the last unit of a date through a live server:
whichever order the stock lock gives them, exactly one of them holds it. When a booking wins, the imported
block is recorded as a conflict (the other site's stay starts a night earlier, so it is no echo of the booking);
when the sync wins, every booking is refused. The sync is asked for now and runs in the request's thread here
(tasks run in place in tests, as soon as the request commits)."""

from functools import partial

import pytest
import requests
from rest_framework_simplejwt.tokens import RefreshToken

from bookings import imports, stays
from bookings.models import Booking, CalendarImport, ImportedBlock, UnitStock
from tests.bookings.factories import LodgingUnitFactory, day, iso
from tests.bookings.feed_server import all_day, calendar
from tests.concurrency.conftest import REQUEST_SECONDS, pause_after, race
from tests.concurrency.test_booking_race import stock_check_dropped, without_lock
from tests.factories import OperatorFactory, VisitorFactory

BOOKERS = 12


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def everyone_arrives_before_the_lock(monkeypatch, parties):
    """The sync has read its feed and every booking has checked its stay before any of them takes the lock."""
    barrier = pause_after(monkeypatch, imports, "occurrences_in_window", parties)
    pause_after(monkeypatch, stays, "stay_resolve", barrier)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_a_sync_and_a_burst_of_bookings_never_both_hold_the_last_unit(live_server, feed_server, monkeypatch, round_):
    unit = LodgingUnitFactory(count=1)
    operator = OperatorFactory(organisation=unit.facility.operator)
    url = feed_server.serve("/airbnb.ics", calendar(all_day("guest@airbnb.com", day(9), day(11))))
    calendar_import = CalendarImport.objects.create(unit=unit, name="Airbnb", url=url)
    everyone_arrives_before_the_lock(monkeypatch, BOOKERS + 1)
    body = {"unit": unit.id, "check_in": iso(10), "check_out": iso(11), "adults": 1}
    sync_url = f"{live_server.url}/api/v1/operator/units/{unit.id}/calendar-imports/{calendar_import.id}/sync/"
    book = partial(requests.post, f"{live_server.url}/api/v1/bookings/", json=body, timeout=REQUEST_SECONDS)
    calls = [partial(requests.post, sync_url, headers=bearer(operator), timeout=REQUEST_SECONDS)] + [
        partial(book, headers=bearer(VisitorFactory())) for _ in range(BOOKERS)
    ]

    synced, *bookings = race(calls)

    booked = [response for response in bookings if response.status_code == 201]
    refused = [response for response in bookings if response.status_code != 201]
    assert synced.status_code == 202 and synced.json()["state"] == "done" and synced.json()["status"] == "ok"
    assert {response.status_code for response in refused} <= {409}
    block = ImportedBlock.objects.get(calendar_import=calendar_import, date=day(10))
    active = Booking.objects.filter(unit=unit, status__in=Booking.ACTIVE_STATUSES).count()
    # Exactly one holder of the last unit: the block or one booking, never both, never neither.
    assert active + int(block.held) == 1
    assert len(booked) == active
    assert UnitStock.objects.get(unit=unit, date=day(10)).taken == 1
    if active:
        assert synced.json()["calendar_import"]["conflicts"] == [iso(10)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_and_the_check_the_sync_and_a_booking_both_take_the_unit(
    live_server, feed_server, monkeypatch
):
    """The race above is real: with the stock rows read without FOR UPDATE (and the CHECK dropped), the sync
    and the bookings all see the last unit free and all take it."""
    unit = LodgingUnitFactory(count=1)
    UnitStock.objects.create(unit=unit, date=day(10), total=1)
    operator = OperatorFactory(organisation=unit.facility.operator)
    url = feed_server.serve("/airbnb.ics", calendar(all_day("guest@airbnb.com", day(10), day(11))))
    calendar_import = CalendarImport.objects.create(unit=unit, name="Airbnb", url=url)
    bookers = 3
    without_lock(monkeypatch, bookers + 1)
    body = {"unit": unit.id, "check_in": iso(10), "check_out": iso(11), "adults": 1}
    sync_url = f"{live_server.url}/api/v1/operator/units/{unit.id}/calendar-imports/{calendar_import.id}/sync/"
    book = partial(requests.post, f"{live_server.url}/api/v1/bookings/", json=body, timeout=REQUEST_SECONDS)
    calls = [partial(requests.post, sync_url, headers=bearer(operator), timeout=REQUEST_SECONDS)] + [
        partial(book, headers=bearer(VisitorFactory())) for _ in range(bookers)
    ]

    with stock_check_dropped():
        race(calls)
        holders = (
            Booking.objects.filter(unit=unit, status__in=Booking.ACTIVE_STATUSES).count()
            + ImportedBlock.objects.filter(calendar_import=calendar_import, held=True).count()
        )

    assert holders > 1
