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
