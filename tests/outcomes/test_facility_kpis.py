"""A facility's figures for its operator, through the API: active members by month (three join in January, one
leaves in February: 3, then 2) and the occupancy of its rooms booked by the hour (booked over open hours)."""

from datetime import date, datetime, timedelta

import pytest

from bookings import selectors as booking_selectors
from bookings.models import Closure, TimeClosure
from bookings.services import time_closure_create
from facilities.models import Unit
from memberships import selectors as membership_selectors
from outcomes.facility_kpis import add_months
from tests.bookings.factories import HourlyRoomFactory
from tests.bookings.helpers import book
from tests.conftest import client_for
from tests.factories import OperatorFactory, VisitorFactory
from tests.memberships.factories import PlanFactory

pytestmark = pytest.mark.django_db


def kpis_url(facility) -> str:
    return f"/api/v1/operator/facilities/{facility.id}/kpis/"


@pytest.fixture
def room(organisation):
    return HourlyRoomFactory(facility__operator=organisation)


def join(monkeypatch, visitor, plan, on: date) -> dict:
    monkeypatch.setattr(membership_selectors, "today", lambda: on)
    response = client_for(visitor).post("/api/v1/memberships/", {"plan": plan.id}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_three_join_in_january_and_one_leaves_in_february(room, operator_client, monkeypatch):
    plan = PlanFactory(facility=room.facility)
    members = [VisitorFactory() for _ in range(3)]
    joined = [
        join(monkeypatch, visitor, plan, date(2026, 1, day)) for visitor, day in zip(members, (5, 12, 20), strict=True)
    ]
    # 14 days' notice given on 3 February: the membership covers up to the 17th.
    monkeypatch.setattr(membership_selectors, "today", lambda: date(2026, 2, 3))
    cancelled = client_for(members[1]).post(f"/api/v1/memberships/{joined[1]['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["ends_on"] == "2026-02-17"

    response = operator_client.get(kpis_url(room.facility), {"from": "2025-12", "to": "2026-03"})

    assert response.status_code == 200, response.content
    months = response.json()["months"]
    assert [m["month"] for m in months] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    assert [m["active_members"] for m in months] == [0, 3, 2, 2]
    assert [m["joined"] for m in months] == [0, 3, 0, 0]
    assert [m["left"] for m in months] == [0, 0, 1, 0]


def test_occupancy_is_booked_hours_over_open_hours(room, operator_client, operator_user):
    """Two rooms open 9:00-18:00, the month closed but for one day: 18 open hours, less a cleaning hour in one
    room: 17. Bookings of 3 and 1.5 hours there (and one cancelled): 4.5 of 17 hours, 26.5%."""
    other = HourlyRoomFactory(facility=room.facility, name_ja="会議室B")
    month = add_months(booking_selectors.today().replace(day=1), 2)
    open_day = month + timedelta(days=14)
    last = add_months(month, 1) - timedelta(days=1)
    for unit in (room, other):
        Closure.objects.create(unit=unit, start_date=month, end_date=open_day - timedelta(days=1), reason="改装")
        Closure.objects.create(unit=unit, start_date=open_day + timedelta(days=1), end_date=last, reason="改装")
    time_closure_create(
        unit=room,
        starts_at=datetime.fromisoformat(f"{open_day}T12:00:00+09:00"),
        ends_at=datetime.fromisoformat(f"{open_day}T13:00:00+09:00"),
        reason="清掃",
    )
    visitor = client_for(VisitorFactory())

    def hours(unit, start, end):
        body = {
            "unit": unit.id,
            "starts_at": f"{open_day}T{start}:00+09:00",
            "ends_at": f"{open_day}T{end}:00+09:00",
            "adults": 1,
        }
        response = book(visitor, body)
        assert response.status_code == 201, response.content
        return response.json()

    hours(room, "09:00", "12:00")
    hours(other, "14:00", "15:30")
    dropped = hours(other, "16:00", "18:00")
    assert visitor.post(f"/api/v1/bookings/{dropped['id']}/cancel/").status_code == 200

    response = operator_client.get(kpis_url(room.facility), {"from": f"{month:%Y-%m}", "to": f"{month:%Y-%m}"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["hourly_units"] == 2
    assert (body["open_minutes"], body["booked_minutes"], body["occupancy_percent"]) == (17 * 60, 270, "26.5")
    assert body["months"][0]["occupancy_percent"] == "26.5"


def test_a_month_never_open_has_no_occupancy_and_bad_months_are_400s(room, operator_client):
    Unit.objects.filter(pk=room.pk).update(opening_hours={})
    response = operator_client.get(kpis_url(room.facility), {"from": "2026-01", "to": "2026-01"})
    assert response.status_code == 200
    assert response.json()["occupancy_percent"] is None and response.json()["open_minutes"] == 0
    for query, field in (
        ({"from": "2026-13"}, "from"),
        ({"from": "2026-1"}, "from"),
        ({"to": "２０２６-01"}, "to"),
        ({"from": "2026-03", "to": "2026-01"}, "to"),
        ({"from": "2020-01", "to": "2026-01"}, "to"),
    ):
        refused = operator_client.get(kpis_url(room.facility), query)
        assert refused.status_code == 400, query
        assert field in refused.json()["error"]["fields"], query


def test_by_default_the_last_twelve_months(room, operator_client):
    months = operator_client.get(kpis_url(room.facility)).json()["months"]
    assert len(months) == 12 and months[-1]["month"] == f"{booking_selectors.today():%Y-%m}"


def test_other_operators_and_visitors_cannot_read_a_facilitys_figures(room, visitor_client):
    assert client_for(OperatorFactory()).get(kpis_url(room.facility)).status_code == 404
    assert visitor_client.get(kpis_url(room.facility)).status_code == 403
    assert client_for(OperatorFactory()).get("/api/v1/operator/facilities/abc/kpis/").status_code == 404
    assert TimeClosure.objects.count() == 0
