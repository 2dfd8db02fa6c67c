"""Distance ranking for the search: which facilities lie within a radius of a centre, in geodesic order.

It never calls a geocoder. It narrows candidates in SQL with a bounding box on the indexed coordinates, ranks
them by a cheap spherical distance, and computes the geodesic distance (geopy, WGS-84) only where the spherical
figure cannot decide: at the edge of the radius and around the requested page.
"""

import math
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q, QuerySet
from geopy.distance import ELLIPSOIDS, geodesic

from .models import Facility

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
# The spherical distance differs from the WGS-84 geodesic by less than 0.6 % anywhere on Earth.
SPHERE_ERROR = 0.006
KM_PER_DEGREE_LATITUDE_MIN = 110.57  # at the equator, the shortest degree of latitude
_WGS84 = geodesic()  # measure(a, b) is geodesic(a, b).km without building a Distance each time
WGS84_MAJOR_KM, _, WGS84_FLATTENING = ELLIPSOIDS["WGS-84"]
WGS84_E2 = WGS84_FLATTENING * (2 - WGS84_FLATTENING)  # first eccentricity squared
# Rounding: geographiclib's geodesic is exact to 15 nm and the SQL haversine to about 1e-15 of the distance.
RELATIVE_SLACK = 1e-9
ABSOLUTE_SLACK_KM = 1e-7


@dataclass(frozen=True)
class Centre:
    latitude: float
    longitude: float
    radius_km: float


def _meridian_radius_km(latitude: float) -> float:
    w2 = 1 - WGS84_E2 * math.sin(math.radians(latitude)) ** 2
    return WGS84_MAJOR_KM * (1 - WGS84_E2) / w2**1.5


def _normal_radius_km(latitude: float) -> float:
    return WGS84_MAJOR_KM / math.sqrt(1 - WGS84_E2 * math.sin(math.radians(latitude)) ** 2)


@dataclass(frozen=True)
class Stretch:
    """How far the geodesic may lie from the spherical distance for the points a search around one centre looks
    at: `low * sphere - ABSOLUTE_SLACK_KM <= geodesic <= high * sphere + ABSOLUTE_SLACK_KM`.

    In geodetic coordinates the ellipsoid's length element is sqrt(M² dφ² + N² cos²φ dλ²) (meridian and normal
    radii of curvature, both growing with |φ|) and the sphere's R·sqrt(dφ² + cos²φ dλ²), so along any path in a
    band of latitudes one is between min M / R and max N / R times the other. Within 300 km of a point in Japan
    that is about ±0.25 %, where the bound for the whole Earth (SPHERE_ERROR) is ±0.6 %: fewer rows are left for
    the geodesic to decide.
    """

    low: float
    high: float

    @classmethod
    def around(cls, centre: Centre) -> "Stretch":
        # Every candidate lies within `reach` on the sphere, so the great circle to it stays within reach / R of
        # the centre's latitude. A geodesic leaving a band of reach * (1 + SPHERE_ERROR) / M_min is longer than
        # that, and so longer than low * sphere whatever the band (low < 1 + SPHERE_ERROR everywhere). The
        # band's extreme latitudes give the extreme radii.
        reach = centre.radius_km / (1 - SPHERE_ERROR)
        band = math.degrees(reach * (1 + SPHERE_ERROR) / _meridian_radius_km(0.0))
        south, north = centre.latitude - band, centre.latitude + band
        nearest_equator = 0.0 if south <= 0 <= north else min(abs(south), abs(north))
        nearest_pole = min(90.0, max(abs(south), abs(north)))
        return cls(
            low=_meridian_radius_km(nearest_equator) / EARTH_RADIUS_KM * (1 - RELATIVE_SLACK),
            high=_normal_radius_km(nearest_pole) / EARTH_RADIUS_KM * (1 + RELATIVE_SLACK),
        )

    def surely_within(self, km: float) -> float:
        """The spherical distance up to which the geodesic is surely at most `km`."""
        return (km - ABSOLUTE_SLACK_KM) / self.high

    def possibly_within(self, km: float) -> float:
        """The spherical distance beyond which the geodesic is surely more than `km`."""
        return (km + ABSOLUTE_SLACK_KM) / self.low

    def geodesic_at_least(self, sphere_km: float) -> float:
        return sphere_km * self.low - ABSOLUTE_SLACK_KM


def bounding_box(centre: Centre) -> Q:
    """A box that surely contains the circle, on the indexed coordinate columns."""
    reach_km = centre.radius_km * (1 + SPHERE_ERROR)
    delta_latitude = reach_km / KM_PER_DEGREE_LATITUDE_MIN
    south, north = centre.latitude - delta_latitude, centre.latitude + delta_latitude
    box = Q(latitude__gte=max(south, -90.0), latitude__lte=min(north, 90.0))
    widest = max(abs(south), abs(north))
    if widest >= 89.0:
        return box  # the circle reaches a pole: every longitude
    delta_longitude = delta_latitude / math.cos(math.radians(widest))
    if delta_longitude >= 180:
        return box
    west, east = centre.longitude - delta_longitude, centre.longitude + delta_longitude
    if west < -180:
        return box & (Q(longitude__gte=west + 360) | Q(longitude__lte=east))
    if east > 180:
        return box & (Q(longitude__gte=west) | Q(longitude__lte=east - 360))
    return box & Q(longitude__gte=west, longitude__lte=east)


# A page far down the list loads at most this many rows ahead of it in one go.
MAX_PREFETCH = 5000


@dataclass(frozen=True)
class _Candidates:
    rows: list[tuple[int, float, float, float, bool]]  # id, latitude, longitude, spherical km, surely inside
    surely_inside: int  # how many candidates lie surely inside the radius, fetched or not
    complete_km: float  # every candidate up to this spherical distance was fetched


# The candidates in the box with their spherical (haversine) distance, computed once per row, and the n-th
# nearest within reach: the query reads each several times, so the database materialises them. `{box}` is the
# filtered catalogue inside the bounding box, as SQL; `{least}` is the database's two-argument minimum; `{nth}`
# is a query for the n-th nearest's distance, or for none when every candidate is wanted.
_CANDIDATES_SQL = """
WITH candidates AS (
    SELECT id, latitude, longitude,
           %s * ASIN(SQRT({least}(1.0,
               SIN((latitude - %s) * %s) * SIN((latitude - %s) * %s)
               + %s * COS(RADIANS(latitude)) * SIN((longitude - %s) * %s) * SIN((longitude - %s) * %s)
           ))) AS km
    FROM ({box}) box
),
nth AS ({nth})
SELECT id, latitude, longitude, km,
       (SELECT COUNT(*) FROM candidates WHERE km <= %s) AS surely_inside,
       (SELECT km FROM nth) AS nth_km
FROM candidates
WHERE km <= %s
  AND ((SELECT km FROM nth) IS NULL OR km <= (SELECT km FROM nth) * %s + %s OR km > %s)
"""
_NTH_SQL = "SELECT km FROM candidates WHERE km <= %s ORDER BY km, id LIMIT 1 OFFSET %s"
_NO_NTH_SQL = "SELECT CAST(NULL AS DOUBLE PRECISION) AS km"


def _fetch_candidates(
    facilities: QuerySet[Facility], centre: Centre, stretch: Stretch, wanted: int | None
) -> _Candidates:
    """One query: the candidates in the box with their spherical distance and how many lie surely inside; only
    the first `wanted` (and those close behind them) and those near the edge of the radius, which decide the
    count, are fetched."""
    sure_limit = stretch.surely_within(centre.radius_km)
    reach = stretch.possibly_within(centre.radius_km)  # beyond it, surely outside
    # The first n by geodesic are among the candidates up to possibly_within(the n-th by sphere's largest
    # geodesic), that is up to n-th * margin_ratio + margin_km on the sphere.
    margin_ratio, margin_km = stretch.high / stretch.low, 2 * ABSOLUTE_SLACK_KM / stretch.low
    box = facilities.filter(bounding_box(centre)).order_by().values_list("id", "latitude", "longitude")
    box_sql, box_params = box.query.get_compiler(using=box.db).as_sql()
    half_radian = math.pi / 360  # half a degree in radians: the haversine takes half-differences
    lat0, lon0 = centre.latitude, centre.longitude
    haversine_params = [2 * EARTH_RADIUS_KM, lat0, half_radian, lat0, half_radian]
    haversine_params += [math.cos(math.radians(lat0)), lon0, half_radian, lon0, half_radian]
    nth, nth_params = (_NO_NTH_SQL, []) if wanted is None else (_NTH_SQL, [reach, wanted - 1])
    connection = connections[box.db]
    sql = _CANDIDATES_SQL.format(box=box_sql, least="MIN" if connection.vendor == "sqlite" else "LEAST", nth=nth)
    params = [*haversine_params, *box_params, *nth_params, sure_limit, reach, margin_ratio, margin_km, sure_limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        fetched = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    rows = [(r["id"], r["latitude"], r["longitude"], r["km"], r["km"] <= sure_limit) for r in fetched]
    surely_inside = int(fetched[0]["surely_inside"]) if fetched else 0
    complete_km = math.inf
    if wanted is not None and fetched and fetched[0]["nth_km"] is not None:
        nth_reach = fetched[0]["nth_km"] * margin_ratio + margin_km
        # Beyond sure_limit every candidate is fetched anyway.
        complete_km = math.inf if nth_reach >= sure_limit else nth_reach
    return _Candidates(rows, surely_inside, complete_km)


class Ranked:
    """Facilities within a radius, ordered by geodesic distance, computing geodesics only where needed.

    Behaves as a sequence for the paginator: `len()` is the number within the radius and a slice gives
    (facility id, distance in km) pairs in exact geodesic order. The database ranks by spherical distance and
    counts; geodesics are computed for the rows near the edge of the radius and around the page asked for.
    """

    def __init__(self, facilities: QuerySet[Facility], centre: Centre, wanted: int | None):
        self.centre = centre
        self._stretch = Stretch.around(centre)
        self._facilities = facilities
        self._geodesic: dict[int, float] = {}
        self._points: dict[int, tuple[float, float]] = {}
        self._load(wanted)

    def _load(self, wanted: int | None) -> None:
        candidates = _fetch_candidates(self._facilities, self.centre, self._stretch, wanted)
        radius = self.centre.radius_km
        inside, near_edge_inside = [], 0
        for pk, lat, lon, approx, sure in candidates.rows:
            self._points[pk] = (lat, lon)
            if not sure:
                if self._distance(pk) > radius:
                    continue
                near_edge_inside += 1
            inside.append((approx, pk))
        inside.sort()
        self._count = candidates.surely_inside + near_edge_inside
        self._complete_km = candidates.complete_km
        # The inside rows in spherical order that are known with nothing missing between them.
        self._by_sphere = [row for row in inside if row[0] <= self._complete_km]

    def _distance(self, pk: int) -> float:
        known = self._geodesic.get(pk)
        if known is None:
            known = self._geodesic[pk] = _WGS84.measure((self.centre.latitude, self.centre.longitude), self._points[pk])
        return known

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(self._count)
        if start >= stop:
            return []
        if len(self._by_sphere) < stop:
            self._load(stop + stop // 2 if stop < MAX_PREFETCH else None)
            if len(self._by_sphere) < stop:
                self._load(None)
        # The first `stop` by geodesic lie among the first `stop` by sphere plus those whose lower bound
        # does not exceed the largest geodesic among them.
        head = self._by_sphere[:stop]
        bound = max(self._distance(pk) for _, pk in head)
        if self._stretch.possibly_within(bound) > self._complete_km:
            self._load(None)
            return self[index]
        pool = [pk for _, pk in head]
        for approx, pk in self._by_sphere[stop:]:
            if self._stretch.geodesic_at_least(approx) > bound:
                break
            pool.append(pk)
        ranked = sorted(pool, key=lambda pk: (self._distance(pk), pk))
        return [(pk, self._distance(pk)) for pk in ranked[start:stop]]


def candidates_near(*, facilities: QuerySet[Facility], centre: Centre, wanted: int | None = None) -> Ranked:
    """Facilities within the centre's radius, ranked; `wanted` is how far into the ranking the caller will read
    (page times page size), so that one query fetches what that page needs."""
    return Ranked(facilities, centre, wanted)
