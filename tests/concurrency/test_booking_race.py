"""Bookings raced through a live server: the last free unit goes to exactly one request, whatever arrives at
once. The row lock decides on its own (the stock CHECK is never reached, and with the CHECK dropped the lock
still gives out one unit), whether or not the date's stock row exists yet; controls show the race is real
without the lock and without the stock CHECK."""

from datetime import timedelta
from functools import partial

import pytest
import requests
from django.db.models import F
from rest_framework_simplejwt.tokens import RefreshToken

from bookings import selectors, services, stays
from bookings.models import Booking, UnitStock
from tests.bookings.factories import LodgingUnitFactory, iso
from tests.concurrency.conftest import REQUEST_SECONDS, constraint_dropped, pause_after, race, warnings_counted
from tests.factories import VisitorFactory

RACERS = 24
transactional = pytest.mark.django_db(transaction=True)


def headers(user, key=None):
    out = {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}
    if key:
        out["Idempotency-Key"] = key
    return out


def post_all(live_server, calls) -> list[requests.Response]:
    """POSTs every (headers, body) to /api/v1/bookings/ at once."""
    url = f"{live_server.url}/api/v1/bookings/"
    return race(
        [partial(requests.post, url, headers=headers, json=body, timeout=REQUEST_SECONDS) for headers, body in calls]
    )


def all_arrive_before_booking(monkeypatch, parties):
    """Every request has checked its stay (outside any transaction) before any of them books."""
    pause_after(monkeypatch, stays, "stay_resolve", parties)


def without_lock(monkeypatch, parties):
    """The stock rows read without FOR UPDATE, and every request has read them before any writes."""
    monkeypatch.setattr(
        services,
        "_stock_lock",
        lambda *, unit, dates: list(UnitStock.objects.filter(unit_id=unit.pk, date__in=sorted(set(dates)))),
    )
    pause_after(monkeypatch, services, "_stock_lock", parties)


def last_free_unit(stock_row=True):
    unit = LodgingUnitFactory(count=1)
    if stock_row:
        # The stock row exists, as it does once anyone has booked any unit of it that night; without it the
        # racers all insert it at once (ON CONFLICT DO NOTHING) before locking it.
        UnitStock.objects.create(unit=unit, date=selectors.today() + timedelta(days=10), total=1)
    return unit


@pytest.fixture
def check_refusals():
    """The bookings the stock CHECK refused after they had passed the locked check."""
    with warnings_counted("bookings.services", "The stock CHECK refused") as counted:
        yield counted


def stock_check_dropped():
    """The stock CHECK removed from the test database for the block, restored after it (an overbooked row, left by
    the control below, would keep it from coming back)."""
    return constraint_dropped(
        UnitStock,
        "unit_stock_never_overbooked",
        clean_up=lambda: UnitStock.objects.filter(taken__gt=F("total")).delete(),
    )


def racers(unit, n=RACERS):
    body = {"unit": unit.id, "check_in": iso(10), "check_out": iso(11), "adults": 1}
    return [(headers(VisitorFactory()), body) for _ in range(n)]


def outcome(responses):
    return sorted(response.status_code for response in responses)


STOCK_ROW = pytest.mark.parametrize("stock_row", [True, False], ids=["stock-row-exists", "no-stock-row-yet"])


@pytest.mark.postgres
@transactional
@STOCK_ROW
def test_the_last_free_unit_goes_to_exactly_one_of_many(live_server, monkeypatch, check_refusals, stock_row):
    unit = last_free_unit(stock_row)
    all_arrive_before_booking(monkeypatch, RACERS)

    responses = post_all(live_server, racers(unit))

    assert outcome(responses) == [201] + [409] * (RACERS - 1)
    refused = [r.json()["error"] for r in responses if r.status_code == 409]
    assert {e["code"] for e in refused} == {"unit_unavailable"}
    assert all(iso(10) in e["message"] for e in refused)
    assert Booking.objects.filter(unit=unit).count() == 1
    assert UnitStock.objects.get(unit=unit).taken == 1
    # The lock refused every loser; none got as far as the CHECK.
    assert check_refusals.count == 0


@pytest.mark.postgres
@transactional
@STOCK_ROW
def test_the_lock_alone_gives_the_last_unit_to_exactly_one(live_server, monkeypatch, check_refusals, stock_row):
    """Lock on, CHECK off: the stock row's lock keeps the racers to one unit without the CHECK behind it.
    (Without FOR UPDATE the stock-row-exists case overbooks here; when the row is new, its unique index also
    makes the other inserters wait for the first one's commit before they lock and read it.)"""
    unit = last_free_unit(stock_row)
    all_arrive_before_booking(monkeypatch, RACERS)

    with stock_check_dropped():
        responses = post_all(live_server, racers(unit))
        stock = UnitStock.objects.get(unit=unit).taken

    assert outcome(responses) == [201] + [409] * (RACERS - 1)
    assert stock == 1
    assert Booking.objects.filter(unit=unit).count() == 1
    assert check_refusals.count == 0


@transactional
def test_the_last_free_unit_goes_to_exactly_one_on_sqlite_too(live_server, monkeypatch, check_refusals):
    """On SQLite the IMMEDIATE transactions serialise the bookings; the same race, the same answer."""
    unit = last_free_unit()
    all_arrive_before_booking(monkeypatch, 20)

    responses = post_all(live_server, racers(unit, 20))

    assert outcome(responses) == [201] + [409] * 19
    assert UnitStock.objects.get(unit=unit).taken == 1
    assert check_refusals.count == 0


@pytest.mark.postgres
@transactional
def test_control_without_the_lock_the_check_constraint_still_refuses(live_server, monkeypatch, check_refusals):
    """Every request passes the Python check (all read 0 taken); only the database's CHECK stops them, and
    each such refusal is counted: the count the tests above expect to be zero can be more."""
    unit = last_free_unit()
    without_lock(monkeypatch, RACERS)

    responses = post_all(live_server, racers(unit))

    assert outcome(responses) == [201] + [409] * (RACERS - 1)
    assert UnitStock.objects.get(unit=unit).taken == 1
    assert check_refusals.count == RACERS - 1
    assert all(
        r.json()["error"]["code"] == "unit_unavailable" and iso(10) in r.json()["error"]["message"]
        for r in responses
        if r.status_code == 409
    )


@pytest.mark.postgres
@transactional
def test_control_without_lock_and_constraint_the_race_overbooks(live_server, monkeypatch):
    """Proof the tests above can fail: with neither guard, the racers all get the one unit."""
    unit = last_free_unit()
    without_lock(monkeypatch, RACERS)

    with stock_check_dropped():
        responses = post_all(live_server, racers(unit))
        overbooked = UnitStock.objects.get(unit=unit).taken

    assert outcome(responses) == [201] * RACERS
    assert overbooked == RACERS


@pytest.mark.postgres
@transactional
def test_simultaneous_retries_with_one_key_make_one_booking(live_server, monkeypatch):
    unit = LodgingUnitFactory(count=5)
    visitor = VisitorFactory()
    body = {"unit": unit.id, "check_in": iso(10), "check_out": iso(12), "adults": 1}
    all_arrive_before_booking(monkeypatch, 10)

    responses = post_all(live_server, [(headers(visitor, "same-key"), body)] * 10)

    assert outcome(responses) == [201] * 10
    assert len({r.json()["id"] for r in responses}) == 1
    assert Booking.objects.filter(unit=unit).count() == 1
    assert list(UnitStock.objects.filter(unit=unit).values_list("taken", flat=True)) == [1, 1]


@pytest.mark.postgres
@transactional
def test_one_key_with_two_bodies_at_once_books_one_and_refuses_the_other(live_server, monkeypatch):
    unit = LodgingUnitFactory(count=5)
    visitor = VisitorFactory()
    bodies = [
        {"unit": unit.id, "check_in": iso(10 + 5 * n), "check_out": iso(11 + 5 * n), "adults": 1} for n in range(2)
    ]
    all_arrive_before_booking(monkeypatch, 2)

    responses = post_all(live_server, [(headers(visitor, "same-key"), body) for body in bodies])

    assert outcome(responses) == [201, 422]
    assert Booking.objects.filter(unit=unit).count() == 1
    assert sum(UnitStock.objects.filter(unit=unit).values_list("taken", flat=True)) == 1
