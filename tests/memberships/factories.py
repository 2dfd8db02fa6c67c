"""Factories for membership tests: the worked example's plan and its coworking space."""

import factory

from memberships.models import Plan
from tests.bookings.factories import CoworkingUnitFactory


class PlanFactory(factory.django.DjangoModelFactory):
    """¥11,000 a month: desks included, 4 hours of meeting-room credit a cycle, ¥880 an hour over it."""

    class Meta:
        model = Plan

    facility = factory.LazyFunction(lambda: CoworkingUnitFactory().facility)
    name_ja = "月額会員"
    name_en = "Monthly member"
    monthly_price_yen = 11000
    access_unit_types = factory.LazyFunction(lambda: ["desk"])
    credit_unit_types = factory.LazyFunction(lambda: ["meeting_room"])
    credit_hours = 4
    over_credit_price_per_hour_yen = 880
    carry_over_months = 0
    notice_days = 14
