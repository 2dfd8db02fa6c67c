"""The distance ranking: its bounds against the geodesic, and whole searches against a brute-force answer."""

import math
import random

import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.models import UnitStock
from facilities.geo import ABSOLUTE_SLACK_KM, EARTH_RADIUS_KM, SPHERE_ERROR, Centre, Stretch
from tests.bookings.factories import ClosureFactory, day
from tests.factories import FacilityFactory, UnitFactory

URL = "/api/v1/facilities/"


def haversine_km(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """The spherical distance as the search's SQL computes it (the oracle of the bounds below)."""
    half = math.pi / 360
    a = math.sin((lat - lat0) * half) ** 2 + math.cos(math.radians(lat0)) * math.cos(math.radians(lat)) * (
        math.sin((lon - lon0) * half) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@settings(max_examples=400, deadline=None)
@given(
    latitude=st.floats(-90, 90),
    longitude=st.floats(-180, 180),
    radius_km=st.floats(0.1, 300),
    share=st.floats(0, 1 / (1 - SPHERE_ERROR)),
    bearing=st.floats(0, 360),
)
def test_the_stretch_bounds_the_geodesic_of_every_candidate(latitude, longitude, radius_km, share, bearing):
    # Any point a search around this centre may look at: up to the reach of the whole-Earth bound.
    centre = Centre(latitude, longitude, radius_km)
    point = geodesic(kilometers=radius_km * share).destination((latitude, longitude), bearing=bearing)
    stretch = Stretch.around(centre)
    sphere = haversine_km(latitude, longitude, point.latitude, point.longitude)
    exact = geodesic((latitude, longitude), (point.latitude, point.longitude)).km

    assert 1 - SPHERE_ERROR < stretch.low < stretch.high < 1 + SPHERE_ERROR
    assert stretch.low * sphere - ABSOLUTE_SLACK_KM <= exact <= stretch.high * sphere + ABSOLUTE_SLACK_KM


@pytest.mark.parametrize("latitude, width", [(36.27796, 0.005), (0.0, 0.007), (-45.0, 0.005), (89.5, 0.002)])
def test_the_stretch_is_narrower_than_the_whole_earth_bound(latitude, width):
    # The whole-Earth bound is 2 * SPHERE_ERROR = 1.2 % wide; 300 km around a point, a fraction of that.
    stretch = Stretch.around(Centre(latitude, 138.0, 300))

    assert stretch.high - stretch.low < width


def _search(client, query: str) -> dict:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.mark.parametrize("seed", range(6))
def test_searches_agree_with_a_brute_force_geodesic_ranking(api_client, saku, seed):
    # Points packed around the radius's edge and around the page boundaries, where the spherical figure
    # cannot decide alone, some at equal distance (the id breaks the tie), at a latitude where the
    # ellipsoid differs most from the sphere along one direction.
    rng = random.Random(seed)
    centre = (rng.uniform(-60, 60), rng.uniform(-179, 179))
    radius = rng.choice([1, 10, 50, 250])
    points = []
    for index in range(45):
        distance = radius * rng.choice([rng.uniform(0.0, 1.0), rng.uniform(0.99, 1.01), 0.5])
        bearing = rng.choice([0, 90, 180, 270, rng.uniform(0, 360)])
        point = geodesic(kilometers=distance).destination(centre, bearing=bearing)
        facility = FacilityFactory(name_ja=f"施設{index}", latitude=point.latitude, longitude=point.longitude)
        points.append((facility.id, geodesic(centre, (point.latitude, point.longitude)).km))
    expected = sorted(((km, pk) for pk, km in points if km <= radius))
    near = f"near={centre[0]},{centre[1]}&radius_km={radius}"

    for page_size in (1, 7, 20):
        pages = math.ceil(len(expected) / page_size) or 1
        got = []
        for page in range(1, pages + 1):
            body = _search(api_client, f"{near}&page_size={page_size}&page={page}")
            assert body["count"] == len(expected)
            got += [(result["distance_km"], result["id"]) for result in body["results"]]
        assert [pk for _, pk in got] == [pk for _, pk in expected]
        assert [km for km, _ in got] == [round(km, 3) for km, _ in expected]
    last = _search(api_client, f"{near}&page_size=7&page=last")
    assert [result["id"] for result in last["results"]] == [pk for _, pk in expected][-(len(expected) % 7 or 7) :]


def test_a_distance_search_keeps_every_other_filter(api_client, saku):
    # The ranking's SQL wraps the filtered catalogue: dates (closures, stock), party size and kind still apply.
    free = UnitFactory(facility__name_ja="空きあり", facility__latitude=36.28, facility__longitude=138.47, capacity=4)
    sold_out = UnitFactory(facility__name_ja="満室", facility__latitude=36.27, facility__longitude=138.46, count=1)
    closed = UnitFactory(facility__name_ja="休業", facility__latitude=36.29, facility__longitude=138.45)
    UnitFactory(facility__name_ja="小さい", facility__latitude=36.28, facility__longitude=138.46, capacity=1)
    UnitStock.objects.create(unit=sold_out, date=day(31), total=1, taken=1)
    ClosureFactory(unit=closed, start_date=day(30), end_date=day(30))
    dates = f"check_in={day(30).isoformat()}&check_out={day(33).isoformat()}"

    body = _search(api_client, f"near=36.27796,138.46424&radius_km=10&{dates}&capacity=2")

    assert [result["name"] for result in body["results"]] == [free.facility.name_ja]
    assert body["count"] == 1
