"""Factories for reimbursement tests: programmes, and bookings written directly as Booking + BookingLine rows."""

from datetime import date, timedelta

import factory

from bookings.models import Booking, BookingLine
from reimbursements import demo
from reimbursements.models import CategoryRule, Programme
from tests import factories


def saku_programme() -> Programme:
    demo.seed()
    return Programme.objects.get(code="saku-trial-stay-2026")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"town-{n}")
    name_ja = "お試し滞在補助"
    name_en = "Trial-stay subsidy"
    municipality = factory.SubFactory(factories.MunicipalityFactory)
    valid_from = date(2026, 4, 1)
    valid_until = date(2027, 3, 31)
    max_days_per_group = 7


class CategoryRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoryRule

    programme = factory.SubFactory(ProgrammeFactory)
    category = "lodging"
    name_ja = "宿泊費"
    name_en = "Lodging"
    basis = CategoryRule.Basis.PERSON_NIGHT
    cap_yen = 3000


def make_booking(
    *,
    visitor,
    check_in: date,
    check_out: date | None = None,
    price: int = 9000,
    adults: int = 1,
    children: int = 0,
    infants: int = 0,
    unit=None,
    municipality=None,
    kind=Booking.Kind.STAY,
    dates: list[date] | None = None,
    status=Booking.Status.CONFIRMED,
) -> Booking:
    """A booking as the bookings app stores it: one line per night, or per pass date for day passes."""
    if unit is None:
        facility_kwargs = {"municipality": municipality} if municipality else {}
        unit = factories.UnitFactory(facility=factories.FacilityFactory(**facility_kwargs), price_yen=price)
    if kind == Booking.Kind.DAY_PASS:
        line_dates = sorted(dates)
        check_in, check_out = line_dates[0], line_dates[-1] + timedelta(days=1)
    else:
        line_dates = [check_in + timedelta(days=i) for i in range((check_out - check_in).days)]
    booking = Booking.objects.create(
        visitor=visitor,
        unit=unit,
        kind=kind,
        check_in=check_in,
        check_out=check_out,
        adults=adults,
        children=children,
        infants=infants,
        status=status,
        total_yen=price * len(line_dates),
    )
    BookingLine.objects.bulk_create([BookingLine(booking=booking, date=d, price_yen=price) for d in line_dates])
    return booking
