"""Every statement of the hot requests can be answered through an index: each is EXPLAINed on PostgreSQL with
sequential scans priced out of reach (`enable_seqscan = off`), and a plan that still scans a table whole names a
statement whose cost grows with the table, whatever its size today. The requests: a booking, a quote, a dated
search near a station, a year's availability, a claim's submission, the KPIs, the staff console's claim queue
and the claims' CSV export."""

import json
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.bookings.factories import LodgingUnitFactory
from tests.reimbursements.factories import saku_programme
from tests.reimbursements.helpers import add_line

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SCANNED = ("SELECT", "WITH", "UPDATE", "DELETE")


def _whole_table_scans(plan: dict) -> list[str]:
    found = [plan["Relation Name"]] if plan.get("Node Type") == "Seq Scan" else []
    for child in plan.get("Plans", []):
        found += _whole_table_scans(child)
    return found


def _explained(queries: list[dict]) -> dict[str, list[str]]:
    """Each scanning statement that still reads a table whole, with the tables it reads so."""
    scans = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(SCANNED):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            (plan,) = cursor.fetchone()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            tables = _whole_table_scans(plan[0]["Plan"])
            if tables:
                scans[sql[:300]] = tables
    return scans


@pytest.fixture
def town(saku, organisation, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("bookings.selectors.today", lambda: date(2026, 10, 1))
    saku_programme()
    return LodgingUnitFactory(facility__operator=organisation, facility__municipality=saku, count=3)


def _plans_of(call) -> dict[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 201), getattr(response, "content", b"")[:500]
    assert captured.captured_queries
    return _explained(captured.captured_queries)


def test_the_hot_requests_read_through_indexes(town, visitor_client, staff_user, staff_client):
    unit = town
    stay = {"unit": unit.id, "check_in": "2026-12-01", "check_out": "2026-12-04", "adults": 1}
    scans = {}
    scans["quote"] = _plans_of(lambda: visitor_client.post("/api/v1/quotes/", stay, format="json"))
    booked = {}

    def book():
        response = visitor_client.post("/api/v1/bookings/", stay, format="json")
        booked.update(response.json())
        return response

    scans["booking"] = _plans_of(book)
    scans["search"] = _plans_of(
        lambda: visitor_client.get(
            "/api/v1/facilities/",
            {"near": "36.27796,138.46424", "radius_km": 20, "check_in": "2026-12-10", "check_out": "2026-12-12"},
        )
    )
    scans["availability"] = _plans_of(
        lambda: visitor_client.get(f"/api/v1/units/{unit.id}/availability/", {"from": "2026-10-01", "to": "2027-09-30"})
    )
    claim = visitor_client.post("/api/v1/claims/", {"booking": booked["id"]}, format="json").json()
    assert add_line(visitor_client, claim["id"], category="taxi", date="2026-12-02", amount_yen=2000).status_code == 201
    scans["claim submission"] = _plans_of(lambda: visitor_client.post(f"/api/v1/claims/{claim['id']}/submit/"))
    scans["kpis"] = _plans_of(lambda: staff_client.get("/api/v1/kpis/", {"programme": "saku-trial-stay-2026"}))
    scans["claims csv"] = _plans_of(lambda: staff_client.get("/api/v1/claims/export.csv"))
    console = Client()
    console.force_login(staff_user)
    scans["console claim queue"] = _plans_of(lambda: console.get("/console/staff/claims/"))

    assert {request: found for request, found in scans.items() if found} == {}
