"""The operators' console for a coworking space, through the Django test client: a day of the rooms booked by the
hour (opening hours, bookings, closures by the hour and by the date, imported hours, the days before and after), the
members of the operator's plans (plan, status, start, current cycle, credit left) and the facility's figures, each
in a fixed number of queries and only for the operator's own organisation."""

from datetime import date, datetime, timedelta

import pytest

from bookings.models import CalendarImport, Closure, ImportedSlot
from bookings.services import time_closure_create
from memberships import selectors as membership_selectors
from tests import factories
from tests.bookings.factories import HourlyRoomFactory, at, day
from tests.bookings.helpers import book
from tests.conftest import client_for
from tests.console.conftest import logged_in
from tests.memberships.factories import PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(organisation):
    return factories.OperatorFactory(organisation=organisation)


@pytest.fixture
def room(organisation):
    return HourlyRoomFactory(facility__operator=organisation)


def day_url(facility, when: date) -> str:
    return f"/console/operator/facilities/{facility.id}/day/?date={when.isoformat()}"


def hours(room, start: str, end: str, offset: int = 10) -> dict:
    return {"unit": room.id, "starts_at": at(offset, start), "ends_at": at(offset, end), "adults": 2}


# --- the day of rooms by the hour ------------------------------------------------------------------------------


def test_the_day_shows_opening_hours_bookings_closures_and_imported_hours(room, operator, visitor):
    other = HourlyRoomFactory(facility=room.facility, name_ja="会議室B", opening_hours=_every_day("10:00", "20:00"))
    booking = book(client_for(visitor), hours(room, "10:00", "11:30")).json()
    time_closure_create(
        unit=room,
        starts_at=datetime.fromisoformat(at(10, "15:00")),
        ends_at=datetime.fromisoformat(at(10, "16:00")),
        reason="清掃",
    )
    found = CalendarImport.objects.create(unit=other, name="Google", url="https://example.com/g.ics")
    ImportedSlot.objects.create(calendar_import=found, unit=other, starts_at=datetime.fromisoformat(at(10, "19:00")))

    page = logged_in(operator, "en").get(day_url(room.facility, day(10)))

    html = page.content.decode()
    assert page.status_code == 200
    # From the earliest opening (9:00) to the latest closing (20:00), a row per quarter hour.
    assert html.count('class="time-head"') == 44
    assert "09:00–18:00" in html and "10:00–20:00" in html
    assert f"/console/operator/bookings/{booking['id']}/" in html
    assert f"10:00–11:30 {visitor.full_name} · 2 · confirmed" in html
    assert "Closed: 清掃" in html and '<span class="import">Google</span>' in html
    assert f'?date={day(9).isoformat()}" rel="prev"' in html and f'?date={day(11).isoformat()}" rel="next"' in html
    # Room A is outside its hours from 18:00; room B before 10:00.
    assert f'data-unit="{room.id}" data-time="18:00"' in html
    assert 'class="slot outside"\n              data-unit="%s" data-time="18:00"' % room.id in html
    assert 'class="slot outside"\n              data-unit="%s" data-time="09:00"' % other.id in html


def test_a_closed_date_and_a_day_no_room_opens(room, operator):
    Closure.objects.create(unit=room, start_date=day(12), end_date=day(12), reason="改装工事")
    client = logged_in(operator, "en")
    html = client.get(day_url(room.facility, day(12))).content.decode()
    assert "Closed: 改装工事" in html and 'class="slot full' not in html and 'class="slot free' not in html
    room.opening_hours = {}
    room.save()
    assert "No room is open on this day." in client.get(day_url(room.facility, day(12))).content.decode()
    # A malformed date is today's page, not an error.
    assert client.get(f"/console/operator/facilities/{room.facility.id}/day/?date=2026-99-01").status_code == 200


@pytest.mark.parametrize("bookings", [1, 12])
def test_the_day_costs_a_fixed_number_of_queries(room, operator, bookings, django_assert_max_num_queries):
    room.count = 12
    room.save()
    for _ in range(bookings):
        book(client_for(factories.VisitorFactory()), hours(room, "13:00", "14:00"))
    client = logged_in(operator)
    with django_assert_max_num_queries(12):
        page = client.get(day_url(room.facility, day(10)))
    assert page.content.decode().count('class="booking status-confirmed"') == bookings


def test_the_day_is_japanese_by_default_and_another_organisations_facility_is_not_found(room, operator):
    page = logged_in(operator).get(day_url(room.facility, day(10)))
    assert "営業時間外" in page.content.decode()
    assert logged_in(factories.OperatorFactory()).get(day_url(room.facility, day(10))).status_code == 404


# --- members ---------------------------------------------------------------------------------------------------


def test_members_show_plan_status_start_cycle_and_credit_left(room, operator, monkeypatch):
    plan = PlanFactory(facility=room.facility)
    member, leaver = factories.VisitorFactory(full_name="山田 太郎"), factories.VisitorFactory(full_name="鈴木 一郎")
    today = membership_selectors.today()
    started = today - timedelta(days=40)
    monkeypatch.setattr(membership_selectors, "today", lambda: started)
    joined = client_for(member).post("/api/v1/memberships/", {"plan": plan.id}, format="json").json()
    gone = client_for(leaver).post("/api/v1/memberships/", {"plan": plan.id}, format="json").json()
    client_for(leaver).post(f"/api/v1/memberships/{gone['id']}/cancel/")
    monkeypatch.setattr(membership_selectors, "today", lambda: today)
    # An hour and a half of the second cycle's four hours spent on the room.
    assert book(client_for(member), hours(room, "10:00", "11:30")).status_code == 201
    api = client_for(member).get(f"/api/v1/memberships/{joined['id']}/").json()
    factories.OperatorFactory()  # another organisation's plans are not listed: it has none here

    page = logged_in(operator, "en").get("/console/operator/members/")

    html = page.content.decode()
    assert page.status_code == 200
    row = html[html.index(f'data-membership="{joined["id"]}"') :]
    row = row[: row.index("</tr>")]
    assert "山田 太郎" in row and "Monthly member" in row and "¥11,000" in row and "active" in row
    assert started.isoformat() in row
    assert f"{api['cycle_starts_on']} – {api['cycle_ends_on']}" in row
    assert api["credit_minutes"] == 150 and "2:30" in row
    left = html[html.index(f'data-membership="{gone["id"]}"') :]
    assert "ended" in left[: left.index("</tr>")]
    assert 'aria-current="page">Members<' in html


def test_members_of_another_organisation_are_not_listed_and_the_list_costs_a_fixed_number_of_queries(
    room, operator, django_assert_max_num_queries
):
    mine = PlanFactory(facility=room.facility)
    theirs = PlanFactory()
    for plan in (mine, theirs, mine, mine):
        client_for(factories.VisitorFactory()).post("/api/v1/memberships/", {"plan": plan.id}, format="json")
    client = logged_in(operator)
    with django_assert_max_num_queries(8):
        html = client.get("/console/operator/members/").content.decode()
    assert html.count("data-membership=") == 3
    assert "メンバー" in html


# --- figures ---------------------------------------------------------------------------------------------------


def test_the_figures_page_shows_members_and_occupancy_as_the_api_gives_them(room, operator, monkeypatch):
    plan = PlanFactory(facility=room.facility)
    for visitor, joined_on in zip(
        [factories.VisitorFactory() for _ in range(3)],
        (date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 20)),
        strict=True,
    ):
        monkeypatch.setattr(membership_selectors, "today", lambda joined_on=joined_on: joined_on)
        client_for(visitor).post("/api/v1/memberships/", {"plan": plan.id}, format="json")
    api = client_for(operator).get(
        f"/api/v1/operator/facilities/{room.facility.id}/kpis/", {"from": "2026-01", "to": "2026-02"}
    )
    assert [m["active_members"] for m in api.json()["months"]] == [3, 3]

    page = logged_in(operator, "en").get(
        f"/console/operator/facilities/{room.facility.id}/figures/?from=2026-01&to=2026-02"
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert '<th scope="row">2026-01</th>\n            <td>3</td>\n            <td>3</td>' in html
    assert 'id="facility-chart"' in html and html.count("<rect") == 4
    grid = logged_in(operator, "en").get(f"/console/operator/facilities/{room.facility.id}/").content.decode()
    assert "/figures/" in grid and "/day/" in grid


def _every_day(opens: str, closes: str) -> dict:
    return {weekday: [opens, closes] for weekday in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
