"""Fixtures for booking tests: a bookable house and coworking desks run by the operator fixture's organisation."""

import pytest

from tests.bookings.factories import CoworkingUnitFactory, LodgingUnitFactory


@pytest.fixture
def house(organisation):
    """A trial house (one of it, four persons, 9,000 yen a night) of the `operator_user`'s organisation."""
    return LodgingUnitFactory(
        facility__operator=organisation,
        facility__name_ja="お試し住宅 岩村田",
        facility__name_en="Iwamurada Trial Home",
        name_ja="一棟貸し",
        name_en="Whole house",
    )


@pytest.fixture
def desks(organisation):
    """Three coworking desks at 1,500 yen a day."""
    return CoworkingUnitFactory(facility__operator=organisation)


from tests.bookings.feed_server import feed_server  # noqa: E402,F401  (the local calendar site)
