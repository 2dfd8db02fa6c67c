"""Who sees which bookings, filters, the payment's client secret, and a fixed number of queries per page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.bookings.factories import LodgingUnitFactory, iso
from tests.bookings.helpers import BOOKINGS, book, error
from tests.conftest import client_for
from tests.factories import FacilityFactory, MunicipalityFactory, OperatorFactory, StaffFactory, VisitorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(house, visitor_client):
    """Two bookings of the visitor at the house: one kept, one cancelled."""
    kept = book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1}).json()
    gone = book(visitor_client, {"unit": house.id, "check_in": iso(30), "check_out": iso(31), "adults": 1}).json()
    visitor_client.post(f"{BOOKINGS}{gone['id']}/cancel/", {}, format="json")
    return kept, gone


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_each_role_sees_its_share(booked, house, visitor_client, operator_client, staff_client):
    kept, gone = booked
    elsewhere = FacilityFactory(municipality=MunicipalityFactory())
    other_unit = LodgingUnitFactory(facility=elsewhere)
    stranger = client_for(VisitorFactory())
    theirs = book(stranger, {"unit": other_unit.id, "check_in": iso(5), "check_out": iso(6), "adults": 1}).json()

    assert sorted(ids(visitor_client.get(BOOKINGS))) == sorted([kept["id"], gone["id"]])
    assert sorted(ids(operator_client.get(BOOKINGS))) == sorted([kept["id"], gone["id"]])
    assert sorted(ids(staff_client.get(BOOKINGS))) == sorted([kept["id"], gone["id"]])
    assert ids(stranger.get(BOOKINGS)) == [theirs["id"]]
    assert ids(client_for(OperatorFactory()).get(BOOKINGS)) == []
    assert ids(client_for(StaffFactory(municipality=MunicipalityFactory())).get(BOOKINGS)) == []


def test_another_visitors_booking_is_not_found(booked):
    kept, _ = booked

    response = client_for(VisitorFactory()).get(f"{BOOKINGS}{kept['id']}/")

    assert response.status_code == 404 and error(response)["code"] == "booking_not_found"


@pytest.mark.parametrize("bad_id", ["abc", "-1", "0", "99999999999999999999999"])
def test_malformed_ids_are_json_404s(visitor_client, bad_id):
    response = visitor_client.get(f"{BOOKINGS}{bad_id}/")

    assert response.status_code == 404 and error(response)["code"] == "booking_not_found"


def test_anonymous_sees_nothing(api_client):
    assert api_client.get(BOOKINGS).status_code == 401


def test_filters_by_status_and_dates(booked, visitor_client):
    kept, gone = booked

    assert ids(visitor_client.get(BOOKINGS, {"status": "cancelled"})) == [gone["id"]]
    assert ids(visitor_client.get(BOOKINGS, {"status": "confirmed"})) == [kept["id"]]
    assert ids(visitor_client.get(BOOKINGS, {"date_from": iso(12)})) == [gone["id"]]
    assert ids(visitor_client.get(BOOKINGS, {"date_from": iso(11), "date_to": iso(29)})) == [kept["id"]]
    assert ids(visitor_client.get(BOOKINGS, {"date_to": iso(9)})) == []


@pytest.mark.parametrize(
    "params,field",
    [
        ({"status": "lost"}, "status"),
        ({"date_from": "soon"}, "date_from"),
        ({"date_from": iso(5), "date_to": iso(1)}, "date_to"),
        ({"unit": "x"}, "unit"),
        ({"page_size": "1000"}, "page_size"),
    ],
)
def test_unknown_filter_values_are_400(visitor_client, params, field):
    response = visitor_client.get(BOOKINGS, params)

    assert response.status_code == 400 and field in error(response)["fields"]


def test_only_the_visitor_sees_the_client_secret(booked, visitor_client, operator_client):
    kept, _ = booked
    from payments.models import Payment

    Payment.objects.filter(booking_id=kept["id"]).update(client_secret="pi_secret_x")

    assert visitor_client.get(f"{BOOKINGS}{kept['id']}/").json()["payment"]["client_secret"] == "pi_secret_x"
    seen_by_operator = operator_client.get(f"{BOOKINGS}{kept['id']}/").json()
    assert seen_by_operator["payment"]["client_secret"] is None
    assert seen_by_operator["calendar_url"] is None


def test_the_list_costs_the_same_queries_whatever_its_size(
    house, desks, visitor, visitor_client, django_assert_num_queries
):
    for offset in range(2):
        book(
            visitor_client, {"unit": house.id, "check_in": iso(10 + offset), "check_out": iso(11 + offset), "adults": 1}
        )
    client = client_for(visitor)
    with CaptureQueriesContext(connection) as small:
        assert len(ids(client.get(BOOKINGS))) == 2
    page_of_two = len(small)  # now: every request resets the query log
    for offset in range(5):
        book(visitor_client, {"unit": desks.id, "dates": [iso(20 + offset)], "adults": 1})
        book(
            visitor_client, {"unit": house.id, "check_in": iso(40 + offset), "check_out": iso(41 + offset), "adults": 1}
        )

    with django_assert_num_queries(page_of_two):
        assert len(ids(client.get(BOOKINGS))) == 12


def test_a_booking_paid_on_site_has_a_null_client_secret(booked, visitor_client):
    kept, _ = booked

    payment = visitor_client.get(f"{BOOKINGS}{kept['id']}/").json()["payment"]

    assert payment["provider"] == "onsite" and payment["client_secret"] is None
