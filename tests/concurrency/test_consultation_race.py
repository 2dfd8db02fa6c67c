"""Consultations raced through a live server: a slot's last places go to exactly as many requests as it has,
whatever arrives at once. The slot's row lock decides (the CHECK `booked <= capacity` is never reached, and
with it dropped the lock still holds); controls show the race is real without the lock."""

from functools import partial

import pytest
import requests
from rest_framework_simplejwt.tokens import RefreshToken

from consultations import selectors, services
from consultations.models import Consultation, ConsultationSlot
from tests.concurrency.conftest import REQUEST_SECONDS, constraint_dropped, pause_after, race, warnings_counted
from tests.consultations.factories import SlotFactory
from tests.factories import VisitorFactory

RACERS = 16
transactional = pytest.mark.django_db(transaction=True)


def book_all(live_server, slot, n=RACERS) -> list[requests.Response]:
    """n visitors ask for a place in the slot at once."""
    post = partial(
        requests.post, f"{live_server.url}/api/v1/consultations/", json={"slot": slot.id}, timeout=REQUEST_SECONDS
    )
    return race(
        [
            partial(post, headers={"Authorization": f"Bearer {RefreshToken.for_user(VisitorFactory()).access_token}"})
            for _ in range(n)
        ]
    )


def all_arrive_before_booking(monkeypatch, parties):
    """Every request has found the slot (outside any transaction) before any of them books."""
    pause_after(monkeypatch, selectors, "slot_bookable", parties)


def without_lock(monkeypatch, parties):
    """The slot read without FOR UPDATE, and every request has read it before any writes."""
    monkeypatch.setattr(
        services, "_lock_slot", lambda slot_id: ConsultationSlot.objects.select_related("municipality").get(pk=slot_id)
    )
    pause_after(monkeypatch, services, "_lock_slot", parties)


@pytest.fixture
def check_refusals():
    """The consultations the capacity CHECK refused after they had passed the locked check."""
    with warnings_counted("consultations.services", "A consultation CHECK") as counted:
        yield counted


def _delete_consultations_and_slots():
    Consultation.objects.all().delete()
    ConsultationSlot.objects.all().delete()


def capacity_check_dropped():
    return constraint_dropped(
        ConsultationSlot, "consultation_slot_never_overbooked", clean_up=_delete_consultations_and_slots
    )


def outcome(responses):
    return sorted(response.status_code for response in responses)


@pytest.mark.postgres
@transactional
@pytest.mark.parametrize("capacity", [1, 3])
def test_a_slot_never_takes_more_than_its_capacity(live_server, monkeypatch, check_refusals, capacity):
    slot = SlotFactory(capacity=capacity)
    all_arrive_before_booking(monkeypatch, RACERS)

    responses = book_all(live_server, slot)

    assert outcome(responses) == [201] * capacity + [409] * (RACERS - capacity)
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"slot_full"}
    assert Consultation.objects.filter(slot=slot).count() == capacity
    assert ConsultationSlot.objects.get(id=slot.id).booked == capacity
    assert check_refusals.count == 0


@pytest.mark.postgres
@transactional
def test_the_lock_alone_keeps_the_slot_to_its_capacity(live_server, monkeypatch, check_refusals):
    slot = SlotFactory(capacity=1)
    all_arrive_before_booking(monkeypatch, RACERS)

    with capacity_check_dropped():
        responses = book_all(live_server, slot)
        booked = (Consultation.objects.filter(slot=slot).count(), ConsultationSlot.objects.get(id=slot.id).booked)

    assert outcome(responses) == [201] + [409] * (RACERS - 1)
    assert booked == (1, 1)


@transactional
def test_the_slot_goes_to_exactly_one_on_sqlite_too(live_server, monkeypatch, check_refusals):
    """IMMEDIATE transactions serialise the bookings on SQLite."""
    slot = SlotFactory(capacity=1)
    all_arrive_before_booking(monkeypatch, 8)

    responses = book_all(live_server, slot, 8)

    assert outcome(responses) == [201] + [409] * 7
    assert ConsultationSlot.objects.get(id=slot.id).booked == 1


@pytest.mark.postgres
@transactional
def test_control_without_the_lock_only_the_check_refuses(live_server, monkeypatch, check_refusals):
    """Every request passes the Python check (all read 0 booked); the CHECK stops the others, and each such
    refusal is counted: the count the tests above expect to be zero can be more."""
    slot = SlotFactory(capacity=1)
    without_lock(monkeypatch, RACERS)

    responses = book_all(live_server, slot)

    assert outcome(responses) == [201] + [409] * (RACERS - 1)
    assert ConsultationSlot.objects.get(id=slot.id).booked == 1
    assert check_refusals.count == RACERS - 1


@pytest.mark.postgres
@transactional
def test_control_without_lock_and_check_the_race_overbooks(live_server, monkeypatch):
    """Proof the tests above can fail: with neither guard every racer gets the one place."""
    slot = SlotFactory(capacity=1)
    without_lock(monkeypatch, RACERS)

    with capacity_check_dropped():
        responses = book_all(live_server, slot)
        booked = Consultation.objects.filter(slot=slot).count()

    assert outcome(responses) == [201] * RACERS
    assert booked == RACERS
