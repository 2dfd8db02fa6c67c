"""Closures and price overrides edited in the admin go through the same services as the operators' API: what
the API refuses, the admin refuses with the same translated message, and nothing is written."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from bookings.models import Closure, PriceOverride
from tests.bookings.factories import ClosureFactory, PriceOverrideFactory, day, iso
from tests.bookings.helpers import book, error

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked_house(house, visitor_client):
    """The house with the nights of day 20 and 21 booked."""
    response = book(visitor_client, {"unit": house.id, "check_in": iso(20), "check_out": iso(22), "adults": 1})
    assert response.status_code == 201, response.json()
    return house


def closure_form(unit, start: int, end: int, reason: str = "改装") -> dict:
    return {"unit": unit.id, "start_date": iso(start), "end_date": iso(end), "reason": reason}


def override_form(unit, start: int, end: int, price_yen: int = 5000) -> dict:
    return {"unit": unit.id, "start_date": iso(start), "end_date": iso(end), "price_yen": price_yen, "label": ""}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_closure_over_a_booked_night_is_refused_in_the_admin_as_in_the_api(
    booked_house, operator_client, admin_client, language
):
    api = operator_client.post(
        f"/api/v1/operator/units/{booked_house.id}/closures/",
        {"start_date": iso(21), "end_date": iso(25), "reason": "改装"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert api.status_code == 409

    response = admin_client.post(
        reverse("admin:bookings_closure_add"), closure_form(booked_house, 21, 25), HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 200  # the form again, with the refusal
    assert escape(error(api)["message"]) in response.content.decode()
    assert not Closure.objects.exists()


def test_moving_a_closure_over_a_booked_night_is_refused_and_changes_nothing(booked_house, admin_client):
    closure = ClosureFactory(unit=booked_house, start_date=day(30), end_date=day(31), reason="清掃")

    response = admin_client.post(
        reverse("admin:bookings_closure_change", args=[closure.pk]), closure_form(booked_house, 21, 31, reason="清掃")
    )

    assert response.status_code == 200 and iso(21) in response.content.decode()
    closure.refresh_from_db()
    assert (closure.start_date, closure.end_date, closure.sequence) == (day(30), day(31), 0)


def test_a_closure_on_free_dates_is_made_and_edited_through_the_admin(booked_house, admin_client, api_client):
    created = admin_client.post(reverse("admin:bookings_closure_add"), closure_form(booked_house, 30, 31))
    assert created.status_code == 302
    closure = Closure.objects.get()

    edited = admin_client.post(
        reverse("admin:bookings_closure_change", args=[closure.pk]), closure_form(booked_house, 30, 32, reason="清掃")
    )

    assert edited.status_code == 302
    closure.refresh_from_db()
    # Calendars notice the edit by its SEQUENCE, as with an edit through the API.
    assert (closure.end_date, closure.reason, closure.sequence) == (day(32), "清掃", 1)
    days = api_client.get(f"/api/v1/units/{booked_house.id}/availability/", {"from": iso(30), "to": iso(33)})
    assert [row["closed"] for row in days.json()["days"]] == [True, True, True, False]


def test_a_backwards_closure_is_refused_naming_the_end_date(house, admin_client):
    response = admin_client.post(
        reverse("admin:bookings_closure_add"), closure_form(house, 25, 24), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    assert not Closure.objects.exists()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_overlapping_price_overrides_are_refused_in_the_admin_as_in_the_api(
    house, operator_client, admin_client, language
):
    PriceOverrideFactory(unit=house, start_date=day(40), end_date=day(44), price_yen=12000)
    api = operator_client.post(
        f"/api/v1/operator/units/{house.id}/price-overrides/",
        {"start_date": iso(44), "end_date": iso(60), "price_yen": 5000},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert api.status_code == 400

    response = admin_client.post(
        reverse("admin:bookings_priceoverride_add"), override_form(house, 44, 60), HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 200
    assert escape(error(api)["fields"]["start_date"][0]) in response.content.decode()
    assert PriceOverride.objects.count() == 1


def test_moving_a_price_override_onto_another_is_refused_and_changes_nothing(house, admin_client):
    PriceOverrideFactory(unit=house, start_date=day(40), end_date=day(44))
    later = PriceOverrideFactory(unit=house, start_date=day(50), end_date=day(51), price_yen=7000)

    clash = admin_client.post(
        reverse("admin:bookings_priceoverride_change", args=[later.pk]), override_form(house, 44, 51, price_yen=7000)
    )
    fine = admin_client.post(
        reverse("admin:bookings_priceoverride_change", args=[later.pk]), override_form(house, 45, 51, price_yen=11000)
    )

    assert clash.status_code == 200
    assert fine.status_code == 302
    later.refresh_from_db()
    assert (later.start_date, later.price_yen) == (day(45), 11000)


def test_closures_and_overrides_are_deleted_one_by_one_through_the_services(house, admin_client, api_client):
    closure = ClosureFactory(unit=house, start_date=day(30), end_date=day(30))
    PriceOverrideFactory(unit=house, start_date=day(40), end_date=day(44))

    assert (
        admin_client.post(reverse("admin:bookings_closure_delete", args=[closure.pk]), {"post": "yes"}).status_code
        == 302
    )
    changelist = admin_client.get(reverse("admin:bookings_priceoverride_changelist"))

    assert not Closure.objects.exists()
    assert 'value="delete_selected"' not in changelist.content.decode()
    days = api_client.get(f"/api/v1/units/{house.id}/availability/", {"from": iso(30), "to": iso(30)})
    assert days.json()["days"][0]["closed"] is False
