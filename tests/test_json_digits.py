"""Ids and dates in JSON bodies take ASCII digits only, as path ids do: full-width and other scripts' digits
are refused naming the field, and nothing is booked; text with digits in it is still text."""

import pytest

from bookings.models import Booking
from tests.bookings.factories import LodgingUnitFactory, iso
from tests.bookings.helpers import book, error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field, value",
    [
        ("unit", "１"),
        ("unit", "١"),  # Arabic-Indic one
        ("check_in", "２０２７-０２-０１"),
        ("adults", "１"),
    ],
)
def test_non_ascii_digits_in_a_body_are_refused_naming_the_field(visitor_client, field, value):
    unit = LodgingUnitFactory(pk=1)
    body = {"unit": unit.id, "check_in": iso(10), "check_out": iso(11), "adults": 1, field: value}

    response = book(visitor_client, body, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert error(response)["fields"] == {field: ["Write numbers and dates with ASCII digits (0-9)."]}
    assert Booking.objects.count() == 0


def test_nested_values_are_named_by_their_path(visitor_client):
    response = book(visitor_client, {"unit": 1, "dates": [iso(10), "２０２７-０２-０２"], "adults": 1})

    assert response.status_code == 400 and list(error(response)["fields"]) == ["dates.1"]


def test_the_same_body_in_ascii_digits_books(visitor_client):
    unit = LodgingUnitFactory()

    response = book(visitor_client, {"unit": str(unit.id), "check_in": iso(10), "check_out": iso(11), "adults": "1"})

    assert response.status_code == 201


def test_text_with_full_width_digits_in_it_is_text(operator_client, organisation):
    unit = LodgingUnitFactory(facility__operator=organisation)

    response = operator_client.post(
        f"/api/v1/operator/units/{unit.id}/closures/",
        {"start_date": iso(10), "end_date": iso(10), "reason": "１０１号室 清掃"},
        format="json",
    )

    assert response.status_code == 201 and response.json()["reason"] == "１０１号室 清掃"
