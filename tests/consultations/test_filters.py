"""Slots by date range and mode; consultations by status and date (the start's date in Japan time)."""

import datetime as dt

import pytest
from django.utils import timezone

from consultations.models import Consultation

from .factories import ConsultationFactory, OnlineSlotFactory, SlotFactory, at

pytestmark = pytest.mark.django_db

SLOTS = "/api/v1/consultation-slots/"
CONSULTATIONS = "/api/v1/consultations/"


def day(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def ids(client, url, **query) -> list[int]:
    response = client.get(url, query)
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def slots(saku):
    # 23:30 and 00:30 Japan time: the dates are Japan's, not UTC's (00:30 JST is the previous day in UTC).
    return {
        "late": SlotFactory(starts_at=at(5, 23, 30)),
        "early": OnlineSlotFactory(starts_at=at(6, 0, 30)),
        "later": SlotFactory(starts_at=at(9, 10)),
    }


@pytest.mark.parametrize("client_name", ["staff_client", "visitor_client"])
def test_slots_by_date_range_and_mode(request, slots, client_name):
    client = request.getfixturevalue(client_name)
    late, early, later = slots["late"].id, slots["early"].id, slots["later"].id

    assert ids(client, SLOTS) == [late, early, later]
    assert ids(client, SLOTS, date_from=day(6)) == [early, later]
    assert ids(client, SLOTS, date_to=day(5)) == [late]
    assert ids(client, SLOTS, date_from=day(5), date_to=day(6)) == [late, early]
    assert ids(client, SLOTS, mode="in_person") == [late, later]
    assert ids(client, SLOTS, mode="online", date_from=day(6), date_to=day(9)) == [early]
    assert ids(client, SLOTS, date_from=day(10)) == []


def test_consultations_by_status_and_date(staff_client, visitor, visitor_client, slots):
    booked = ConsultationFactory(slot=slots["late"], visitor=visitor)
    cancelled = ConsultationFactory(slot=slots["early"], visitor=visitor, status=Consultation.Status.CANCELLED)
    past = ConsultationFactory(slot=SlotFactory(starts_at=at(-3)), visitor=visitor, status=Consultation.Status.ATTENDED)

    for client in (visitor_client, staff_client):
        assert ids(client, CONSULTATIONS) == [past.id, booked.id, cancelled.id]
        assert ids(client, CONSULTATIONS, status="booked") == [booked.id]
        assert ids(client, CONSULTATIONS, status="attended") == [past.id]
        assert ids(client, CONSULTATIONS, date_from=day(0)) == [booked.id, cancelled.id]
        assert ids(client, CONSULTATIONS, date_to=day(5)) == [past.id, booked.id]
        assert ids(client, CONSULTATIONS, status="cancelled", date_from=day(6), date_to=day(6)) == [cancelled.id]


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (SLOTS, {"mode": "phone"}, "mode"),
        (SLOTS, {"date_from": "2026-13-01"}, "date_from"),
        (SLOTS, {"date_from": "2026-12-10", "date_to": "2026-12-09"}, "date_to"),
        (CONSULTATIONS, {"status": "lost"}, "status"),
        (CONSULTATIONS, {"date_to": "tomorrow"}, "date_to"),
        (CONSULTATIONS, {"date_from": "2026-12-10", "date_to": "2026-12-09"}, "date_to"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(staff_client, url, query, field):
    response = staff_client.get(url, query)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
