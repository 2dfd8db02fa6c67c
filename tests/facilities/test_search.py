"""The public search: filters, distance from a point or a station, paging, languages, bad input."""

import datetime as dt

import pytest
from geopy.distance import geodesic
from geopy.geocoders import options

from bookings.models import UnitStock
from facilities.models import Facility
from tests.bookings.factories import ClosureFactory, day
from tests.factories import (
    AreaFactory,
    CertificationFactory,
    FacilityFactory,
    LandmarkFactory,
    MunicipalityFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/facilities/"
SAKUDAIRA = (36.27796, 138.46424)


def search(client, query: str = "", **headers):
    response = client.get(f"{URL}?{query}", **headers)
    assert response.status_code == 200, response.json()
    return response.json()


def names(body) -> list[str]:
    return [result["name"] for result in body["results"]]


def test_results_carry_identity_and_place(api_client, saku):
    facility = FacilityFactory(name_ja="お試し住宅 臼田", latitude=36.19512, longitude=138.47935)
    UnitFactory(facility=facility, price_yen=3000)
    UnitFactory(facility=facility, price_yen=5000)

    [result] = search(api_client)["results"]

    assert result["id"] == facility.id
    assert result["kind"] == "trial_housing"
    assert result["name"] == "お試し住宅 臼田"
    assert (result["latitude"], result["longitude"]) == (36.19512, 138.47935)
    assert result["municipality"]["code"] == "202177"
    assert result["price_from_yen"] == 3000
    assert result["distance_km"] is None


def test_english_names_by_accept_language(api_client, saku):
    FacilityFactory(name_ja="ワークテラス佐久", name_en="Work Terrace Saku", kind=Facility.Kind.COWORKING)

    assert names(search(api_client, HTTP_ACCEPT_LANGUAGE="en")) == ["Work Terrace Saku"]
    assert names(search(api_client)) == ["ワークテラス佐久"]


def test_filters_by_kind_municipality_and_area(api_client, saku):
    usuda = AreaFactory(municipality=saku, slug="usuda")
    other_town = MunicipalityFactory(code="202088")
    housing = FacilityFactory(kind=Facility.Kind.TRIAL_HOUSING, area=usuda)
    coworking = FacilityFactory(kind=Facility.Kind.COWORKING, name_ja="コワーキング")
    hotel = FacilityFactory(kind=Facility.Kind.TELEWORK_HOTEL, municipality=other_town, name_ja="ホテル")

    def ids(query):
        return sorted(result["id"] for result in search(api_client, query)["results"])

    assert ids("kind=coworking") == [coworking.id]
    assert ids("kind=coworking&kind=telework_hotel") == sorted([coworking.id, hotel.id])
    assert ids("municipality=202088") == [hotel.id]
    assert ids("municipality=202177&area=usuda") == [housing.id]


def test_capacity_counts_the_whole_party_on_active_units(api_client, saku):
    family_home = FacilityFactory(name_ja="家族向け")
    UnitFactory(facility=family_home, capacity=5)
    small = FacilityFactory(name_ja="単身向け")
    UnitFactory(facility=small, capacity=2)
    UnitFactory(facility=small, capacity=6, is_active=False)

    assert names(search(api_client, "capacity=5")) == ["家族向け"]
    assert sorted(names(search(api_client, "capacity=2"))) == ["単身向け", "家族向け"]


def test_amenities_filter_only_when_true(api_client, saku):
    FacilityFactory(name_ja="ブースあり", private_booths=True, wifi_mbps=1000)
    FacilityFactory(name_ja="ブースなし", private_booths=False, wifi_mbps=50)

    assert names(search(api_client, "private_booths=true")) == ["ブースあり"]
    assert len(search(api_client, "private_booths=false")["results"]) == 2
    assert names(search(api_client, "min_wifi_mbps=100")) == ["ブースあり"]


def test_expired_certificate_counts_nowhere(api_client, saku):
    today = dt.date.today()
    valid = CertificationFactory(facility__name_ja="認証ホテル", level="premium")
    CertificationFactory(
        facility__name_ja="期限切れホテル",
        certified_on=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=36),
    )
    CertificationFactory(facility__name_ja="ビジネス認証", level="business")

    assert sorted(names(search(api_client, "certified=true"))) == ["ビジネス認証", "認証ホテル"]
    assert names(search(api_client, "min_certification_level=2")) == ["認証ホテル"]
    expired = next(r for r in search(api_client)["results"] if r["name"] == "期限切れホテル")
    assert expired["certifications"] == []
    shown = next(r for r in search(api_client)["results"] if r["id"] == valid.facility_id)
    assert shown["certifications"][0]["level"] == "premium"
    assert shown["certifications"][0]["rank"] == 2


def test_near_returns_geodesic_distance_sorted_and_within_radius(api_client, saku):
    places = {
        "佐久平": (36.2758, 138.4649),
        "臼田": (36.1988, 138.4822),
        "小諸": (36.3260, 138.4264),
        "松江": (35.4684, 133.0465),
    }
    for name, (lat, lon) in places.items():
        FacilityFactory(name_ja=name, latitude=lat, longitude=lon)

    body = search(api_client, "near=36.27796,138.46424&radius_km=15")

    assert names(body) == ["佐久平", "小諸", "臼田"]
    for result in body["results"]:
        expected = geodesic(SAKUDAIRA, places[result["name"]]).km
        assert result["distance_km"] == pytest.approx(expected, abs=0.001)
    assert body["count"] == 3


def test_radius_edge_is_decided_by_the_geodesic(api_client, saku):
    # Two points 10 km ± 20 m from the centre along a meridian: only the geodesic tells them apart.
    inside = geodesic(kilometers=9.98).destination(SAKUDAIRA, bearing=0)
    outside = geodesic(kilometers=10.02).destination(SAKUDAIRA, bearing=90)
    FacilityFactory(name_ja="内側", latitude=inside.latitude, longitude=inside.longitude)
    FacilityFactory(name_ja="外側", latitude=outside.latitude, longitude=outside.longitude)

    assert names(search(api_client, "near=36.27796,138.46424&radius_km=10")) == ["内側"]


def test_near_station_uses_the_stations_coordinates(api_client, saku):
    LandmarkFactory(code="sakudaira-station", latitude=SAKUDAIRA[0], longitude=SAKUDAIRA[1])
    FacilityFactory(name_ja="駅前", latitude=36.2760, longitude=138.4650)
    FacilityFactory(name_ja="遠方", latitude=35.4684, longitude=133.0465)

    body = search(api_client, "near_station=sakudaira-station&radius_km=5")

    assert names(body) == ["駅前"]
    assert body["results"][0]["distance_km"] == pytest.approx(geodesic(SAKUDAIRA, (36.2760, 138.4650)).km, abs=0.001)


def test_distance_order_holds_across_pages(api_client, saku):
    expected = []
    for step in range(25):
        point = geodesic(kilometers=0.4 * step + 0.1).destination(SAKUDAIRA, bearing=37 * step)
        FacilityFactory(name_ja=f"施設{step}", latitude=point.latitude, longitude=point.longitude)
        expected.append(f"施設{step}")

    first = search(api_client, "near=36.27796,138.46424&radius_km=50&page_size=10")
    second = search(api_client, "near=36.27796,138.46424&radius_km=50&page_size=10&page=2")
    third = search(api_client, "near=36.27796,138.46424&radius_km=50&page_size=10&page=3")

    assert first["count"] == 25
    assert names(first) + names(second) + names(third) == expected
    assert first["next"] is not None and third["next"] is None


def test_dates_exclude_sold_out_and_closed_units(api_client, saku):
    free = UnitFactory(facility__name_ja="空きあり")
    sold_out = UnitFactory(facility__name_ja="満室", count=1)
    closed = UnitFactory(facility__name_ja="休業")
    UnitStock.objects.create(unit=sold_out, date=day(31), total=1, taken=1)
    ClosureFactory(unit=closed, start_date=day(30), end_date=day(30))

    query = f"check_in={day(30).isoformat()}&check_out={day(33).isoformat()}"

    assert names(search(api_client, query)) == [free.facility.name_ja]
    later = f"check_in={day(40).isoformat()}&check_out={day(42).isoformat()}"
    assert len(search(api_client, later)["results"]) == 3


def test_unpublished_facilities_are_not_found(api_client, saku):
    hidden = FacilityFactory(is_published=False)

    assert search(api_client)["count"] == 0
    response = api_client.get(f"{URL}{hidden.id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "facility_not_found"


def test_detail_lists_active_units_photos_and_valid_certificates(api_client, saku):
    today = dt.date.today()
    facility = FacilityFactory(kind=Facility.Kind.TELEWORK_HOTEL, name_ja="美保館", name_en="Mihokan")
    UnitFactory(facility=facility, name_ja="和室", name_en="Japanese room", capacity=3, count=5, price_yen=12000)
    UnitFactory(facility=facility, name_ja="改装中", is_active=False)
    CertificationFactory(facility=facility, level="premium")
    CertificationFactory(
        facility=facility,
        scheme="shared_office_security",
        level="star1",
        certified_on=today - dt.timedelta(days=500),
        valid_until=today - dt.timedelta(days=136),
    )
    facility.photos.create(url="https://example.jp/mihokan.jpg", caption_ja="外観", caption_en="Outside")

    body = api_client.get(f"{URL}{facility.id}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["name"] == "Mihokan"
    assert [
        (unit["name"], unit["capacity"], unit["count"], unit["price_yen"], unit["price_basis"])
        for unit in body["units"]
    ] == [("Japanese room", 3, 5, 12000, "night")]
    assert [(c["scheme"], c["level"]) for c in body["certifications"]] == [("safe_telework", "premium")]
    assert body["photos"] == [{"url": "https://example.jp/mihokan.jpg", "caption": "Outside"}]


@pytest.mark.parametrize("path", ["abc", "0", "99999999999999999999", "１２"])
def test_detail_of_malformed_or_unknown_id_is_a_json_404(api_client, path):
    response = api_client.get(f"{URL}{path}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "facility_not_found"


@pytest.mark.parametrize(
    "query, field",
    [
        ("near=91,138", "near"),
        ("near=36,181", "near"),
        ("near=thirty-six", "near"),
        ("radius_km=5", "radius_km"),
        ("near=36,138&radius_km=-1", "radius_km"),
        ("near=36,138&near_station=sakudaira-station", "near_station"),
        ("kind=spa", "kind"),
        ("capacity=0", "capacity"),
        ("private_booths=perhaps", "private_booths"),
        ("min_certification_level=3", "min_certification_level"),
        ("check_in=2026-12-10", "check_out"),
        ("check_in=2026-12-10&check_out=2026-12-09", "check_out"),
        ("municipality=999999", "municipality"),
        ("area=atlantis", "area"),
        ("near_station=atlantis-station", "near_station"),
    ],
)
def test_bad_search_is_a_400_naming_the_field(api_client, saku, query, field):
    response = api_client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_bad_search_message_is_japanese_by_default_and_english_on_request(api_client):
    japanese = api_client.get(f"{URL}?radius_km=5").json()["error"]["fields"]["radius_km"][0]
    english = api_client.get(f"{URL}?radius_km=5", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["fields"]["radius_km"][0]

    assert english == "A radius needs a centre: give near or near_station."
    assert japanese != english and "near" in japanese


def test_search_never_calls_a_geocoder(api_client, saku, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("a geocoder was called while serving a search")

    monkeypatch.setattr(options, "default_adapter_factory", no_network)
    LandmarkFactory(code="sakudaira-station")
    FacilityFactory()

    assert search(api_client, "near_station=sakudaira-station")["count"] == 1
    assert search(api_client, "near=36.27,138.47&radius_km=5")["count"] == 1


def _catalogue(size: int) -> None:
    for index in range(size):
        facility = FacilityFactory(latitude=36.2 + index / 1000, longitude=138.4 + index / 1000)
        UnitFactory(facility=facility)
        UnitFactory(facility=facility, capacity=2)
        CertificationFactory(facility=facility)
        facility.photos.create(url=f"https://example.jp/{index}.jpg")


@pytest.mark.parametrize("query", ["", "near=36.2,138.4&radius_km=50", "kind=trial_housing&capacity=2&certified=true"])
def test_a_search_page_costs_a_fixed_number_of_queries(api_client, saku, django_assert_num_queries, query):
    _catalogue(3)
    # The count (or the ranking, which counts too), the page's facilities, their certificates.
    with django_assert_num_queries(3) as small:
        small_body = search(api_client, query)
    _catalogue(20)
    with django_assert_num_queries(len(small.captured_queries)):
        large_body = search(api_client, query)

    assert len(small_body["results"]) == 3
    assert len(large_body["results"]) == 20


def test_last_page_by_name_matches_the_last_page_by_number(api_client, saku):
    for step in range(13):
        point = geodesic(kilometers=0.3 * step + 0.05).destination(SAKUDAIRA, bearing=53 * step)
        FacilityFactory(name_ja=f"施設{step}", latitude=point.latitude, longitude=point.longitude)
    query = "near=36.27796,138.46424&radius_km=30&page_size=5"

    by_name = search(api_client, f"{query}&page=last")
    by_number = search(api_client, f"{query}&page=3")

    assert names(by_name) == names(by_number) == ["施設10", "施設11", "施設12"]
    assert by_name["count"] == 13
