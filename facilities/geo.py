"""Distance ranking for the search: which facilities lie within a radius of a centre, in geodesic order.

It never calls a geocoder. It narrows candidates in SQL with a bounding box on the indexed coordinates, ranks
them by a cheap spherical distance, and computes the geodesic distance (geopy, WGS-84) only where the spherical
figure cannot decide: at the edge of the radius and around the requested page.
"""

import math
from dataclasses import dataclass

from django.db.models import BooleanField, Case, F, FloatField, Q, QuerySet, Sum, Value, When, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import ASin, Cos, Least, NthValue, Power, Radians, RowNumber, Sin, Sqrt
from geopy.distance import geodesic

from .models import Facility

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
# The spherical distance differs from the WGS-84 geodesic by less than 0.6 % anywhere on Earth.
SPHERE_ERROR = 0.006
KM_PER_DEGREE_LATITUDE_MIN = 110.57  # at the equator, the shortest degree of latitude


@dataclass(frozen=True)
class Centre:
    latitude: float
    longitude: float
    radius_km: float


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


def spherical_km_sql(centre: Centre):
    """The haversine distance from the centre in km, as an SQL expression on the coordinate columns."""
    phi0, lambda0 = math.radians(centre.latitude), math.radians(centre.longitude)
    half_dphi = (Radians(F("latitude")) - Value(phi0)) / Value(2.0)
    half_dlambda = (Radians(F("longitude")) - Value(lambda0)) / Value(2.0)
    a = Power(Sin(half_dphi), Value(2.0)) + Value(math.cos(phi0)) * Cos(Radians(F("latitude"))) * Power(
        Sin(half_dlambda), Value(2.0)
    )
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(Least(Value(1.0), a, output_field=FloatField())))


# The first n by sphere are surely among the candidates whose spherical distance is at most this many times
# the n-th's (a geodesic is within SPHERE_ERROR of the spherical figure), with a hair for rounding.
MARGIN_RATIO = (1 + SPHERE_ERROR) / (1 - SPHERE_ERROR) * 1.0001
# A page far down the list loads at most this many rows ahead of it in one go.
MAX_PREFETCH = 5000


@dataclass(frozen=True)
class _Candidates:
    rows: list[tuple[int, float, float, float, bool]]  # id, latitude, longitude, spherical km, surely inside
    surely_inside: int  # how many candidates lie surely inside the radius, fetched or not
    complete_km: float  # every candidate up to this spherical distance was fetched


def _fetch_candidates(facilities: QuerySet[Facility], centre: Centre, wanted: int | None) -> _Candidates:
    """One query: the candidates in the box ranked in SQL by spherical distance; only the first `wanted` (and
    those close behind them) and those near the edge of the radius, which decide the count, are fetched."""
    radius = centre.radius_km
    sure_limit = radius / (1 + SPHERE_ERROR)
    ranked = (
        facilities.filter(bounding_box(centre))
        .annotate(sphere_km=spherical_km_sql(centre))
        .filter(sphere_km__lte=radius / (1 - SPHERE_ERROR))
        .annotate(
            sure=Case(
                When(sphere_km__lte=sure_limit, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
    )
    order, frame = [F("sphere_km").asc(), F("id").asc()], RowRange(start=None, end=None)
    ranked = ranked.annotate(
        surely_inside=Window(
            Sum(Case(When(sphere_km__lte=sure_limit, then=Value(1)), default=Value(0))), order_by=order, frame=frame
        ),
    )
    if wanted is not None:
        ranked = ranked.annotate(
            position=Window(RowNumber(), order_by=order, frame=frame),
            nth_km=Window(NthValue("sphere_km", nth=wanted), order_by=order, frame=frame),
        ).filter(Q(position__lte=wanted) | Q(sphere_km__lte=F("nth_km") * MARGIN_RATIO) | Q(sphere_km__gt=sure_limit))
        columns = ranked.values_list("id", "latitude", "longitude", "sphere_km", "sure", "surely_inside", "nth_km")
    else:
        columns = ranked.values_list("id", "latitude", "longitude", "sphere_km", "sure", "surely_inside")  # type: ignore[assignment]  # without nth_km
    fetched = list(columns)
    rows = [(pk, lat, lon, km, bool(sure)) for pk, lat, lon, km, sure, *_ in fetched]
    surely_inside = int(fetched[0][5]) if fetched else 0
    complete_km = math.inf
    if wanted is not None and fetched and fetched[0][6] is not None:
        nth_reach = fetched[0][6] * MARGIN_RATIO
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
        self._facilities = facilities
        self._geodesic: dict[int, float] = {}
        self._points: dict[int, tuple[float, float]] = {}
        self._load(wanted)

    def _load(self, wanted: int | None) -> None:
        candidates = _fetch_candidates(self._facilities, self.centre, wanted)
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
            known = self._geodesic[pk] = geodesic((self.centre.latitude, self.centre.longitude), self._points[pk]).km
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
        if bound / (1 - SPHERE_ERROR) > self._complete_km:
            self._load(None)
            return self[index]
        pool = [pk for _, pk in head]
        for approx, pk in self._by_sphere[stop:]:
            if approx * (1 - SPHERE_ERROR) > bound:
                break
            pool.append(pk)
        ranked = sorted(pool, key=lambda pk: (self._distance(pk), pk))
        return [(pk, self._distance(pk)) for pk in ranked[start:stop]]


def candidates_near(*, facilities: QuerySet[Facility], centre: Centre, wanted: int | None = None) -> Ranked:
    """Facilities within the centre's radius, ranked; `wanted` is how far into the ranking the caller will read
    (page times page size), so that one query fetches what that page needs."""
    return Ranked(facilities, centre, wanted)
