"""Reads of the catalogue: the public search (filters, then distance through `geo`) and a facility's detail."""

import functools
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

from django.db import connections, router
from django.db.models import Exists, OuterRef, PositiveIntegerField, Prefetch, Q, QuerySet, Subquery, URLField
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.ids import parse_id
from backend.plain_sql import Part, PlainRead, column, placeholders, table

from . import hooks
from .errors import (
    CertificationNotFound,
    FacilityNotFound,
    InvalidSearch,
    LandmarkNotFound,
    PhotoNotFound,
    UnitNotFound,
)
from .geo import Centre, Ranked, candidates_near
from .models import Area, Certification, Facility, Landmark, Municipality, Photo, Unit

AMENITIES = ("private_booths", "external_monitors", "open_24h", "kids_space", "car_share", "parking")


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
    centre: Centre | None = None  # from `near`
    near_station: str | None = None  # the centre is this station, within radius_km
    radius_km: float = 20.0


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


def priced_units(*, facilities, query: SearchQuery, party: tuple[int, int, int], visitor) -> dict[int, list[dict]]:
    """For a dated search's page: each facility's units that match the search, a quote would accept for this
    party and these dates, priced (`total_yen`) with the visitor's best estimate (`total_reimbursable_yen`), by
    facility id, cheapest first. One query for the units (with their availability), one for their prices (the
    bookings app's hook); the estimates are the subsidy engine's, one per unit, for a signed-in visitor only."""
    if not (query.check_in and query.check_out) or not facilities:
        return {}
    units = list(
        _matching_units(query)
        .filter(facility_id__in=[facility.id for facility in facilities])
        .select_related("facility")
        .order_by("facility_id", "price_yen", "id")
    )
    adults, children, infants = party
    prices = hooks.units_priced(
        units=units,
        check_in=query.check_in,
        check_out=query.check_out,
        adults=adults,
        children=children,
        infants=infants,
        visitor=visitor,
    )
    by_facility: dict[int, list[dict]] = {facility.id: [] for facility in facilities}
    for unit in units:
        if unit.pk in prices:
            by_facility[unit.facility_id].append({"unit": unit, **prices[unit.pk]})
    for rows in by_facility.values():
        rows.sort(key=lambda row: (row["total_yen"], row["unit"].pk))
    return by_facility


def _list_queryset(facilities: QuerySet[Facility] | None = None) -> QuerySet[Facility]:
    """What a list row and the detail show but the certificates: town, area, lowest price, first photo. The price
    and the photo are subqueries rather than a join and a GROUP BY, so that a page only computes its own rows."""
    active_prices = Unit.objects.filter(facility=OuterRef("pk"), is_active=True).order_by("price_yen")
    first_photo = Photo.objects.filter(facility=OuterRef("pk")).order_by("position", "id")
    return (
        (Facility.objects.all() if facilities is None else facilities)
        .select_related("municipality", "area")
        .annotate(
            price_from_yen=Subquery(active_prices.values("price_yen")[:1]),
            first_photo_url=Subquery(first_photo.values("url")[:1]),
        )
    )


def _best_certifications_first() -> QuerySet[Certification]:
    return _valid_certifications(timezone.localdate()).order_by("-rank", "-valid_until")


# A search page's rows and their certificates are read in plain SQL (backend.plain_sql): a page is read on every
# search, and compiling the ORM's join with its two subqueries took longer than running it.
# tests/facilities/test_plain_reads.py holds both to what `_list_queryset` and `_best_certifications_first` read.
_LIST_ROW = PlainRead(
    [Part("f", Facility), Part("m", Municipality), Part("a", Area)],
    extras=(("price_from_yen", PositiveIntegerField()), ("first_photo_url", URLField())),
)


@functools.cache
def _list_rows_sql() -> str:
    """What `_list_queryset` selects (town, area, lowest active price, first photo), for the facilities whose ids
    the `IN (...)` that follows gives."""
    price = (
        f"(SELECT {column(Unit, 'price_yen', 'u')} FROM {table(Unit)} u WHERE {column(Unit, 'facility', 'u')} = "
        f"{column(Facility, 'id', 'f')} AND {column(Unit, 'is_active', 'u')} = TRUE "
        f"ORDER BY {column(Unit, 'price_yen', 'u')} LIMIT 1)"
    )
    photo = (
        f"(SELECT {column(Photo, 'url', 'p')} FROM {table(Photo)} p WHERE {column(Photo, 'facility', 'p')} = "
        f"{column(Facility, 'id', 'f')} ORDER BY {column(Photo, 'position', 'p')}, {column(Photo, 'id', 'p')} LIMIT 1)"
    )
    return (
        f"SELECT {_LIST_ROW.select_list(price, photo)} FROM {table(Facility)} f "
        f"JOIN {table(Municipality)} m ON {column(Municipality, 'id', 'm')} = {column(Facility, 'municipality', 'f')} "
        f"LEFT JOIN {table(Area)} a ON {column(Area, 'id', 'a')} = {column(Facility, 'area', 'f')} "
        f"WHERE {column(Facility, 'id', 'f')} IN "
    )


@functools.cache
def _certificates_sql() -> str:
    """What `_best_certifications_first` reads, for the facilities whose ids the `IN (...)` inserted gives: read
    through `Certification.objects.raw()`, which maps its columns to the fields by name (bench/plain_reads.py: as
    fast as the plain read it replaced, half the ORM's time)."""
    return (
        f"SELECT c.* FROM {table(Certification)} c "
        f"WHERE {column(Certification, 'certified_on', 'c')} <= %s AND {column(Certification, 'valid_until', 'c')} >= %s "
        f"AND {column(Certification, 'facility', 'c')} IN ({{ids}}) "
        f"ORDER BY {column(Certification, 'rank', 'c')} DESC, {column(Certification, 'valid_until', 'c')} DESC"
    )


def _list_rows(ids_sql: str, params: list, *, order_by_id: bool = False) -> list[Facility]:
    """The list rows of the facilities `ids_sql` (an SQL list or subquery, with `params`) names, each with its
    certificates valid today as `valid_certifications`, best first: two queries."""
    sql = f"{_list_rows_sql()}({ids_sql})"
    if order_by_id:
        sql += f" ORDER BY {column(Facility, 'id', 'f')}"
    facilities = []
    # The catalogue's reads may come from a replica (backend/replica.py): the ORM's router decides here too.
    connection = connections[router.db_for_read(Facility)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            (facility, municipality, area), extras = _LIST_ROW.convert(row)
            facility = cast(Facility, facility)
            Facility.municipality.field.set_cached_value(facility, municipality)
            Facility.area.field.set_cached_value(facility, area)
            facility.price_from_yen = extras["price_from_yen"]  # type: ignore[attr-defined]  # as annotate sets
            facility.first_photo_url = extras["first_photo_url"]  # type: ignore[attr-defined]
            facilities.append(facility)
    certificates: dict[int, list[Certification]] = {facility.pk: [] for facility in facilities}
    if certificates:
        today = timezone.localdate()
        sql = _certificates_sql().format(ids=placeholders(len(certificates)))
        for certificate in Certification.objects.using(connection.alias).raw(sql, [today, today, *certificates]):
            certificates[certificate.facility_id].append(certificate)
    for facility in facilities:
        facility.valid_certifications = certificates[facility.pk]  # type: ignore[attr-defined]  # as to_attr does
    return facilities


class SearchResults:
    """One search's answer as the paginator reads it: `len()` is the number of matches, and a slice gives the
    facilities of a page, in order, with what a list row shows and their `distance_km` (None without a centre).

    A page costs three queries: the count (or the ranking, which counts too), the page's facilities and their
    certificates.
    """

    def __init__(self, facilities: QuerySet[Facility], ranked: Ranked | None):
        self._facilities = facilities
        self._ranked = ranked
        self._count: int | None = None

    def __len__(self) -> int:
        if self._ranked is not None:
            return len(self._ranked)
        if self._count is None:
            self._count = self._facilities.count()
        return self._count

    def __getitem__(self, index: slice) -> list[Facility]:
        if self._ranked is None:
            if index.start is not None and index.stop is not None and index.start >= index.stop:
                return []
            # The page's ids as a subquery of the filtered catalogue, in catalogue order.
            ids = self._facilities.order_by("id").values("id")[index]
            ids_sql, ids_params = ids.query.get_compiler(using=ids.db).as_sql()
            page = _list_rows(ids_sql, list(ids_params), order_by_id=True)
            for facility in page:
                facility.distance_km = None  # type: ignore[attr-defined]  # shown as null
            return page
        distances = dict(self._ranked[index])
        by_id = {facility.pk: facility for facility in _list_rows(placeholders(len(distances)), list(distances))}
        page = [by_id[pk] for pk in distances if pk in by_id]
        for facility in page:
            facility.distance_km = distances[facility.pk]  # type: ignore[attr-defined]  # a search's own figure
        return page


def facility_search(*, query: SearchQuery, wanted: int) -> SearchResults:
    """Published facilities matching the query: with a centre (`near` or `near_station`) those within its radius
    in geodesic order, otherwise all of them in catalogue order. `wanted` is how far into the results the caller
    will read (page times page size), so that one query ranks what that page needs."""
    centre = query.centre
    if query.near_station is not None:
        station = station_get(code=query.near_station)
        centre = Centre(station.latitude, station.longitude, query.radius_km)
    facilities = facility_filter(query=query)
    ranked = None if centre is None else candidates_near(facilities=facilities, centre=centre, wanted=wanted)
    return SearchResults(facilities, ranked)


def facility_detail(*, facility_id) -> Facility:
    pk = parse_id(facility_id)
    if pk is None:
        raise FacilityNotFound()
    facility = (
        _list_queryset(_published().filter(pk=pk))
        .prefetch_related(
            Prefetch("certifications", queryset=_best_certifications_first(), to_attr="valid_certifications")
        )
        .prefetch_related(
            Prefetch(
                "units",
                queryset=Unit.objects.filter(is_active=True).order_by("price_yen", "id"),
                to_attr="active_units",
            )
        )
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("position", "id"), to_attr="photo_list"))
        .first()
    )
    if facility is None:
        raise FacilityNotFound()
    return facility


def municipality_list(*, q: str = "") -> QuerySet[Municipality]:
    """The catalogue's municipalities, those matching `q` when given: the start of the code, or part of the name
    (kanji, kana in either script, English) or of the prefecture (Japanese, English)."""
    municipalities = Municipality.objects.prefetch_related("areas").order_by("code")
    text = search_text(q)
    if not text:
        return municipalities
    matches = (
        Q(name_ja__icontains=text)
        | Q(name_kana__icontains=text)
        | Q(name_en__icontains=text)
        | Q(prefecture_ja__icontains=text)
        | Q(prefecture_en__icontains=text)
    )
    if text.isdigit():
        matches |= Q(code__startswith=text)
    return municipalities.filter(matches)


def search_text(q: str) -> str:
    """A search as typed, made comparable: NFKC (full-width digits and letters, half-width kana), katakana as
    hiragana (the catalogue keeps readings in hiragana), surrounding spaces dropped."""
    text = unicodedata.normalize("NFKC", q).strip()
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


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
