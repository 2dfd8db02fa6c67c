"""A dated search prices each result's bookable units as a quote would, with the signed-in visitor's best
estimate, in a fixed number of queries for anyone not signed in."""

from datetime import date

import pytest

from tests.bookings.factories import CoworkingUnitFactory, LodgingUnitFactory, PriceOverrideFactory
from tests.reimbursements.factories import saku_programme

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/facilities/"
STAY = {"check_in": "2026-11-10", "check_out": "2026-11-13"}


@pytest.fixture
def catalogue(saku, monkeypatch):
    # Booked from a fixed "today", so that the stay lies inside the programme's window whenever this runs.
    monkeypatch.setattr("bookings.selectors.today", lambda: date(2026, 10, 1))
    saku_programme()
    house = LodgingUnitFactory(price_yen=9000, capacity=4)
    room = LodgingUnitFactory(facility=house.facility, price_yen=6000, capacity=2, name_ja="和室", name_en="Room")
    PriceOverrideFactory(unit=room, start_date=date(2026, 11, 11), end_date=date(2026, 11, 11), price_yen=7500)
    strict = LodgingUnitFactory(price_yen=5000, booking_window_days=30)  # cannot be booked that far ahead
    desks = CoworkingUnitFactory()
    return {"house": house, "room": room, "strict": strict, "desks": desks}


def results(client, **query) -> dict[int, dict]:
    response = client.get(SEARCH, {**STAY, **query})
    assert response.status_code == 200, response.json()
    return {row["id"]: row for row in response.json()["results"]}


def test_each_result_carries_its_units_priced_as_a_quote_prices_them(catalogue, visitor_client):
    house, room, desks = catalogue["house"], catalogue["room"], catalogue["desks"]

    found = results(visitor_client, adults=2)

    units = found[house.facility_id]["units"]
    assert [(unit["id"], unit["total_yen"]) for unit in units] == [(room.id, 19_500), (house.id, 27_000)]
    assert found[desks.facility_id]["units"] == []  # one person a desk: not for two
    assert found[catalogue["strict"].facility_id]["units"] == []  # beyond its booking window
    assert results(visitor_client, adults=1)[desks.facility_id]["units"][0]["total_yen"] == 4_500  # a pass a day
    for unit in units:
        quote = visitor_client.post("/api/v1/quotes/", {"unit": unit["id"], **STAY, "adults": 2}, format="json").json()
        assert unit["total_yen"] == quote["total_yen"]
        assert unit["total_reimbursable_yen"] == quote["reimbursement"]["total_reimbursable_yen"]
    assert units[0]["total_reimbursable_yen"] > 0


def test_the_party_decides_which_units_take_it(catalogue, api_client):
    house = catalogue["house"]
    units = results(api_client, adults=2, children=1)[house.facility_id]["units"]
    assert [unit["id"] for unit in units] == [house.id]  # the room takes two persons
    assert units[0]["total_reimbursable_yen"] is None  # not signed in: no estimate


def test_without_dates_there_are_no_units(catalogue, api_client):
    response = api_client.get(SEARCH)
    assert {row["units"] is None for row in response.json()["results"]} == {True}


def test_an_anonymous_page_costs_the_same_queries_whatever_it_holds(
    catalogue, api_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as few:
        results(api_client)
    for _ in range(4):
        LodgingUnitFactory(price_yen=8000)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(results(api_client)) == 7  # the house, the desks, the strict house and four more
