"""Every query parameter of the public catalogue is validated: bad bytes and values are a 400 naming the
parameter, on SQLite and on PostgreSQL (which refuses NUL bytes in text with an error of its own)."""

import pytest

from tests.factories import FacilityFactory, LandmarkFactory

pytestmark = pytest.mark.django_db
SEARCH_PARAMS = [
    "kind",
    "municipality",
    "area",
    "capacity",
    "min_wifi_mbps",
    "private_booths",
    "certified",
    "min_certification_level",
    "certification_scheme",
    "check_in",
    "near",
    "near_station",
    "radius_km",
]


@pytest.mark.parametrize("value", ["\x00", "20\x0017", "%00", "２０２１７７", "1" * 2000])
def test_stations_refuse_a_malformed_municipality(api_client, saku, value):
    LandmarkFactory(code="sakudaira-station")

    response = api_client.get("/api/v1/stations/", {"municipality": value})

    assert response.status_code == 400
    assert "municipality" in response.json()["error"]["fields"]


def test_stations_filter_by_municipality(api_client, saku):
    LandmarkFactory(code="sakudaira-station")

    assert [s["code"] for s in api_client.get("/api/v1/stations/", {"municipality": "202177"}).json()["results"]] == [
        "sakudaira-station"
    ]
    assert api_client.get("/api/v1/stations/", {"municipality": "322016"}).json()["results"] == []


@pytest.mark.parametrize("name", SEARCH_PARAMS)
def test_a_nul_byte_in_any_search_parameter_is_a_400_naming_it(api_client, saku, name):
    FacilityFactory()
    query = {name: "\x00"}
    if name == "radius_km":
        query["near"] = "36.27,138.47"

    response = api_client.get("/api/v1/facilities/", query)

    assert response.status_code == 400
    assert name in response.json()["error"]["fields"]


def test_an_unknown_kind_names_the_field_kind(api_client):
    response = api_client.get("/api/v1/facilities/?kind=coworking&kind=spa")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["kind"]
