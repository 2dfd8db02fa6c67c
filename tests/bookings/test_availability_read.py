"""A year's availability calendar costs the same few queries whatever the unit's bookings, closures, prices and
calendar imports, and its fast representation shows exactly what the declared day fields would."""

import json
from datetime import time, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import F
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from bookings import stays
from bookings.models import CalendarImport, ImportedBlock, UnitStock
from bookings.renderers import AvailabilityJSONRenderer
from bookings.serializers import AvailabilityDaySerializer, AvailabilitySerializer
from tests.bookings.factories import ClosureFactory, PriceOverrideFactory, day, iso
from tests.bookings.helpers import BOOKINGS, book

pytestmark = pytest.mark.django_db

# The unit (with its facility), its stock rows, closures, price overrides and, for its operator, the calendar
# imports' blocks, in one query. Bearer authentication reads the user once.
PUBLIC_QUERIES = 1
OPERATOR_QUERIES = 1 + 1


def year(client, unit):
    return client.get(f"/api/v1/units/{unit.id}/availability/", {"from": iso(0), "to": iso(365)})


def busy_year(unit, visitor_client):
    """Bookings, full dates, two closures, two seasonal prices and an imported block across the year."""
    for offset in (3, 40, 200):
        response = book(
            visitor_client, {"unit": unit.id, "check_in": iso(offset), "check_out": iso(offset + 2), "adults": 1}
        )
        assert response.status_code == 201, response.content
    UnitStock.objects.create(unit=unit, date=day(100), total=unit.count, taken=unit.count)
    ClosureFactory(unit=unit, start_date=day(50), end_date=day(55), reason="改装")
    ClosureFactory(unit=unit, start_date=day(300), end_date=day(301))
    PriceOverrideFactory(unit=unit, start_date=day(120), end_date=day(150), price_yen=12_000, label="繁忙期")
    PriceOverrideFactory(unit=unit, start_date=day(360), end_date=day(370), price_yen=15_000)
    feed = CalendarImport.objects.create(unit=unit, name="Airbnb", url="https://example.com/airbnb.ics")
    ImportedBlock.objects.create(calendar_import=feed, unit=unit, date=day(250), held=True)
    UnitStock.objects.filter(unit=unit, date=day(250)).update(taken=F("taken") + 1)


def test_a_year_of_an_empty_calendar_and_of_a_busy_one_cost_the_same_queries(
    house, api_client, operator_client, visitor_client, django_assert_num_queries
):
    with django_assert_num_queries(PUBLIC_QUERIES):
        assert year(api_client, house).status_code == 200
    with django_assert_num_queries(OPERATOR_QUERIES):
        assert year(operator_client, house).status_code == 200

    busy_year(house, visitor_client)

    with django_assert_num_queries(PUBLIC_QUERIES):
        public = year(api_client, house)
    with django_assert_num_queries(OPERATOR_QUERIES):
        detailed = year(operator_client, house)

    days = {row["date"]: row for row in public.json()["days"]}
    assert len(days) == 366
    assert days[iso(3)]["free"] == house.count - 1 and days[iso(100)]["bookable"] is False
    assert days[iso(52)]["closed"] is True and days[iso(52)]["closure_reason"] is None
    assert days[iso(130)]["price_yen"] == 12_000 and days[iso(119)]["price_yen"] == house.price_yen
    operator_days = {row["date"]: row for row in detailed.json()["days"]}
    assert operator_days[iso(52)]["closure_reason"] == "改装"
    assert operator_days[iso(130)]["price_label"] == "繁忙期"
    assert operator_days[iso(250)]["imported_from"] == ["Airbnb"]
    assert operator_days[iso(3)]["taken"] == 1 and operator_days[iso(3)]["total"] == house.count


@pytest.mark.parametrize("detailed", [False, True], ids=["public", "operator"])
def test_the_calendar_shows_each_day_as_its_declared_fields_would(house, visitor_client, operator_user, detailed):
    busy_year(house, visitor_client)
    if not detailed:
        # A time neither the unit nor its facility gives is null.
        house.facility.check_out_time = None
        house.facility.save(update_fields=["check_out_time"])
    user = operator_user if detailed else AnonymousUser()
    calendar = stays.unit_availability(user=user, unit_id=str(house.id), start=day(0), end=day(365))

    fast = AvailabilitySerializer(calendar).data
    # What DRF makes of the declared fields, without the written-out to_representation.
    declared = AvailabilitySerializer(calendar)
    field_by_field = {
        **serializers.Serializer.to_representation(declared, calendar),
        "days": [dict(AvailabilityDaySerializer(row).data) for row in calendar["days"]],
    }

    assert list(fast.items()) == list(field_by_field.items())
    assert [list(row.items()) for row in fast["days"]] == [list(row.items()) for row in field_by_field["days"]]
    assert (fast["days"][250]["imported_from"] == ["Airbnb"]) is detailed
    assert (fast["check_out_time"] is None) is not detailed


@pytest.mark.parametrize("detailed", [False, True], ids=["public", "operator"])
def test_the_answer_is_the_declared_serializer_s_json(house, visitor_client, operator_client, api_client, detailed):
    """The whole body as a client reads it: the unit's times falling back to the facility's, and every declared
    field on each of the 366 days."""
    busy_year(house, visitor_client)
    house.check_in_time = time(15, 30)
    house.save(update_fields=["check_in_time"])
    house.facility.check_out_time = time(10, 0)
    house.facility.save(update_fields=["check_out_time"])
    response = year(operator_client if detailed else api_client, house)
    assert response.status_code == 200
    body = response.json()
    # The unit's own check-in time; the facility's check-out time, the unit having none.
    assert (body["check_in_time"], body["check_out_time"]) == ("15:30", "10:00")
    assert [set(row) for row in body["days"]] == [set(AvailabilityDaySerializer().fields)] * 366
    assert body["days"][0]["date"] == iso(0) and body["days"][-1]["date"] == iso(365)
    assert body["days"][40]["free"] == house.count - 1 and body["days"][100]["bookable"] is False
    assert (body["days"][40]["taken"] == 1) is detailed


def test_the_calendar_follows_bookings_made_and_cancelled(house, visitor_client, api_client):
    booking = book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1}).json()
    days = {row["date"]: row for row in year(api_client, house).json()["days"]}
    assert days[iso(10)]["free"] == days[iso(11)]["free"] == house.count - 1 and days[iso(12)]["free"] == house.count

    assert visitor_client.post(f"{BOOKINGS}{booking['id']}/cancel/", {}, format="json").status_code == 200

    days = {row["date"]: row for row in year(api_client, house).json()["days"]}
    assert all(days[iso(n)]["free"] == house.count for n in (10, 11, 12))
    assert days[iso(0)]["date"] == iso(0) and days[iso(365)]["date"] == (day(0) + timedelta(days=365)).isoformat()


@pytest.mark.parametrize("detailed", [False, True], ids=["public", "operator"])
def test_the_answer_s_bytes_are_what_drf_s_json_renderer_writes(house, visitor_client, operator_user, detailed):
    busy_year(house, visitor_client)
    user = operator_user if detailed else AnonymousUser()
    calendar = stays.unit_availability(user=user, unit_id=str(house.id), start=day(0), end=day(365))
    data = AvailabilitySerializer(calendar).data

    written = AvailabilityJSONRenderer().render(data, "application/json")

    assert written == JSONRenderer().render(data, "application/json")
    assert json.loads(written)["days"] == list(data["days"])
    # Indented on request, as JSONRenderer indents.
    assert AvailabilityJSONRenderer().render(data, "application/json; indent=2") == JSONRenderer().render(
        data, "application/json; indent=2"
    )


def test_the_api_answers_with_that_renderer_and_errors_keep_their_shape(house, api_client):
    response = year(api_client, house)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.content == JSONRenderer().render(response.json(), "application/json")

    bad = api_client.get(f"/api/v1/units/{house.id}/availability/", {"from": iso(0), "to": iso(400)})
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"to"}
