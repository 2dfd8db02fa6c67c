"""Hours raced through a live server, as the nights are (test_booking_race.py): 200 requests for the same hour of
one room give exactly one booking. The slot rows' lock decides on its own (the CHECK is never reached, and with
the CHECK dropped the lock still gives out the one room); controls show the race is real without the lock and
without the CHECK."""

import threading
from functools import partial

import pytest
import requests
from django.db.models import F

from bookings import services, stays
from bookings.models import Booking, SlotStock, UnitStock
from tests.bookings.factories import HourlyRoomFactory, at
from tests.concurrency.conftest import constraint_dropped, pause_after, race, warnings_counted
from tests.concurrency.test_booking_race import headers
from tests.factories import VisitorFactory

transactional = pytest.mark.django_db(transaction=True)
MANY = 200
# Requests in flight at once: PostgreSQL's connections are shared with the rest of the machine. The server holds
# each wave at the same point until all of it has arrived, so every wave races for certain.
WAVE = 20
RACERS = 24


def body(room) -> dict:
    return {"unit": room.id, "starts_at": at(10, "10:00"), "ends_at": at(10, "11:00"), "adults": 1}


def post_all(live_server, room, n: int, in_flight: int | None = None) -> list[requests.Response]:
    url = f"{live_server.url}/api/v1/bookings/"
    gate = threading.BoundedSemaphore(in_flight or n)

    def post(auth):
        with gate:
            return requests.post(url, headers=auth, json=body(room), timeout=120)

    return race([partial(post, headers(VisitorFactory())) for _ in range(n)])


def outcome(responses) -> list[int]:
    return sorted(response.status_code for response in responses)


def hour_taken(room) -> list[int]:
    return list(SlotStock.objects.filter(unit=room).order_by("starts_at").values_list("taken", flat=True))


@pytest.fixture
def check_refusals():
    with warnings_counted("bookings.services", "The stock CHECK refused") as counted:
        yield counted


def without_lock(monkeypatch, parties):
    """The date's and the slots' rows read without FOR UPDATE, and every racer has read them before any writes."""
    monkeypatch.setattr(
        services,
        "_stock_lock",
        lambda *, unit, dates: list(UnitStock.objects.filter(unit_id=unit.pk, date__in=sorted(set(dates)))),
    )
    monkeypatch.setattr(
        services,
        "_slot_lock",
        lambda *, unit, slots: list(SlotStock.objects.filter(unit_id=unit.pk, starts_at__in=sorted(set(slots)))),
    )
    pause_after(monkeypatch, services, "_slot_lock", parties)


def room_with_rows():
    """The room, its hour's four slot rows made (as once anyone has booked it and cancelled)."""
    room = HourlyRoomFactory(count=1)
    for minute in ("10:00", "10:15", "10:30", "10:45"):
        SlotStock.objects.create(unit=room, starts_at=at(10, minute), total=1)
    return room


def slot_check_dropped():
    return constraint_dropped(
        SlotStock,
        "slot_stock_never_overbooked",
        clean_up=lambda: SlotStock.objects.filter(taken__gt=F("total")).delete(),
    )


@pytest.mark.postgres
@transactional
def test_two_hundred_requests_for_one_hour_of_one_room_give_one_booking(live_server, monkeypatch, check_refusals):
    room = HourlyRoomFactory(count=1)  # no slot row yet: the first wave makes them all at once
    pause_after(monkeypatch, stays, "stay_resolve", WAVE)

    responses = post_all(live_server, room, MANY, in_flight=WAVE)

    assert outcome(responses) == [201] + [409] * (MANY - 1)
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"unit_unavailable"}
    assert Booking.objects.filter(unit=room).count() == 1
    assert hour_taken(room) == [1, 1, 1, 1]
    assert check_refusals.count == 0


@pytest.mark.postgres
@transactional
def test_the_slot_lock_alone_gives_the_room_to_exactly_one(live_server, monkeypatch, check_refusals):
    room = room_with_rows()
    pause_after(monkeypatch, stays, "stay_resolve", RACERS)

    with slot_check_dropped():
        responses = post_all(live_server, room, RACERS)
        taken = hour_taken(room)

    assert outcome(responses) == [201] + [409] * (RACERS - 1)
    assert taken == [1, 1, 1, 1]
    assert check_refusals.count == 0


@transactional
def test_the_hour_goes_to_exactly_one_on_sqlite_too(live_server, monkeypatch, check_refusals):
    room = HourlyRoomFactory(count=1)
    pause_after(monkeypatch, stays, "stay_resolve", 20)

    responses = post_all(live_server, room, 20)

    assert outcome(responses) == [201] + [409] * 19
    assert hour_taken(room) == [1, 1, 1, 1]
    assert check_refusals.count == 0


@pytest.mark.postgres
@transactional
def test_control_without_the_lock_the_slot_check_still_refuses(live_server, monkeypatch, check_refusals):
    room = room_with_rows()
    without_lock(monkeypatch, RACERS)

    responses = post_all(live_server, room, RACERS)

    assert outcome(responses) == [201] + [409] * (RACERS - 1)
    assert hour_taken(room) == [1, 1, 1, 1]
    assert check_refusals.count == RACERS - 1


@pytest.mark.postgres
@transactional
def test_control_without_lock_and_check_the_race_overbooks_the_hour(live_server, monkeypatch):
    room = room_with_rows()
    without_lock(monkeypatch, RACERS)

    with slot_check_dropped():
        responses = post_all(live_server, room, RACERS)
        overbooked = hour_taken(room)

    assert outcome(responses) == [201] * RACERS
    assert overbooked == [RACERS] * 4
