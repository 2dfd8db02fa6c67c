"""Factories for payment tests: bookings that hold their units, as booking creation leaves them."""

import datetime as dt

import factory
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from bookings.models import Booking, BookingLine, UnitStock
from tests.factories import UnitFactory, VisitorFactory


class HeldBookingFactory(factory.django.DjangoModelFactory):
    """A pending stay whose nights are taken in the stock until `hold_expires_at`."""

    class Meta:
        model = Booking
        skip_postgeneration_save = True

    visitor = factory.SubFactory(VisitorFactory)
    unit = factory.SubFactory(UnitFactory)
    kind = Booking.Kind.STAY
    check_in = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    check_out = factory.LazyAttribute(lambda o: o.check_in + dt.timedelta(days=2))
    status = Booking.Status.PENDING
    total_yen = factory.LazyAttribute(lambda o: o.unit.price_yen * (o.check_out - o.check_in).days)
    hold_expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=settings.BOOKING_HOLD_MINUTES))

    @factory.post_generation
    def take_stock(booking, create, extracted, **kwargs):
        if not create:
            return
        nights = (booking.check_out - booking.check_in).days
        price = booking.total_yen // nights
        for offset in range(nights):
            date = booking.check_in + dt.timedelta(days=offset)
            BookingLine.objects.create(booking=booking, date=date, price_yen=price)
            UnitStock.objects.get_or_create(unit=booking.unit, date=date, defaults={"total": booking.unit.count})
            UnitStock.objects.filter(unit=booking.unit, date=date).update(taken=F("taken") + 1)
