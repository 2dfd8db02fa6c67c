"""The services payments build on (confirm, release, expiry), completion, and the database's own guarantees."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings import services
from bookings.errors import UnitUnavailable
from bookings.models import Booking, UnitStock
from tests.bookings.factories import day, iso
from tests.bookings.helpers import BOOKINGS, book, taken
from tests.conftest import client_for
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(house, visitor, monkeypatch):
    """A pending booking of two nights, as the card flow leaves it while the visitor pays."""
    monkeypatch.setattr("payments.services.payment_open", lambda *, booking: None)
    booking = services.booking_create(visitor=visitor, unit=house, check_in=day(10), check_out=day(12), adults=1)
    monkeypatch.undo()
    return booking


def seen(visitor, booking) -> dict:
    return client_for(visitor).get(f"{BOOKINGS}{booking.id}/").json()


def test_a_booking_is_held_for_the_configured_minutes(held, visitor, settings):
    body = seen(visitor, held)

    assert body["status"] == "pending"
    expires = dt.datetime.fromisoformat(body["hold_expires_at"])
    assert (
        dt.timedelta(minutes=settings.BOOKING_HOLD_MINUTES - 1)
        < expires - timezone.now()
        <= dt.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
    )


def test_confirm_clears_the_hold_and_is_idempotent(held, visitor):
    services.booking_confirm(booking=held)
    services.booking_confirm(booking=held)

    body = seen(visitor, held)
    assert (body["status"], body["hold_expires_at"], body["sequence"]) == ("confirmed", None, 1)


def test_release_gives_the_units_back_once(held, visitor, house):
    services.booking_release(booking=held, cancel_code="payment_failed")
    services.booking_release(booking=held, cancel_code="payment_failed")

    body = seen(visitor, held)
    assert (body["status"], body["cancel_code"]) == ("cancelled", "payment_failed")
    assert taken(house) == 0


def test_expiry_releases_only_expired_holds(held, house):
    assert services.bookings_expire_holds() == 0
    assert services.bookings_expire_holds(now=held.hold_expires_at + dt.timedelta(seconds=1)) == 1

    assert Booking.objects.get(pk=held.pk).cancel_code == "hold_expired"
    assert taken(house) == 0


def test_a_late_payment_takes_the_units_again_when_still_free(held, visitor, house):
    services.bookings_expire_holds(now=held.hold_expires_at + dt.timedelta(seconds=1))

    services.booking_confirm(booking=held)

    body = seen(visitor, held)
    assert (body["status"], body["cancel_code"], body["hold_expires_at"]) == ("confirmed", "", None)
    assert taken(house) == 2


def test_a_late_payment_for_units_taken_meanwhile_is_unavailable(held, house):
    services.bookings_expire_holds(now=held.hold_expires_at + dt.timedelta(seconds=1))
    assert (
        book(
            client_for(VisitorFactory()), {"unit": house.id, "check_in": iso(11), "check_out": iso(12), "adults": 1}
        ).status_code
        == 201
    )

    with pytest.raises(UnitUnavailable) as raised:
        services.booking_confirm(booking=held)

    assert raised.value.status_code == 409 and raised.value.code == "unit_unavailable"
    assert Booking.objects.get(pk=held.pk).status == "cancelled"
    assert taken(house) == 1


def test_finished_stays_are_completed_by_the_daily_command(house, visitor, visitor_client):
    booking = book(visitor_client, {"unit": house.id, "check_in": iso(1), "check_out": iso(2), "adults": 1}).json()
    Booking.objects.filter(pk=booking["id"]).update(check_in=day(-2), check_out=day(0))

    call_command("bookings_complete")

    assert visitor_client.get(f"{BOOKINGS}{booking['id']}/").json()["status"] == "completed"


def test_the_stock_check_refuses_overbooking_whatever_python_does(house):
    UnitStock.objects.create(unit=house, date=day(5), total=1, taken=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        UnitStock.objects.filter(unit=house, date=day(5)).update(taken=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitStock.objects.create(unit=house, date=day(5), total=1)


def test_a_stay_ends_after_it_starts_in_the_database_too(house, visitor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(visitor=visitor, unit=house, kind="stay", check_in=day(3), check_out=day(3), total_yen=0)


def test_a_booking_made_when_the_unit_count_grew_uses_the_new_count(house, visitor_client):
    assert (
        book(visitor_client, {"unit": house.id, "check_in": iso(3), "check_out": iso(4), "adults": 1}).status_code
        == 201
    )
    house.count = 2
    house.save()

    again = book(visitor_client, {"unit": house.id, "check_in": iso(3), "check_out": iso(4), "adults": 1})

    assert again.status_code == 201
    assert UnitStock.objects.get(unit=house, date=day(3)).total == 2
