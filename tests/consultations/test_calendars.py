"""Consultations in the calendars: the visitor's stays feed and booking .ics show them as timed events in
Japan time (TZID=Asia/Tokyo with its VTIMEZONE); staff get a feed of their town's booked slots. Each body goes
through icalendar, the strict `ical` parser and recurring-ical-events; ETag and Last-Modified follow bookings
and cancellations."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.utils import timezone
from django.utils.http import http_date
from ical.calendar_stream import IcsCalendarStream

from bookings.models import Booking, CalendarFeed
from consultations.models import Consultation, ConsultationSlot
from facilities.models import Facility, Unit
from tests.bookings.factories import LodgingUnitFactory, iso
from tests.conftest import client_for
from tests.factories import StaffFactory, matsue

from .factories import ConsultationFactory, OnlineSlotFactory, SlotFactory, at

pytestmark = pytest.mark.django_db
FEEDS = "/api/v1/calendar-feeds/"
TOKYO = ZoneInfo("Asia/Tokyo")


def parse(response):
    """All three parsers accept the body; returns (text, icalendar events, ical events)."""
    assert response.status_code == 200, response.content
    text = response.content.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    loose = icalendar.Calendar.from_ical(text)
    strict = IcsCalendarStream.calendar_from_ics(text)
    expanded = recurring_ical_events.of(loose).between(
        dt.date.today() - dt.timedelta(days=400), dt.date.today() + dt.timedelta(days=400)
    )
    assert len(expanded) == len(list(loose.walk("VEVENT")))
    return text, list(loose.walk("VEVENT")), strict.events


def feed_url(client, body) -> str:
    response = client.post(FEEDS, body, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()["url"].removeprefix("http://testserver")


def by_uid(events) -> dict:
    return {str(event["UID"]): event for event in events}


def backdate_everything():
    an_hour_ago = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    for model in (Booking, Consultation, ConsultationSlot, Unit, Facility):
        model.objects.update(updated_at=an_hour_ago)
    CalendarFeed.objects.update(created_at=an_hour_ago, changed_at=an_hour_ago)
    return an_hour_ago


def test_the_stays_feed_shows_consultations_as_timed_events_in_japan_time(visitor, visitor_client, api_client):
    slot = OnlineSlotFactory(starts_at=at(5, 13, 30), minutes=45)
    consultation_id = visitor_client.post("/api/v1/consultations/", {"slot": slot.id}, format="json").json()["id"]
    url = feed_url(visitor_client, {"scope": "stays"})

    text, (event,), (strict,) = parse(api_client.get(url))

    assert "BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\n" in text
    assert f"DTSTART;TZID=Asia/Tokyo:{at(5, 13, 30):%Y%m%d}T133000\r\n" in text
    assert str(event["UID"]) == f"consultation-{consultation_id}@127.0.0.1"
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event.decoded("DTSTART") == strict.dtstart == at(5, 13, 30)
    assert event.decoded("DTEND") == strict.dtend == at(5, 14, 15)
    assert strict.dtstart.utcoffset() == dt.timedelta(hours=9)
    assert strict.summary == "佐久市との移住相談"
    assert strict.url == "https://meet.example.jp/saku-123"


def test_a_cancelled_consultation_stays_in_the_feed_as_cancelled(visitor, visitor_client, api_client):
    slot = SlotFactory()
    consultation_id = visitor_client.post("/api/v1/consultations/", {"slot": slot.id}, format="json").json()["id"]
    url = feed_url(visitor_client, {"scope": "stays"})
    before = api_client.get(url)

    visitor_client.post(f"/api/v1/consultations/{consultation_id}/cancel/")
    _text, (event,), (strict,) = parse(api_client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]))

    assert str(event["STATUS"]) == "CANCELLED" and strict.sequence == 1
    assert strict.location == "佐久市移住交流センター"


def test_the_stays_feed_validators_follow_bookings_and_cancellations(visitor, visitor_client, api_client):
    url = feed_url(visitor_client, {"scope": "stays"})
    slot = SlotFactory(capacity=2)
    earlier = backdate_everything()
    first = api_client.get(url)
    assert first["Last-Modified"] == http_date(earlier.timestamp())
    assert api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    consultation_id = visitor_client.post("/api/v1/consultations/", {"slot": slot.id}, format="json").json()["id"]
    booked = api_client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert booked.status_code == 200 and booked["ETag"] != first["ETag"]

    backdate_everything()
    quiet = api_client.get(url)
    assert api_client.get(url, HTTP_IF_NONE_MATCH=quiet["ETag"]).status_code == 304
    assert api_client.get(url, HTTP_IF_MODIFIED_SINCE=quiet["Last-Modified"]).status_code == 304

    visitor_client.post(f"/api/v1/consultations/{consultation_id}/cancel/")
    cancelled = api_client.get(url, HTTP_IF_MODIFIED_SINCE=quiet["Last-Modified"])
    assert cancelled.status_code == 200 and cancelled["ETag"] != quiet["ETag"]


def test_a_bookings_ics_shows_the_consultations_with_its_town_during_the_stay(visitor, visitor_client):
    unit = LodgingUnitFactory()
    booking = visitor_client.post(
        "/api/v1/bookings/", {"unit": unit.id, "check_in": iso(10), "check_out": iso(12), "adults": 1}, format="json"
    ).json()
    on_check_out_day = ConsultationFactory(visitor=visitor, slot__starts_at=at(12, 9))
    ConsultationFactory(visitor=visitor, slot__starts_at=at(13, 9))
    ConsultationFactory(visitor=visitor, slot__starts_at=at(11, 9), slot__municipality=matsue())
    ConsultationFactory(slot__starts_at=at(11, 10))
    url = f"/api/v1/bookings/{booking['id']}/calendar.ics"
    first = visitor_client.get(url)

    text, events, _strict = parse(first)

    assert set(by_uid(events)) == {
        f"booking-{booking['id']}@127.0.0.1",
        f"consultation-{on_check_out_day.id}@127.0.0.1",
    }
    assert "BEGIN:VTIMEZONE" in text
    during = SlotFactory(starts_at=at(11, 15), capacity=1)
    visitor_client.post("/api/v1/consultations/", {"slot": during.id}, format="json")
    assert visitor_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_calendar_without_consultations_has_no_vtimezone(visitor, visitor_client, api_client):
    unit = LodgingUnitFactory()
    booking = visitor_client.post(
        "/api/v1/bookings/", {"unit": unit.id, "check_in": iso(10), "check_out": iso(12), "adults": 1}, format="json"
    ).json()

    text, _events, _strict = parse(visitor_client.get(f"/api/v1/bookings/{booking['id']}/calendar.ics"))

    assert "VTIMEZONE" not in text


def test_staff_get_a_feed_of_their_towns_booked_slots(staff_client, api_client):
    booked = OnlineSlotFactory(starts_at=at(3, 10), capacity=3)
    consultation = ConsultationFactory(slot=booked)
    SlotFactory(starts_at=at(4))  # nobody booked it: not in the feed
    ConsultationFactory(slot__municipality=matsue())
    response = staff_client.post(FEEDS, {"scope": "consultations"}, format="json")
    assert response.status_code == 201 and response.json()["scope"] == "consultations"
    url = response.json()["url"].removeprefix("http://testserver")

    text, (event,), (strict,) = parse(api_client.get(url))

    assert str(event["UID"]) == f"consultation-slot-{booked.id}@127.0.0.1"
    assert event.decoded("DTSTART") == at(3, 10)
    assert strict.summary == "移住相談: 3人中1人予約"
    assert strict.url == "https://meet.example.jp/saku-123"
    assert consultation.visitor.email not in text
    assert staff_client.post(FEEDS, {"scope": "consultations"}, format="json").status_code == 200


def test_the_staff_feed_changes_when_a_place_is_booked_or_given_back(staff_client, visitor_client, api_client):
    slot = SlotFactory(capacity=2)
    ConsultationFactory(slot=slot)
    url = feed_url(staff_client, {"scope": "consultations"})
    backdate_everything()
    first = api_client.get(url)
    assert api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    consultation_id = visitor_client.post("/api/v1/consultations/", {"slot": slot.id}, format="json").json()["id"]
    booked = api_client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert booked.status_code == 200 and "2人予約" in booked.content.decode()

    visitor_client.post(f"/api/v1/consultations/{consultation_id}/cancel/")
    assert api_client.get(url, HTTP_IF_NONE_MATCH=booked["ETag"]).status_code == 200


def test_only_staff_have_a_consultations_feed(visitor_client, operator_client):
    for client in (visitor_client, operator_client):
        response = client.post(FEEDS, {"scope": "consultations"}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_feed_scope"
        assert "scope" in response.json()["error"]["fields"]


def test_english_follows_accept_language(visitor):
    ConsultationFactory(visitor=visitor, slot__starts_at=at(2, 10))
    client = client_for(visitor, "en")
    url = feed_url(client, {"scope": "stays"})

    _text, _events, (strict,) = parse(client.get(url))

    assert strict.summary == "Consultation with Saku"


def test_another_towns_staff_feed_does_not_show_ours(saku):
    ConsultationFactory(slot__starts_at=at(2, 10))
    other = client_for(StaffFactory(municipality=matsue()))

    _text, events, _strict = parse(other.get(feed_url(other, {"scope": "consultations"})))

    assert events == []
