"""The operator's availability rules (closures, price overrides) and the availability calendar."""

import pytest

from tests.bookings.factories import ClosureFactory, PriceOverrideFactory, day, iso
from tests.bookings.helpers import QUOTES, availability, book, error
from tests.conftest import client_for
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db


def closures_url(unit):
    return f"/api/v1/operator/units/{unit.id}/closures/"


def overrides_url(unit):
    return f"/api/v1/operator/units/{unit.id}/price-overrides/"


def test_operator_closes_dates_and_visitors_see_them_closed(house, operator_client, api_client):
    response = operator_client.post(
        closures_url(house), {"start_date": iso(20), "end_date": iso(21), "reason": "清掃"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["reason"] == "清掃"
    assert operator_client.get(response["Location"]).json() == response.json()
    days = availability(api_client, house, iso(19), iso(22))
    assert [days[iso(n)]["closed"] for n in (19, 20, 21, 22)] == [False, True, True, False]
    # A closed date has nothing free, although no booking took its stock.
    assert [days[iso(n)]["free"] for n in (19, 20, 21, 22)] == [1, 0, 0, 1]
    assert days[iso(20)]["bookable"] is False and days[iso(20)]["closure_reason"] is None
    assert operator_client.get(closures_url(house)).json()["results"][0]["id"] == response.json()["id"]


def test_a_closure_over_booked_dates_is_refused_naming_them(house, visitor_client, operator_client):
    book(visitor_client, {"unit": house.id, "check_in": iso(20), "check_out": iso(22), "adults": 1})

    response = operator_client.post(
        closures_url(house), {"start_date": iso(21), "end_date": iso(25), "reason": "改装"}, format="json"
    )

    assert response.status_code == 409
    assert error(response)["code"] == "closure_over_bookings"
    assert iso(21) in error(response)["message"] and iso(22) not in error(response)["message"]
    assert operator_client.get(closures_url(house)).json()["results"] == []


def test_closure_edit_and_delete(house, operator_client, api_client):
    closure = ClosureFactory(unit=house, start_date=day(20), end_date=day(20))
    url = f"{closures_url(house)}{closure.id}/"

    moved = operator_client.patch(url, {"end_date": iso(22)}, format="json")
    backwards = operator_client.patch(url, {"end_date": iso(19)}, format="json")

    assert moved.status_code == 200 and moved.json()["end_date"] == iso(22)
    assert backwards.status_code == 400 and "end_date" in error(backwards)["fields"]
    assert operator_client.delete(url).status_code == 204
    assert operator_client.get(url).status_code == 404
    assert availability(api_client, house, iso(20), iso(22))[iso(21)]["closed"] is False


def test_only_the_units_operator_manages_its_rules(house, visitor_client, staff_client):
    stranger = client_for(OperatorFactory())
    body = {"start_date": iso(20), "end_date": iso(21), "reason": "x"}

    assert stranger.post(closures_url(house), body, format="json").status_code == 404
    assert stranger.get(overrides_url(house)).status_code == 404
    assert visitor_client.post(closures_url(house), body, format="json").status_code == 403
    assert staff_client.get(closures_url(house)).status_code == 403


def test_price_overrides_change_quotes_and_may_not_overlap(house, operator_client, visitor_client):
    created = operator_client.post(
        overrides_url(house),
        {"start_date": iso(50), "end_date": iso(52), "price_yen": 20000, "label": "年末年始"},
        format="json",
    )
    overlapping = operator_client.post(
        overrides_url(house), {"start_date": iso(52), "end_date": iso(60), "price_yen": 5000}, format="json"
    )

    assert created.status_code == 201
    assert overlapping.status_code == 400
    assert error(overlapping)["code"] == "price_override_overlap"
    assert "start_date" in error(overlapping)["fields"]
    quote = visitor_client.post(
        QUOTES, {"unit": house.id, "check_in": iso(52), "check_out": iso(54), "adults": 1}, format="json"
    )
    assert quote.json()["lines"] == [{"date": iso(52), "price_yen": 20000}, {"date": iso(53), "price_yen": 9000}]


def test_price_override_edit_keeps_no_overlap_and_delete(house, operator_client):
    PriceOverrideFactory(unit=house, start_date=day(40), end_date=day(44))
    later = PriceOverrideFactory(unit=house, start_date=day(50), end_date=day(51))
    url = f"{overrides_url(house)}{later.id}/"

    clash = operator_client.patch(url, {"start_date": iso(44)}, format="json")
    fine = operator_client.patch(url, {"start_date": iso(45), "price_yen": 11000}, format="json")

    assert clash.status_code == 400 and error(clash)["code"] == "price_override_overlap"
    assert fine.status_code == 200 and (fine.json()["start_date"], fine.json()["price_yen"]) == (iso(45), 11000)
    assert operator_client.delete(url).status_code == 204
    assert len(operator_client.get(overrides_url(house)).json()["results"]) == 1


def test_a_negative_price_is_refused(house, operator_client):
    response = operator_client.post(
        overrides_url(house), {"start_date": iso(50), "end_date": iso(52), "price_yen": -1}, format="json"
    )

    assert response.status_code == 400 and "price_yen" in error(response)["fields"]


def test_the_operator_sees_details_others_do_not(house, operator_client, api_client, visitor_client):
    PriceOverrideFactory(unit=house, start_date=day(30), end_date=day(30), price_yen=15000, label="お盆")
    ClosureFactory(unit=house, start_date=day(31), end_date=day(31), reason="点検")
    book(visitor_client, {"unit": house.id, "check_in": iso(29), "check_out": iso(30), "adults": 1})

    public = availability(api_client, house, iso(29), iso(31))
    detailed = availability(operator_client, house, iso(29), iso(31))

    assert public[iso(30)] == {
        "date": iso(30),
        "free": 1,
        "price_yen": 15000,
        "closed": False,
        "bookable": True,
        "taken": None,
        "total": None,
        "closure_reason": None,
        "price_label": None,
        "imported_from": None,
        "import_conflicts": None,
    }
    assert detailed[iso(29)]["taken"] == 1 and detailed[iso(29)]["total"] == 1
    assert detailed[iso(30)]["price_label"] == "お盆"
    assert detailed[iso(31)]["closure_reason"] == "点検"


def test_a_366_day_calendar_and_no_more(house, api_client):
    full = api_client.get(f"/api/v1/units/{house.id}/availability/", {"from": iso(0), "to": iso(365)})
    too_long = api_client.get(f"/api/v1/units/{house.id}/availability/", {"from": iso(0), "to": iso(366)})

    assert full.status_code == 200 and len(full.json()["days"]) == 366
    assert full.json()["days"][-1]["bookable"] is True
    assert (full.json()["check_in_time"], full.json()["check_out_time"]) == ("15:00", "10:00")
    assert too_long.status_code == 400 and "to" in error(too_long)["fields"]


@pytest.mark.parametrize(
    "params,field",
    [
        ({}, "from"),
        ({"from": iso(1)}, "to"),
        ({"from": iso(5), "to": iso(1)}, "to"),
        ({"from": "x", "to": iso(1)}, "from"),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "from"),
    ],
)
def test_bad_calendar_queries_are_400(house, api_client, params, field):
    response = api_client.get(f"/api/v1/units/{house.id}/availability/", params)

    assert response.status_code == 400 and field in error(response)["fields"]


def test_unknown_or_unpublished_units_have_no_calendar(house, api_client, operator_client):
    house.facility.is_published = False
    house.facility.save()

    assert api_client.get("/api/v1/units/999999/availability/", {"from": iso(0), "to": iso(1)}).status_code == 404
    assert api_client.get(f"/api/v1/units/{house.id}/availability/", {"from": iso(0), "to": iso(1)}).status_code == 404
    # Its operator still plans it.
    assert (
        operator_client.get(f"/api/v1/units/{house.id}/availability/", {"from": iso(0), "to": iso(1)}).status_code
        == 200
    )
