"""Admin pages of bookings and payments render with data for a superuser, and bookings cannot be edited there."""

import datetime as dt

import pytest
from django.urls import reverse

from bookings.models import Booking, Closure, PriceOverride, UnitStock
from bookings.services import booking_create
from payments.models import Payment, WebhookEvent
from tests.bookings.factories import ClosureFactory, day
from tests.factories import UnitFactory, VisitorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser(email="root@example.jp", password="x" * 12))
    return client


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
