"""The first statement of every quote's and booking's estimates (plain SQL: which programmes may cover the stay,
and which of them already hold a live claim of its bookings) held to the same question asked through the ORM."""

import random
from datetime import date

import pytest
from django.db.models import Exists, OuterRef, Q

from reimbursements.estimates.loader import _programme_ids_for
from reimbursements.models import Claim, Programme
from tests import factories
from tests.reimbursements.factories import ProgrammeFactory, make_booking

pytestmark = pytest.mark.django_db

ENDED = [status for status in Claim.Status if status not in Claim.LIVE_STATUSES]


def _orm_programme_ids(*, towns: set, booking_ids: list) -> dict[int, bool]:
    live = Claim.objects.filter(booking_id__in=booking_ids, status__in=Claim.LIVE_STATUSES)
    programmes = Programme.objects.filter(
        Q(is_active=True, municipality_id__in=towns) | Q(id__in=live.values("programme_id"))
    ).annotate(claimed=Exists(live.filter(programme_id=OuterRef("pk"))))
    return {programme.id: programme.claimed for programme in programmes}


@pytest.mark.parametrize("seed", range(6))
def test_the_statement_answers_as_the_orm_does(seed):
    rng = random.Random(seed)
    towns = [factories.MunicipalityFactory() for _ in range(3)]
    programmes = [ProgrammeFactory(municipality=rng.choice(towns), is_active=rng.random() < 0.7) for _ in range(6)]
    visitor = factories.VisitorFactory()
    bookings = []
    for n in range(5):
        booking = make_booking(visitor=visitor, check_in=date(2026, 11, 1 + 3 * n), check_out=date(2026, 11, 2 + 3 * n))
        bookings.append(booking)
        # At most one live claim a booking (a constraint), any number of ended ones.
        statuses = [rng.choice(list(Claim.Status)), rng.choice(ENDED)]
        for programme, status in zip(rng.sample(programmes, rng.randint(0, 2)), statuses, strict=False):
            Claim.objects.create(
                booking=booking,
                visitor=visitor,
                programme=programme,
                status=status,
                approved_amount_yen=0,
                granted_amount_yen=0,
            )
    asked_towns = {town.pk for town in rng.sample(towns, rng.randint(1, 3))}
    asked_bookings = [booking.pk for booking in rng.sample(bookings, rng.randint(0, 5))]

    expected = _orm_programme_ids(towns=asked_towns, booking_ids=asked_bookings)
    assert _programme_ids_for(towns=asked_towns, booking_ids=asked_bookings) == expected
