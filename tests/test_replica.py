"""A read replica (DATABASE_REPLICA_URL): the catalogue, public calendars and feeds, and the towns' figures read
from it; bookings, and anything inside a transaction, read the primary. The test settings point the `replica`
alias at the primary's test database, as a deployment tested without a real replica would."""

import datetime as dt

import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import User
from backend.replica import REPLICA, replica_reads
from facilities.models import Facility
from tests.conftest import client_for
from tests.factories import UnitFactory, VisitorFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
    pytest.mark.usefixtures("replica_on"),
]


@pytest.fixture
def replica_on():
    with override_settings(DATABASE_REPLICA_READS=True):
        yield


def _queries(alias: str, call):
    with CaptureQueriesContext(connections[alias]) as captured:
        response = call()
    return response, [query["sql"] for query in captured.captured_queries]


def test_the_catalogue_reads_the_replica_only(api_client):
    unit = UnitFactory()
    with CaptureQueriesContext(connections["default"]) as primary:
        search, on_replica = _queries(REPLICA, lambda: api_client.get("/api/v1/facilities/", {"capacity": 2}))
        detail, detail_on_replica = _queries(REPLICA, lambda: api_client.get(f"/api/v1/facilities/{unit.facility_id}/"))
    assert search.status_code == 200 and [row["id"] for row in search.json()["results"]] == [unit.facility_id]
    assert detail.status_code == 200 and [u["id"] for u in detail.json()["units"]] == [unit.pk]
    assert on_replica and detail_on_replica
    assert primary.captured_queries == []


def test_a_units_public_calendar_reads_the_replica(api_client):
    unit = UnitFactory()
    start = dt.date.today() + dt.timedelta(days=3)
    with CaptureQueriesContext(connections["default"]) as primary:
        response, on_replica = _queries(
            REPLICA,
            lambda: api_client.get(
                f"/api/v1/units/{unit.pk}/availability/",
                {"from": start.isoformat(), "to": (start + dt.timedelta(days=6)).isoformat()},
            ),
        )
    assert response.status_code == 200 and len(response.json()["days"]) == 7
    assert on_replica and primary.captured_queries == []


def test_a_booking_reads_and_writes_the_primary_only():
    unit = UnitFactory(count=1)
    client = client_for(VisitorFactory())
    check_in = dt.date.today() + dt.timedelta(days=10)
    body = {
        "unit": unit.pk,
        "check_in": check_in.isoformat(),
        "check_out": (check_in + dt.timedelta(days=2)).isoformat(),
        "adults": 1,
    }
    with CaptureQueriesContext(connections["default"]) as primary:
        response, on_replica = _queries(REPLICA, lambda: client.post("/api/v1/bookings/", body, format="json"))
    assert response.status_code == 201, response.json()
    assert on_replica == [] and primary.captured_queries
    # The booking took the unit's only room: the catalogue, read from the replica, sees it sold out too.
    search = client.get("/api/v1/facilities/", {"check_in": body["check_in"], "check_out": body["check_out"]})
    assert search.status_code == 200 and search.json()["count"] == 0


def test_a_marked_read_inside_a_transaction_stays_on_the_primary():
    from django.db import transaction

    @replica_reads
    def read():
        outside = router.db_for_read(Facility)
        with transaction.atomic():
            inside = router.db_for_read(Facility)
        return outside, inside

    assert read() == (REPLICA, "default")
    # Unmarked code (the booking path, the services) reads the primary, and writes always go there.
    assert router.db_for_read(Facility) == "default"
    assert router.db_for_write(User) == "default"


def test_without_the_setting_nothing_reads_the_replica(api_client):
    UnitFactory()
    with override_settings(DATABASE_REPLICA_READS=False):
        response, on_replica = _queries(REPLICA, lambda: api_client.get("/api/v1/facilities/"))
    assert response.status_code == 200 and on_replica == []
