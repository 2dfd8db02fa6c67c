"""A booking's audit trail (`GET /api/v1/bookings/{id}/events/`): who made, confirmed, cancelled, released and
completed it, and when; written with the change, readable by those who see the booking, never changed."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from backend.audit import AuditTrailImmutable
from bookings import services
from bookings.models import Booking, BookingEvent
from tests.bookings.factories import iso
from tests.bookings.helpers import book, events_url, trail
from tests.conftest import client_for
from tests.factories import MunicipalityFactory, OperatorFactory, StaffFactory, VisitorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking_id(house, visitor_client):
    """Two nights of the house, paid on site (so confirmed at once)."""
    response = book(visitor_client, {"unit": house.id, "check_in": iso(20), "check_out": iso(22), "adults": 1})
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_a_booking_paid_on_site_shows_who_made_it_and_that_the_payment_confirmed_it(
    booking_id, visitor, visitor_client
):
    events = visitor_client.get(events_url(booking_id)).json()["results"]

    assert trail(visitor_client, booking_id) == [
        ("created", "", "pending", visitor.id, ""),
        ("confirmed", "pending", "confirmed", None, "pay_on_site"),
    ]
    assert events[0]["at"] <= events[1]["at"]


def test_cancellations_record_who_cancelled_and_why(
    house, booking_id, visitor, visitor_client, operator_client, operator_user
):
    assert visitor_client.post(f"/api/v1/bookings/{booking_id}/cancel/", {}, format="json").status_code == 200
    other = book(visitor_client, {"unit": house.id, "check_in": iso(30), "check_out": iso(31), "adults": 1}).json()
    assert (
        operator_client.post(
            f"/api/v1/bookings/{other['id']}/cancel/", {"reason": "断水のため"}, format="json"
        ).status_code
        == 200
    )

    assert trail(visitor_client, booking_id)[-1] == ("cancelled", "confirmed", "cancelled", visitor.id, "")
    assert trail(operator_client, other["id"])[-1] == (
        "cancelled",
        "confirmed",
        "cancelled",
        operator_user.id,
        "断水のため",
    )


def test_a_refused_cancellation_leaves_no_event(booking_id, visitor_client):
    assert visitor_client.post(f"/api/v1/bookings/{booking_id}/cancel/", {}, format="json").status_code == 200
    again = visitor_client.post(f"/api/v1/bookings/{booking_id}/cancel/", {}, format="json")

    assert again.status_code == 409
    assert [kind for kind, *_ in trail(visitor_client, booking_id)] == ["created", "confirmed", "cancelled"]


def test_the_event_is_written_in_the_changes_transaction(booking_id, visitor, monkeypatch):
    """A cancellation that fails after its event was written leaves neither the change nor the event."""

    def failing(**kwargs):
        raise RuntimeError("the claims could not be withdrawn")

    monkeypatch.setattr("reimbursements.services.claims_of_cancelled_booking", failing)
    with pytest.raises(RuntimeError):
        services.booking_cancel(booking=Booking.objects.get(pk=booking_id), actor=visitor)

    assert Booking.objects.get(pk=booking_id).status == "confirmed"
    assert list(BookingEvent.objects.filter(booking_id=booking_id).values_list("kind", flat=True)) == [
        "created",
        "confirmed",
    ]


def test_finished_stays_are_completed_by_the_system(booking_id, visitor_client):
    call_command("bookings_complete")  # not over yet: nothing happens
    Booking.objects.filter(pk=booking_id).update(
        check_in=timezone.localdate() - dt.timedelta(days=3), check_out=timezone.localdate() - dt.timedelta(days=1)
    )
    call_command("bookings_complete")
    call_command("bookings_complete")

    assert trail(visitor_client, booking_id)[2:] == [("completed", "confirmed", "completed", None, "")]


def test_the_booking_its_operator_and_its_town_read_the_trail_and_nobody_else(
    booking_id, visitor_client, operator_client, staff_client, api_client
):
    for client in (visitor_client, operator_client, staff_client):
        assert client.get(events_url(booking_id)).status_code == 200
    strangers = [
        client_for(VisitorFactory()),
        client_for(OperatorFactory()),
        client_for(StaffFactory(municipality=MunicipalityFactory())),
    ]
    for client in strangers:
        response = client.get(events_url(booking_id))
        assert response.status_code == 404 and response.json()["error"]["code"] == "booking_not_found"
    assert api_client.get(events_url(booking_id)).status_code == 401
    assert visitor_client.get(events_url("abc")).status_code == 404
    assert visitor_client.get(events_url(booking_id + 1000)).status_code == 404


# --- append-only -----------------------------------------------------------------------------------------------


def stored(booking_id) -> list[tuple]:
    return list(BookingEvent.objects.filter(booking_id=booking_id).values_list("id", "kind", "to_status", "note"))


def test_a_stored_event_refuses_save_and_delete_and_querysets_refuse_bulk_changes(booking_id):
    before = stored(booking_id)
    event = BookingEvent.objects.filter(booking_id=booking_id).first()
    event.note = "edited"
    with pytest.raises(AuditTrailImmutable):
        event.save()
    with pytest.raises(AuditTrailImmutable):
        event.delete()
    with pytest.raises(AuditTrailImmutable):
        BookingEvent.objects.filter(booking_id=booking_id).update(note="edited")
    with pytest.raises(AuditTrailImmutable):
        BookingEvent.objects.all().delete()
    with pytest.raises(AuditTrailImmutable):
        BookingEvent.objects.bulk_update([event], ["note"])
    assert stored(booking_id) == before


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE bookings_bookingevent SET note = 'edited' WHERE booking_id = %s",
        "UPDATE bookings_bookingevent SET kind = 'cancelled' WHERE booking_id = %s",
    ],
)
def test_the_database_refuses_raw_updates(booking_id, sql):
    before = stored(booking_id)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [booking_id])
    assert stored(booking_id) == before


@pytest.mark.postgres
def test_postgresql_refuses_raw_deletes(booking_id):
    before = stored(booking_id)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM bookings_bookingevent WHERE booking_id = %s", [booking_id])
    assert stored(booking_id) == before


def test_a_booking_or_user_with_events_cannot_be_deleted(booking_id, visitor):
    for row in (Booking.objects.get(pk=booking_id), visitor):
        with pytest.raises(ProtectedError) as refused, transaction.atomic():
            row.delete()
        assert any(isinstance(obj, BookingEvent) for obj in refused.value.protected_objects)
    assert BookingEvent.objects.filter(booking_id=booking_id).count() == 2
