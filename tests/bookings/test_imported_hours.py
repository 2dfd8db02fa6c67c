"""Calendar imports on a room booked by the hour, through the API, from a feed shaped as Google Calendar exports
it (a VTIMEZONE, times with TZID=Asia/Tokyo, one in UTC, an all-day event): a timed event blocks only its hours
(the quarter hours it overlaps within the opening hours), an all-day one the whole day; moved and deleted events
free their hours, a full hour is a conflict told once and taken when the booking goes, the unit's own hours come
back as echoes, and an operator's feed shows imported hours as timed events."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from bookings.models import ImportedBlock, ImportedSlot, SlotStock
from tests.bookings.factories import HourlyRoomFactory, at, day, iso
from tests.bookings.helpers import BOOKINGS, QUOTES, book, error
from tests.bookings.test_calendar_imports import add_import, imports_url, sync
from tests.bookings.test_hourly import free

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Asia/Tokyo
X-LIC-LOCATION:Asia/Tokyo
BEGIN:STANDARD
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
TZNAME:JST
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE"""


def google_calendar(*events: str) -> str:
    """A calendar as Google's "secret address in iCal format" serves it."""
    head = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:会議室A 外部予約",
        "X-WR-TIMEZONE:Asia/Tokyo",
        *VTIMEZONE.splitlines(),
    ]
    return "\r\n".join(head + list(events) + ["END:VCALENDAR"]) + "\r\n"


def event(uid: str, offset: int, start: str, end: str, *, sequence: int = 0) -> str:
    """A timed event in Japan time (TZID), `start` and `end` as HH:MM on today + `offset`."""
    when = day(offset).strftime("%Y%m%d")
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"DTSTART;TZID=Asia/Tokyo:{when}T{start.replace(':', '')}00",
            f"DTEND;TZID=Asia/Tokyo:{when}T{end.replace(':', '')}00",
            "DTSTAMP:20261201T000000Z",
            f"UID:{uid}",
            "CREATED:20261120T010203Z",
            "LAST-MODIFIED:20261120T010203Z",
            f"SEQUENCE:{sequence}",
            "STATUS:CONFIRMED",
            "SUMMARY:佐藤様 打ち合わせ",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    )


def utc_event(uid: str, start: dt.datetime, end: dt.datetime) -> str:
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"DTSTART:{start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{end.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            "DTSTAMP:20261201T000000Z",
            f"UID:{uid}",
            "SUMMARY:Call",
            "END:VEVENT",
        ]
    )


def all_day_event(uid: str, offset: int) -> str:
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"DTSTART;VALUE=DATE:{day(offset):%Y%m%d}",
            f"DTEND;VALUE=DATE:{day(offset + 1):%Y%m%d}",
            "DTSTAMP:20261201T000000Z",
            f"UID:{uid}",
            "SUMMARY:貸切",
            "END:VEVENT",
        ]
    )


@pytest.fixture
def room(organisation):
    return HourlyRoomFactory(facility__operator=organisation)


def hours(room, start: str, end: str, offset: int = 10) -> dict:
    return {"unit": room.id, "starts_at": at(offset, start), "ends_at": at(offset, end), "adults": 1}


def test_a_timed_event_blocks_only_its_hours_and_an_all_day_event_the_day(
    room, operator_client, visitor_client, api_client, feed_server
):
    body = google_calendar(
        event("a1b2c3@google.com", 10, "10:00", "11:30"),
        # Off the grid: 14:10-14:50 blocks the quarter hours it touches, 14:00-15:00.
        event("d4e5f6@google.com", 10, "14:10", "14:50"),
        # 08:00-09:30 reaches into the opening at 9:00 only from then.
        utc_event(
            "utc@google.com",
            dt.datetime.combine(day(11), dt.time(8, 0), TOKYO),
            dt.datetime.combine(day(11), dt.time(9, 30), TOKYO),
        ),
        all_day_event("allday@google.com", 12),
    )
    created = add_import(operator_client, room, feed_server.serve("/google.ics", body), name="Google")

    result = sync(operator_client, room, created["id"])

    assert result["status"] == "ok" and result["calendar_import"]["event_count"] == 4
    assert free(api_client, room, 10) == [("09:00", "10:00", 1), ("11:30", "14:00", 1), ("15:00", "18:00", 1)]
    assert free(api_client, room, 11) == [("09:30", "18:00", 1)]
    assert free(api_client, room, 12) == []
    assert free(api_client, room, 13) == [("09:00", "18:00", 1)]
    # Nothing is blocked by the date: the day's other hours are booked as usual.
    assert not ImportedBlock.objects.exists()
    refused = book(visitor_client, hours(room, "11:00", "12:00"))
    assert refused.status_code == 409 and error(refused)["code"] == "unit_unavailable"
    assert visitor_client.post(QUOTES, hours(room, "10:30", "11:00"), format="json").status_code == 409
    assert book(visitor_client, hours(room, "11:30", "12:30")).status_code == 201
    assert book(visitor_client, hours(room, "09:00", "10:00")).status_code == 201


def test_moved_and_deleted_events_free_their_hours(room, operator_client, api_client, feed_server):
    path = "/google.ics"
    feed_server.serve(path, google_calendar(event("m@google.com", 10, "10:00", "12:00")))
    created = add_import(operator_client, room, feed_server.url(path))
    sync(operator_client, room, created["id"])
    assert free(api_client, room, 10) == [("09:00", "10:00", 1), ("12:00", "18:00", 1)]

    feed_server.serve(path, google_calendar(event("m@google.com", 10, "15:00", "16:00", sequence=1)))
    sync(operator_client, room, created["id"])
    assert free(api_client, room, 10) == [("09:00", "15:00", 1), ("16:00", "18:00", 1)]
    assert SlotStock.objects.filter(unit=room, taken__gt=0).count() == 4

    assert operator_client.delete(f"{imports_url(room)}{created['id']}/").status_code == 204
    assert free(api_client, room, 10) == [("09:00", "18:00", 1)]
    assert not SlotStock.objects.filter(unit=room, taken__gt=0).exists() and not ImportedSlot.objects.exists()


def test_full_hours_are_a_conflict_told_once_and_taken_when_the_booking_goes(
    room, operator_client, visitor_client, api_client, feed_server
):
    booking = book(visitor_client, hours(room, "10:00", "11:00")).json()
    path = "/google.ics"
    feed_server.serve(path, google_calendar(event("c@google.com", 10, "10:00", "12:00")))
    created = add_import(operator_client, room, feed_server.url(path))

    sync(operator_client, room, created["id"])

    assert len(mail.outbox) == 1 and iso(10) in mail.outbox[0].body
    assert ImportedSlot.objects.filter(held=False).count() == 4 and ImportedSlot.objects.filter(held=True).count() == 4
    assert free(api_client, room, 10) == [("09:00", "10:00", 1), ("12:00", "18:00", 1)]
    sync(operator_client, room, created["id"])
    assert len(mail.outbox) == 1

    assert visitor_client.post(f"{BOOKINGS}{booking['id']}/cancel/").status_code == 200

    # The imported event takes the hours the booking gave back: they stay blocked, no longer in conflict.
    assert not ImportedSlot.objects.filter(held=False).exists()
    assert free(api_client, room, 10) == [("09:00", "10:00", 1), ("12:00", "18:00", 1)]
    assert SlotStock.objects.filter(unit=room, taken=1).count() == 8


def test_the_rooms_own_hours_coming_back_are_an_echo(room, operator_client, visitor_client, feed_server):
    book(visitor_client, hours(room, "10:00", "11:00"))
    feed_server.serve("/echo.ics", google_calendar(event("echo@booking.com", 10, "10:00", "11:00")))
    created = add_import(operator_client, room, feed_server.url("/echo.ics"))

    sync(operator_client, room, created["id"])

    assert mail.outbox == []
    assert ImportedSlot.objects.filter(echo=True, held=False).count() == 4
    listed = operator_client.get(f"{imports_url(room)}{created['id']}/").json()
    assert listed["conflicts"] == []


def test_an_operator_feed_shows_imported_hours_as_timed_events(room, operator_client, feed_server):
    feed_server.serve("/g.ics", google_calendar(event("t@google.com", 10, "13:00", "14:30")))
    created = add_import(operator_client, room, feed_server.url("/g.ics"))
    sync(operator_client, room, created["id"])
    feed = operator_client.post(
        "/api/v1/calendar-feeds/", {"scope": "unit", "unit": room.id, "include_imported": True}, format="json"
    ).json()

    text = operator_client.get(feed["url"]).content.decode()

    assert f"DTSTART;TZID=Asia/Tokyo:{day(10):%Y%m%d}T130000" in text
    assert f"DTEND;TZID=Asia/Tokyo:{day(10):%Y%m%d}T143000" in text
    assert "佐藤" not in text
