"""The search's distance statement (plain SQL: a CTE the ORM cannot say) held to the ORM's answer: the same
filtered catalogue in the same box, with the same spherical distance written as ORM expressions, gives the same
candidates, the same distances and the same count of those surely inside, on SQLite and on PostgreSQL."""

import math
import random

import pytest
from django.db.models import F, FloatField, Value
from django.db.models.functions import ASin, Cos, Least, Radians, Sin, Sqrt

from facilities.geo import EARTH_RADIUS_KM, Centre, Stretch, _fetch_candidates, bounding_box
from facilities.models import Facility
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db

HALF_RADIAN = math.pi / 360


def _orm_spherical_km(centre: Centre):
    """The haversine the statement computes, as ORM expressions."""
    lat = Sin((F("latitude") - Value(centre.latitude)) * Value(HALF_RADIAN))
    lon = Sin((F("longitude") - Value(centre.longitude)) * Value(HALF_RADIAN))
    cos0 = Value(math.cos(math.radians(centre.latitude)))
    inner = lat * lat + cos0 * Cos(Radians("latitude")) * lon * lon
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(Least(Value(1.0), inner, output_field=FloatField())))


@pytest.mark.parametrize("seed", range(4))
def test_the_distance_statement_gives_the_orms_candidates_and_distances(saku, seed):
    rng = random.Random(seed)
    centre = Centre(36.27796 + rng.uniform(-0.2, 0.2), 138.46424 + rng.uniform(-0.2, 0.2), rng.choice([20, 40, 80]))
    for n in range(60):
        FacilityFactory(
            latitude=centre.latitude + rng.uniform(-0.5, 0.5),
            longitude=centre.longitude + rng.uniform(-0.6, 0.6),
            is_published=n % 7 != 0,
        )
    catalogue = Facility.objects.filter(is_published=True)
    stretch = Stretch.around(centre)
    reach, sure = stretch.possibly_within(centre.radius_km), stretch.surely_within(centre.radius_km)

    plain = _fetch_candidates(catalogue, centre, stretch, wanted=None)

    orm = list(
        catalogue.filter(bounding_box(centre))
        .annotate(km=_orm_spherical_km(centre))
        .filter(km__lte=reach)
        .values_list("id", "latitude", "longitude", "km")
    )
    assert orm, "the sample has candidates"
    assert sorted(row[0] for row in plain.rows) == sorted(row[0] for row in orm)
    by_id = {row[0]: row for row in plain.rows}
    for pk, latitude, longitude, km in orm:
        plain_row = by_id[pk]
        assert plain_row[1:3] == (latitude, longitude)
        assert plain_row[3] == pytest.approx(km, rel=1e-12, abs=1e-9)
        assert plain_row[4] == (km <= sure)
    assert plain.surely_inside == sum(1 for row in orm if row[3] <= sure)
