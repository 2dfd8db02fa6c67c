"""Each app sends its push where it sends its email: claims (granted, refused, approved, rejected, paid),
bookings (confirmed, cancelled), a hold about to expire, tomorrow's consultation, a survey due, and an import
conflict for the operators."""

import datetime as dt

import pytest
from django.utils import timezone

from bookings.models import Booking
from bookings.services import booking_cancel, booking_confirm
from consultations.services import consultations_remind
from notifications.models import Device, Kind
from notifications.services import notify_operators
from payments.sweeps import holds_expiring_notify
from tests.consultations.factories import ConsultationFactory, at
from tests.factories import OperatorFactory
from tests.reimbursements.factories import make_booking
from tests.reimbursements.test_application_flow import (  # noqa: F401  (fixtures)
    applied,
    booking,
    clock,
    committed,
    media,
    post,
    programme,
)

pytestmark = pytest.mark.django_db


def pushed(fcm) -> list[tuple[str, str, str]]:
    return [(message["token"], message["data"]["type"], message["data"]["id"]) for message in fcm.messages]


def test_a_granted_and_a_refused_application_are_pushed(fcm, visitor, applied, staff_client, committed):  # noqa: F811
    Device.objects.create(user=visitor, token="phone", platform="ios", language="en")

    committed(post, staff_client, applied["id"], "grant")
    committed(post, staff_client, applied["id"], "refuse", {"reason": "書類不備"})

    assert pushed(fcm) == [
        ("phone", "application_granted", str(applied["id"])),
        ("phone", "application_refused", str(applied["id"])),
    ]


def test_a_booking_confirmed_then_cancelled_is_pushed(fcm, visitor, django_capture_on_commit_callbacks):
    Device.objects.create(user=visitor, token="phone", platform="android")
    held = make_booking(visitor=visitor, check_in=at(10).date(), check_out=at(12).date(), status=Booking.Status.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        booking_confirm(booking=held)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=Booking.objects.get(pk=held.pk), actor=visitor)

    assert pushed(fcm) == [("phone", "booking_confirmed", str(held.pk)), ("phone", "booking_cancelled", str(held.pk))]


def test_a_hold_ending_within_5_minutes_is_pushed_once(fcm, visitor, django_capture_on_commit_callbacks):
    Device.objects.create(user=visitor, token="phone", platform="ios")
    now = timezone.now()
    ending = make_booking(visitor=visitor, check_in=at(10).date(), check_out=at(11).date(), status="pending")
    later = make_booking(visitor=visitor, check_in=at(20).date(), check_out=at(21).date(), status="pending")
    Booking.objects.filter(pk=ending.pk).update(hold_expires_at=now + dt.timedelta(minutes=4))
    Booking.objects.filter(pk=later.pk).update(hold_expires_at=now + dt.timedelta(minutes=12))

    for minute in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            holds_expiring_notify(now=now + dt.timedelta(minutes=minute))

    assert pushed(fcm) == [("phone", "hold_expiring", str(ending.pk))]


def test_tomorrows_consultation_is_pushed_with_its_reminder(fcm, mailoutbox, django_capture_on_commit_callbacks):
    tomorrow = ConsultationFactory(slot__starts_at=at(1, 8, 30), language="en")
    Device.objects.create(user=tomorrow.visitor, token="phone", platform="ios")

    with django_capture_on_commit_callbacks(execute=True):
        assert consultations_remind() == 1

    assert pushed(fcm) == [("phone", "consultation_tomorrow", str(tomorrow.pk))]
    assert [message.to for message in mailoutbox] == [[tomorrow.visitor.email]]


def test_an_import_conflict_is_pushed_to_the_organisations_operators(
    fcm, organisation, django_capture_on_commit_callbacks
):
    first, second = OperatorFactory(organisation=organisation), OperatorFactory(organisation=organisation)
    Device.objects.create(user=first, token="first", platform="web")
    Device.objects.create(user=second, token="second", platform="ios")

    # Called by the sync where it emails the conflict (bookings/imports.py).
    with django_capture_on_commit_callbacks(execute=True):
        notify_operators(organisation_id=organisation.id, kind=Kind.IMPORT_CONFLICT, object_id=12)

    assert sorted(pushed(fcm)) == [("first", "import_conflict", "12"), ("second", "import_conflict", "12")]
