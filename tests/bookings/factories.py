"""Factories for booking tests: lodging and coworking units, and dates relative to today in Asia/Tokyo."""

import datetime as dt

import factory
from django.utils import timezone

from bookings.models import Closure, PriceOverride
from facilities.models import Facility
from tests.factories import FacilityFactory, UnitFactory


def day(offset: int) -> dt.date:
    """Today (Asia/Tokyo) plus `offset` days."""
    return timezone.localdate() + dt.timedelta(days=offset)


def iso(offset: int) -> str:
    return day(offset).isoformat()


class LodgingUnitFactory(UnitFactory):
    pass


class CoworkingUnitFactory(UnitFactory):
    facility = factory.SubFactory(
        FacilityFactory, kind=Facility.Kind.COWORKING, name_ja="佐久コワーキング", name_en="Saku Coworking"
    )
    price_yen = 1500
    capacity = 1
    count = 3


EVERY_DAY_9_TO_18 = {weekday: ["09:00", "18:00"] for weekday in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class HourlyRoomFactory(CoworkingUnitFactory):
    """A meeting room by the hour: ¥1,100 an hour, on a 15-minute grid, 30 minutes to 4 hours, open 9 to 18."""

    unit_type = "meeting_room"
    name_ja = "会議室A"
    name_en = "Meeting room A"
    booking_mode = "hourly"
    opening_hours = factory.LazyFunction(lambda: dict(EVERY_DAY_9_TO_18))
    price_yen = 1100
    capacity = 6
    count = 1
    slot_minutes = 15
    min_minutes = 30
    max_minutes = 240


def at(offset: int, hhmm: str) -> str:
    """`hhmm` on today plus `offset` days, ISO 8601 with Japan's offset."""
    return f"{iso(offset)}T{hhmm}:00+09:00"


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    unit = factory.SubFactory(UnitFactory)
    start_date = factory.LazyFunction(lambda: day(20))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=2))
    reason = "点検"


class PriceOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceOverride

    unit = factory.SubFactory(UnitFactory)
    start_date = factory.LazyFunction(lambda: day(40))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=4))
    price_yen = 15000
    label = "お盆"
