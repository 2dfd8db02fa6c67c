"""Residents' plans: guests of the linked housing use the included desks at no charge for the days a confirmed
stay there covers, and only then; the plan is free, has no credit, and needs no joining."""

import pytest

from tests.bookings.factories import LodgingUnitFactory, iso
from tests.bookings.helpers import BOOKINGS, book, error
from tests.conftest import client_for
from tests.factories import VisitorFactory
from tests.memberships.factories import PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def housing(space):
    return LodgingUnitFactory(facility__municipality=space[0].municipality, facility__operator=space[0].operator)


@pytest.fixture
def residents_plan(space, housing):
    return PlanFactory(
        facility=space[0],
        name_ja="入居者プラン",
        monthly_price_yen=0,
        credit_hours=0,
        credit_unit_types=[],
        resident_housing=housing.facility,
    )


def test_a_guest_uses_the_desks_free_on_the_days_of_the_stay_only(space, housing, residents_plan, visitor_client):
    desks = space[1]
    stay = book(visitor_client, {"unit": housing.id, "check_in": iso(10), "check_out": iso(13), "adults": 1})
    assert stay.status_code == 201

    covered = book(visitor_client, {"unit": desks.id, "dates": [iso(10), iso(13)], "adults": 1})
    outside = book(visitor_client, {"unit": desks.id, "dates": [iso(14)], "adults": 1})
    stranger = book(client_for(VisitorFactory()), {"unit": desks.id, "dates": [iso(11)], "adults": 1})

    assert covered.json()["total_yen"] == 0
    assert outside.json()["total_yen"] == 1500
    assert stranger.json()["total_yen"] == 1500
    # The meeting room is not in the plan: its own price.
    room = space[2]
    hour = {"unit": room.id, "starts_at": f"{iso(11)}T10:00:00+09:00", "ends_at": f"{iso(11)}T11:00:00+09:00"}
    assert book(visitor_client, {**hour, "adults": 1}).json()["total_yen"] == 1100

    visitor_client.post(f"{BOOKINGS}{stay.json()['id']}/cancel/", {}, format="json")
    assert book(visitor_client, {"unit": desks.id, "dates": [iso(11)], "adults": 1}).json()["total_yen"] == 1500


def test_a_residents_plan_is_shown_and_not_joined(space, residents_plan, housing, visitor_client, api_client):
    shown = api_client.get(f"/api/v1/facilities/{space[0].id}/plans/").json()["results"]
    assert [(p["name"], p["resident_housing"], p["monthly_price_yen"]) for p in shown] == [
        ("入居者プラン", housing.facility_id, 0)
    ]

    response = visitor_client.post("/api/v1/memberships/", {"plan": residents_plan.id}, format="json")

    assert response.status_code == 400 and error(response)["code"] == "residents_plan"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"monthly_price_yen": 500}, "monthly_price_yen"),
        ({"credit_hours": 2}, "monthly_price_yen"),
        ({"resident_housing": 999999}, "resident_housing"),
    ],
)
def test_bad_residents_plans_are_400s(space, housing, operator_client, changes, field):
    body = {"name_ja": "入居者", "monthly_price_yen": 0, "resident_housing": housing.facility_id, **changes}

    response = operator_client.post(f"/api/v1/operator/facilities/{space[0].id}/plans/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in error(response)["fields"]


def test_a_residents_plan_needs_housing_not_a_coworking_space(space, operator_client):
    body = {"name_ja": "入居者", "monthly_price_yen": 0, "resident_housing": space[0].id}

    response = operator_client.post(f"/api/v1/operator/facilities/{space[0].id}/plans/", body, format="json")

    assert response.status_code == 400 and "resident_housing" in error(response)["fields"]


def test_an_operator_makes_a_residents_plan(space, housing, operator_client):
    body = {
        "name_ja": "入居者",
        "monthly_price_yen": 0,
        "access_unit_types": ["desk"],
        "resident_housing": housing.facility_id,
    }

    response = operator_client.post(f"/api/v1/operator/facilities/{space[0].id}/plans/", body, format="json")

    assert response.status_code == 201 and response.json()["resident_housing"] == housing.facility_id
