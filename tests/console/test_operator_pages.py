"""The operators' console through the Django test client: who sees what, the month grid, closures and prices
through the API's services (same refusals, same messages), cancellations, calendar imports, a fixed query count."""

from datetime import timedelta

import pytest
from django.test import Client

from bookings.models import Booking, BookingEvent, CalendarImport, Closure, ImportedBlock, PriceOverride
from tests import factories
from tests.bookings.factories import day
from tests.conftest import client_for
from tests.console.conftest import logged_in
from tests.console.scenario import book, operator_with_facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    operator, facility, unit = operator_with_facility()
    return operator, facility, unit


def grid_url(facility, when):
    return f"/console/operator/facilities/{facility.id}/?month={when:%Y-%m}"


def close(client, facility, unit, start, end, reason="点検", month=None):
    return client.post(
        f"/console/operator/facilities/{facility.id}/closures/",
        {
            "closure-unit": unit.id,
            "closure-start_date": start.isoformat(),
            "closure-end_date": end.isoformat(),
            "closure-reason": reason,
            "month": f"{(month or start):%Y-%m}",
        },
    )


# --- who may see what ------------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(site):
    _, facility, _ = site
    response = Client().get(f"/console/operator/facilities/{facility.id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/?next=/console/operator/facilities/")


@pytest.mark.parametrize("path", ["/console/operator/", "/console/staff/claims/"])
def test_a_visitor_is_refused(visitor, path):
    assert logged_in(visitor).get(path).status_code == 403


def test_staff_cannot_open_operator_pages_nor_operators_staff_pages(site, staff_user):
    operator, facility, _ = site
    assert logged_in(staff_user).get(f"/console/operator/facilities/{facility.id}/").status_code == 403
    assert logged_in(operator).get("/console/staff/claims/").status_code == 403


def test_another_organisations_facility_booking_and_import_are_not_found(site, visitor):
    operator, facility, unit = site
    other_operator, other_facility, other_unit = operator_with_facility()
    booking = book(visitor, other_unit, day(10), 2)
    found = CalendarImport.objects.create(unit=other_unit, name="Airbnb", url="https://example.com/a.ics")
    client = logged_in(operator)
    assert client.get(f"/console/operator/facilities/{other_facility.id}/").status_code == 404
    assert client.get(f"/console/operator/bookings/{booking['id']}/").status_code == 404
    assert client.post(f"/console/operator/bookings/{booking['id']}/cancel/", {"reason": "x"}).status_code == 404
    assert client.post(f"/console/operator/imports/{found.id}/sync/").status_code == 404
    assert close(client, other_facility, other_unit, day(20), day(21)).status_code == 404
    assert client.get("/console/operator/facilities/abc/").status_code == 404
    assert Booking.objects.get(id=booking["id"]).status == Booking.Status.CONFIRMED
    assert not Closure.objects.exists()


def test_login_page_logs_an_operator_in_and_lands_on_their_console(site):
    operator, _, _ = site
    client = Client()
    page = client.get("/console/login/")
    assert page.status_code == 200 and b'name="csrfmiddlewaretoken"' in page.content
    response = client.post("/console/login/", {"username": operator.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == "/console/operator/"


def test_forms_without_the_csrf_token_are_refused(site):
    operator, facility, unit = site
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    assert close(client, facility, unit, day(20), day(21)).status_code == 403
    assert not Closure.objects.exists()


# --- the month grid --------------------------------------------------------------------------------------------


def test_the_grid_shows_bookings_closures_imports_prices_and_what_is_free(site, visitor):
    operator, facility, unit = site
    start = day(3)
    booking = book(visitor, unit, start, 2, adults=3)
    Closure.objects.create(
        unit=unit, start_date=start + timedelta(days=4), end_date=start + timedelta(days=4), reason="畳の張り替え"
    )
    PriceOverride.objects.create(
        unit=unit, start_date=start, end_date=start + timedelta(days=1), price_yen=15000, label="紅葉"
    )
    found = CalendarImport.objects.create(
        unit=unit,
        name="Airbnb",
        url="https://example.com/a.ics",
        last_status="parse_error",
        last_error="not a calendar",
    )
    ImportedBlock.objects.create(calendar_import=found, unit=unit, date=start + timedelta(days=6))

    page = logged_in(operator, "en").get(grid_url(facility, start))
    html = page.content.decode()
    assert page.status_code == 200
    assert visitor.full_name in html and "· 3 · confirmed" in html
    assert f"/console/operator/bookings/{booking['id']}/" in html
    assert "Closed: 畳の張り替え" in html
    assert "¥15,000 <em>紅葉</em>" in html
    assert '<span class="import">Airbnb</span>' in html
    assert "not a calendar" in html and "Sync now" in html
    # A free date offers its pick button; a booked one does not.
    assert f'data-date="{(start + timedelta(days=2)).isoformat()}"' in html


def test_the_grid_is_japanese_by_default_and_english_by_choice(site):
    operator, facility, _ = site
    client = logged_in(operator)
    assert "日付を閉じる" in client.get(grid_url(facility, day(1))).content.decode()
    response = client.post("/console/i18n/setlang/", {"language": "en", "next": grid_url(facility, day(1))})
    assert response.status_code == 302
    assert "Close dates" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("bookings", [1, 30])
def test_the_grid_costs_a_fixed_number_of_queries(site, bookings, django_assert_max_num_queries):
    operator, facility, unit = site
    unit.count = 30
    unit.save()
    start = day(2)
    for _ in range(bookings):
        book(factories.VisitorFactory(), unit, start, 3)
    client = logged_in(operator)
    with django_assert_max_num_queries(12):
        page = client.get(grid_url(facility, start))
    assert page.content.decode().count('class="booking status-confirmed"') >= bookings


# --- closures and prices, through the services ------------------------------------------------------------------


def test_closing_a_range_then_the_api_refuses_a_quote(site, visitor):
    operator, facility, unit = site
    response = close(logged_in(operator), facility, unit, day(20), day(22), reason="改装")
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert (closure.unit, closure.start_date, closure.end_date, closure.reason) == (unit, day(20), day(22), "改装")
    quote = client_for(visitor, "en").post(
        "/api/v1/quotes/",
        {"unit": unit.id, "check_in": day(21).isoformat(), "check_out": day(23).isoformat(), "adults": 1},
        format="json",
    )
    assert quote.status_code == 409
    assert quote.json()["error"]["code"] == "unit_closed"


@pytest.mark.parametrize(
    "language, message",
    [
        ("ja", "予約があります"),
        ("en", "The unit has active bookings on"),
    ],
)
def test_closing_over_bookings_is_refused_with_the_api_message(site, visitor, language, message):
    operator, facility, unit = site
    book(visitor, unit, day(10), 2)
    api = client_for(operator, language).post(
        f"/api/v1/operator/units/{unit.id}/closures/",
        {"start_date": day(9).isoformat(), "end_date": day(12).isoformat(), "reason": "x"},
        format="json",
    )
    response = close(logged_in(operator, language), facility, unit, day(9), day(12))
    assert response.status_code == 400
    assert message in api.json()["error"]["message"]
    assert api.json()["error"]["message"] in response.content.decode()
    assert not Closure.objects.exists()


def test_bad_ranges_are_refused_naming_the_field(site):
    operator, facility, unit = site
    client = logged_in(operator, "en")
    backwards = close(client, facility, unit, day(22), day(20))
    assert backwards.status_code == 400
    assert "The end date must be on or after the start date." in backwards.content.decode()
    no_reason = client.post(
        f"/console/operator/facilities/{facility.id}/closures/",
        {"closure-unit": unit.id, "closure-start_date": "2030-01-02", "closure-end_date": "not a date"},
    )
    assert no_reason.status_code == 400
    html = no_reason.content.decode()
    assert "Reason: This field is required." in html and "To (included): Enter a valid date." in html
    far = close(client, facility, unit, day(1), day(1).replace(year=9999))
    assert far.status_code == 400 and "Dates must be between" in far.content.decode()
    assert not Closure.objects.exists()


def test_setting_a_price_and_an_overlapping_one_refused(site):
    operator, facility, unit = site
    client = logged_in(operator, "en")
    body = {
        "price-unit": unit.id,
        "price-start_date": day(30).isoformat(),
        "price-end_date": day(33).isoformat(),
        "price-price_yen": 12000,
        "price-label": "年末",
    }
    assert client.post(f"/console/operator/facilities/{facility.id}/prices/", body).status_code == 302
    again = client.post(f"/console/operator/facilities/{facility.id}/prices/", body)
    assert again.status_code == 400
    api = client_for(operator, "en").post(
        f"/api/v1/operator/units/{unit.id}/price-overrides/",
        {"start_date": day(30).isoformat(), "end_date": day(33).isoformat(), "price_yen": 12000},
        format="json",
    )
    assert api.status_code == 400 and api.json()["error"]["code"] == "price_override_overlap"
    assert api.json()["error"]["message"] in again.content.decode()
    assert PriceOverride.objects.get().price_yen == 12000
    negative = client.post(f"/console/operator/facilities/{facility.id}/prices/", {**body, "price-price_yen": -1})
    assert negative.status_code == 400 and PriceOverride.objects.count() == 1


# --- bookings ---------------------------------------------------------------------------------------------------


def test_cancelling_needs_a_reason_then_cancels_with_a_full_refund(site, visitor):
    operator, facility, unit = site
    booking = book(visitor, unit, day(10), 2)
    client = logged_in(operator, "en")
    page = client.get(f"/console/operator/bookings/{booking['id']}/")
    assert page.status_code == 200 and visitor.email in page.content.decode()
    refused = client.post(f"/console/operator/bookings/{booking['id']}/cancel/", {"reason": " "})
    assert refused.status_code == 400
    assert "Operators must give a reason when cancelling a booking." in refused.content.decode()
    assert Booking.objects.get(id=booking["id"]).status == Booking.Status.CONFIRMED
    done = client.post(f"/console/operator/bookings/{booking['id']}/cancel/", {"reason": "水道の故障"})
    assert done.status_code == 302
    api = client_for(visitor).get(f"/api/v1/bookings/{booking['id']}/").json()
    assert api["status"] == "cancelled"
    events = client_for(visitor).get(f"/api/v1/bookings/{booking['id']}/events/").json()["results"]
    assert events[-1]["kind"] == "cancelled" and events[-1]["note"] == "水道の故障"
    assert BookingEvent.objects.filter(booking_id=booking["id"], kind="cancelled", actor=operator).exists()
    again = client.post(f"/console/operator/bookings/{booking['id']}/cancel/", {"reason": "again"})
    assert again.status_code == 400


def test_the_home_page_lists_todays_arrivals_and_departures(site, visitor, monkeypatch):
    operator, facility, unit = site
    arriving = book(visitor, unit, day(5), 2)
    monkeypatch.setattr("bookings.selectors.today", lambda: day(5))
    html = logged_in(operator, "en").get("/console/operator/").content.decode()
    arrivals, departures = html.split("Departures on")
    assert f"/console/operator/bookings/{arriving['id']}/" in arrivals
    assert f"/console/operator/bookings/{arriving['id']}/" not in departures
    monkeypatch.setattr("bookings.selectors.today", lambda: day(7))
    html = logged_in(operator, "en").get("/console/operator/").content.decode()
    assert f"/console/operator/bookings/{arriving['id']}/" in html.split("Departures on")[1]


def test_sync_now_is_queued_on_the_worker_and_its_result_shown(site, django_capture_on_commit_callbacks):
    operator, facility, unit = site
    found = CalendarImport.objects.create(unit=unit, name="Booking.com", url="https://127.0.0.1/cal.ics")
    client = logged_in(operator, "en")
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(
            f"/console/operator/imports/{found.id}/sync/", {"next": f"/console/operator/facilities/{facility.id}/"}
        )
    assert len(queued) == 1
    assert response.status_code == 302 and response["Location"] == f"/console/operator/facilities/{facility.id}/"
    found.refresh_from_db()
    assert found.last_synced_at is not None and found.last_error
    page = client.get(response["Location"]).content.decode()
    assert "Sync of Booking.com" in page
    assert (
        client.post(f"/console/operator/imports/{found.id}/sync/", {"next": "https://evil.example/"})["Location"]
        == f"/console/operator/facilities/{facility.id}/"
    )
