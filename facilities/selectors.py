"""Reads of the catalogue: the public search (filters, distance from a point or station) and a facility's detail.

Distance search never calls a geocoder. It narrows candidates in SQL with a bounding box on the indexed
coordinates, ranks them by a cheap spherical distance, and computes the geodesic distance (geopy, WGS-84)
only where the spherical figure cannot decide: at the edge of the radius and around the requested page.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RowRange
from django.db.models.functions import ASin, Cos, Least, NthValue, Power, Radians, RowNumber, Sin, Sqrt
from django.utils import timezone
from django.utils.translation import gettext as _
from geopy.distance import geodesic

from backend.ids import parse_id

from . import hooks
from .errors import (
    CertificationNotFound,
    FacilityNotFound,
    InvalidSearch,
    LandmarkNotFound,
    PhotoNotFound,
    UnitNotFound,
)
from .models import Area, Certification, Facility, Landmark, Municipality, Photo, Unit

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
# The spherical distance differs from the WGS-84 geodesic by less than 0.6 % anywhere on Earth.
SPHERE_ERROR = 0.006
KM_PER_DEGREE_LATITUDE_MIN = 110.57  # at the equator, the shortest degree of latitude
AMENITIES = ("private_booths", "external_monitors", "open_24h", "kids_space", "car_share", "parking")


@dataclass(frozen=True)
class Centre:
    latitude: float
    longitude: float
    radius_km: float


@dataclass
class SearchQuery:
    kinds: list[str] = field(default_factory=list)
    municipality: str | None = None
    area: str | None = None
    capacity: int | None = None
    amenities: list[str] = field(default_factory=list)
    min_wifi_mbps: int | None = None
    certified: bool = False
    min_certification_level: int | None = None
    certification_scheme: str | None = None
    check_in: date | None = None
    check_out: date | None = None
    centre: Centre | None = None


def station_get(*, code: str) -> Landmark:
    try:
        return Landmark.objects.get(code=code)
    except Landmark.DoesNotExist:
        # The placeholder is not called `code`: that keyword sets the error's own code (see DomainError).
        message = LandmarkNotFound.default_message % {"station": code}
        raise LandmarkNotFound(message, fields={"near_station": [message]}) from None


def _valid_certifications(day: date) -> QuerySet[Certification]:
    return Certification.objects.filter(certified_on__lte=day, valid_until__gte=day)


def _unknown(field_name: str, value: str) -> InvalidSearch:
    message = _("Unknown value: %(value)s.") % {"value": value}
    return InvalidSearch(message, fields={field_name: [message]}, code="unknown_filter_value")


def _published() -> QuerySet[Facility]:
    return Facility.objects.filter(is_published=True)


def facility_filter(*, query: SearchQuery) -> QuerySet[Facility]:
    """Every filter but distance, as SQL; unknown municipality, area or station codes are refused by name."""
    facilities = _published()
    today = timezone.localdate()
    if query.kinds:
        facilities = facilities.filter(kind__in=query.kinds)
    if query.municipality:
        municipality = Municipality.objects.filter(code=query.municipality).values_list("id", flat=True).first()
        if municipality is None:
            raise _unknown("municipality", query.municipality)
        facilities = facilities.filter(municipality_id=municipality)
    if query.area:
        areas = Area.objects.filter(slug=query.area)
        if query.municipality:
            areas = areas.filter(municipality__code=query.municipality)
        area_ids = list(areas.values_list("id", flat=True))
        if not area_ids:
            raise _unknown("area", query.area)
        facilities = facilities.filter(area_id__in=area_ids)
    for amenity in query.amenities:
        facilities = facilities.filter(**{amenity: True})
    if query.min_wifi_mbps is not None:
        facilities = facilities.filter(wifi_mbps__gte=query.min_wifi_mbps)
    if query.certified or query.min_certification_level or query.certification_scheme:
        certificates = _valid_certifications(today).filter(facility=OuterRef("pk"))
        if query.min_certification_level:
            certificates = certificates.filter(rank__gte=query.min_certification_level)
        if query.certification_scheme:
            certificates = certificates.filter(scheme=query.certification_scheme)
        facilities = facilities.filter(Exists(certificates))
    if query.capacity or query.check_in:
        facilities = facilities.filter(Exists(_matching_units(query).filter(facility=OuterRef("pk"))))
    return facilities


def _matching_units(query: SearchQuery) -> QuerySet[Unit]:
    """Active units fit for the party and, when dates are given, open and not sold out on every one of them."""
    units = Unit.objects.filter(is_active=True)
    if query.capacity:
        units = units.filter(capacity__gte=query.capacity)
    if query.check_in and query.check_out:
        nights = (query.check_out - query.check_in).days
        last_day = query.check_out - timedelta(days=1)
        units = units.filter(
            Q(facility__kind=Facility.Kind.COWORKING) | Q(min_nights__lte=nights, max_nights__gte=nights)
        )
        # Closures and stock are the bookings app's (bookings.selectors.units_open_and_free).
        units = hooks.units_open_and_free(units=units, first_day=query.check_in, last_day=last_day)
    return units


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


def spherical_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


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


def _list_queryset(facilities: QuerySet[Facility] | None = None) -> QuerySet[Facility]:
    """What a list row and the detail show: town, area, lowest price, valid certificates, photos."""
    today = timezone.localdate()
    return (
        (Facility.objects.all() if facilities is None else facilities)
        .select_related("municipality", "area")
        .annotate(price_from_yen=Min("units__price_yen", filter=Q(units__is_active=True)))
        .prefetch_related(
            Prefetch(
                "certifications",
                queryset=_valid_certifications(today).order_by("-rank", "-valid_until"),
                to_attr="valid_certifications",
            ),
            Prefetch("photos", queryset=Photo.objects.order_by("position", "id"), to_attr="photo_list"),
        )
    )


def facilities_for_page(*, ids: list[int]) -> list[Facility]:
    """The facilities of one result page, in the given order, with what the list shows: three queries."""
    by_id = {facility.pk: facility for facility in _list_queryset().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def facility_detail(*, facility_id) -> Facility:
    pk = parse_id(facility_id)
    if pk is None:
        raise FacilityNotFound()
    facility = (
        _list_queryset(_published().filter(pk=pk))
        .prefetch_related(
            Prefetch(
                "units",
                queryset=Unit.objects.filter(is_active=True).order_by("price_yen", "id"),
                to_attr="active_units",
            )
        )
        .first()
    )
    if facility is None:
        raise FacilityNotFound()
    return facility


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.prefetch_related("areas").order_by("code")


def landmark_list(*, municipality: str | None = None) -> QuerySet[Landmark]:
    landmarks = Landmark.objects.select_related("municipality").order_by("code")
    if municipality:
        landmarks = landmarks.filter(municipality__code=municipality)
    return landmarks


# --- the operator's own catalogue ------------------------------------------------------------------------------
# Everything is scoped to the signed-in operator's organisation; another organisation's rows are "not found",
# so that their existence is not revealed.


def _operator_facilities(user) -> QuerySet[Facility]:
    organisation_id = getattr(user, "organisation_id", None)
    if not (user and user.is_authenticated and user.is_operator and organisation_id):
        return Facility.objects.none()
    return Facility.objects.filter(operator_id=organisation_id)


def operator_facility_list(*, user) -> QuerySet[Facility]:
    """The organisation's facilities, published or not, with all their units, certificates and photos."""
    return (
        _operator_facilities(user)
        .select_related("municipality", "area")
        .order_by("id")
        .prefetch_related(
            Prefetch("units", queryset=Unit.objects.order_by("id")),
            Prefetch("certifications", queryset=Certification.objects.order_by("-valid_until", "id")),
            Prefetch("photos", queryset=Photo.objects.order_by("position", "id")),
        )
    )


def operator_facility_get(*, user, facility_id) -> Facility:
    pk = parse_id(facility_id)
    facility = operator_facility_list(user=user).filter(pk=pk).first() if pk else None
    if facility is None:
        raise FacilityNotFound()
    return facility


def operator_unit_get(*, user, unit_id) -> Unit:
    pk = parse_id(unit_id)
    unit = (
        Unit.objects.select_related("facility").filter(pk=pk, facility__in=_operator_facilities(user)).first()
        if pk
        else None
    )
    if unit is None:
        raise UnitNotFound()
    return unit


def operator_certification_get(*, user, certification_id) -> Certification:
    pk = parse_id(certification_id)
    certification = (
        Certification.objects.select_related("facility").filter(pk=pk, facility__in=_operator_facilities(user)).first()
        if pk
        else None
    )
    if certification is None:
        raise CertificationNotFound()
    return certification


def operator_photo_get(*, user, photo_id) -> Photo:
    pk = parse_id(photo_id)
    photo = (
        Photo.objects.select_related("facility").filter(pk=pk, facility__in=_operator_facilities(user)).first()
        if pk
        else None
    )
    if photo is None:
        raise PhotoNotFound()
    return photo
