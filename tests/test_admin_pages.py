"""Admin pages of bookings, payments, consultations and outcomes render with data for a superuser, and what
only the services may change cannot be edited there."""

import datetime as dt

import pytest
from django.urls import reverse

from bookings.models import Booking, Closure, PriceOverride, UnitStock
from bookings.services import booking_create
from consultations.models import Consultation, ConsultationSlot
from outcomes.models import Move, Survey, SurveyInvitation
from payments.models import Payment, WebhookEvent
from tests.bookings.factories import ClosureFactory, day
from tests.consultations.factories import ConsultationFactory, SlotFactory
from tests.factories import UnitFactory, VisitorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(saku):
    unit = UnitFactory()
    ClosureFactory(unit=unit)
    return booking_create(visitor=VisitorFactory(), unit=unit, check_in=day(10), check_out=day(12), adults=2)


@pytest.mark.parametrize("model", [Booking, UnitStock, Closure, PriceOverride, Payment, WebhookEvent])
def test_changelists_render(admin_client, booking, model):
    opts = model._meta
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200


def test_booking_page_shows_its_nights_read_only(admin_client, booking):
    response = admin_client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))

    assert response.status_code == 200
    assert str(day(10).day) in response.content.decode()
    assert admin_client.get(reverse("admin:bookings_booking_add")).status_code == 403
    response = admin_client.post(reverse("admin:bookings_booking_change", args=[booking.pk]), {"status": "cancelled"})
    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.check_in - dt.timedelta(days=10) == day(0)


# --- consultations and outcomes: read-only, since their services keep capacity and confirmations -------------------


@pytest.fixture
def slot_and_move(saku):
    slot = SlotFactory(capacity=2)
    ConsultationFactory(slot=slot)
    ConsultationSlot.objects.filter(id=slot.id).update(booked=1)
    visitor = VisitorFactory()
    move = Move.objects.create(visitor=visitor, municipality=saku, moved_on=dt.date(2026, 10, 1), reported_by=visitor)
    return ConsultationSlot.objects.get(id=slot.id), move


def test_consultation_and_outcome_pages_refuse_every_write(admin_client, slot_and_move):
    slot, move = slot_and_move
    before = (list(ConsultationSlot.objects.values()), list(Consultation.objects.values()), list(Move.objects.values()))
    for model in (ConsultationSlot, Consultation, Survey, Move, SurveyInvitation):
        opts = model._meta
        assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403

    # A capacity below the places booked (the API answers 409), a move confirmed without its town's staff.
    shrink = admin_client.post(
        reverse("admin:consultations_consultationslot_change", args=[slot.pk]), {"capacity": 0, "booked": 0}
    )
    confirm = admin_client.post(
        reverse("admin:outcomes_move_change", args=[move.pk]),
        {"confirmed_at_0": "2026-10-02", "confirmed_at_1": "9:00"},
    )
    delete = admin_client.post(reverse("admin:consultations_consultationslot_delete", args=[slot.pk]), {"post": "yes"})

    assert (shrink.status_code, confirm.status_code, delete.status_code) == (403, 403, 403)
    assert before == (
        list(ConsultationSlot.objects.values()),
        list(Consultation.objects.values()),
        list(Move.objects.values()),
    )
