"""Rooms and desks by the hour, through the API: the grid, durations, opening hours, the day's free intervals,
prices to the yen with the day cap, closures by the hour, cancellation counted in hours, iCal as timed events."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone

from bookings.models import Booking, SlotStock, UnitStock
from tests.bookings.factories import ClosureFactory, HourlyRoomFactory, PriceOverrideFactory, at, day, iso
from tests.bookings.helpers import BOOKINGS, QUOTES, book, error
from tests.conftest import client_for
from tests.factories import OperatorFactory, VisitorFactory

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def room(organisation):
    return HourlyRoomFactory(facility__operator=organisation)


def hours(unit, start: str, end: str, offset: int = 10, **extra) -> dict:
    return {"unit": unit.id, "starts_at": at(offset, start), "ends_at": at(offset, end), "adults": 1, **extra}


def slots_taken(unit) -> int:
    return sum(SlotStock.objects.filter(unit=unit).values_list("taken", flat=True))


def slots(client, unit, offset: int = 10) -> dict:
    response = client.get(f"/api/v1/units/{unit.id}/slots/", {"date": iso(offset)})
    assert response.status_code == 200, response.content
    return response.json()


def free(client, unit, offset: int = 10) -> list[tuple[str, str, int]]:
    """The day's free intervals as (start, end, free) in Japan time, HH:MM."""
    return [
        (
            datetime.fromisoformat(row["starts_at"]).astimezone(TOKYO).strftime("%H:%M"),
            datetime.fromisoformat(row["ends_at"]).astimezone(TOKYO).strftime("%H:%M"),
            row["free"],
        )
        for row in slots(client, unit, offset)["free"]
    ]


# --- the worked example ----------------------------------------------------------------------------------------


def test_the_worked_example_grid_duration_overlap_and_back_to_back(room, visitor_client):
    off_grid = book(visitor_client, hours(room, "10:05", "11:05"))
    assert off_grid.status_code == 400
    assert error(off_grid)["code"] == "off_grid" and list(error(off_grid)["fields"]) == ["starts_at"]

    short = book(visitor_client, hours(room, "10:00", "10:20"))
    assert short.status_code == 400
    assert error(short)["code"] == "off_grid"  # 10:20 is off the 15-minute grid too
    short = book(visitor_client, hours(room, "10:00", "10:15"))
    assert short.status_code == 400
    assert error(short)["code"] == "too_short" and list(error(short)["fields"]) == ["ends_at"]
    assert slots_taken(room) == 0 and Booking.objects.count() == 0

    first = book(visitor_client, hours(room, "10:00", "11:00"))
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["kind"] == "hourly" and body["total_yen"] == 1100
    assert body["lines"] == [{"date": iso(10), "price_yen": 1100}]
    assert (body["check_in"], body["check_out"], body["dates"]) == (iso(10), iso(11), [iso(10)])
    assert datetime.fromisoformat(body["starts_at"]) == datetime.fromisoformat(at(10, "10:00"))
    assert datetime.fromisoformat(body["ends_at"]) == datetime.fromisoformat(at(10, "11:00"))
    assert body["status"] == "confirmed"

    overlap = book(visitor_client, hours(room, "10:30", "11:30"))
    assert overlap.status_code == 409
    assert error(overlap)["code"] == "unit_unavailable"
    assert f"{iso(10)} 10:30–11:00" in error(overlap)["message"]

    assert book(visitor_client, hours(room, "11:00", "12:00")).status_code == 201
    assert slots_taken(room) == 8
    # Hours take no night or day stock.
    assert not UnitStock.objects.filter(unit=room, taken__gt=0).exists()


def test_the_worked_example_with_two_rooms_two_fit_and_a_third_is_refused(organisation, visitor_client):
    rooms = HourlyRoomFactory(facility__operator=organisation, count=2)

    assert [book(visitor_client, hours(rooms, "10:00", "11:00")).status_code for _ in range(3)] == [201, 201, 409]
    assert slots_taken(rooms) == 8


def test_the_grid_and_the_minimum_are_the_units_own(organisation, visitor_client):
    """On a 30-minute grid with a one-hour minimum: 30 minutes is too short, a quarter past is off the grid."""
    room = HourlyRoomFactory(facility__operator=organisation, slot_minutes=30, min_minutes=60)

    response = book(visitor_client, hours(room, "10:00", "10:30"))

    assert response.status_code == 400 and error(response)["code"] == "too_short"
    assert "60" in error(response)["message"]
    assert book(visitor_client, hours(room, "10:15", "11:15")).json()["error"]["code"] == "off_grid"


# --- every refusal names its field and changes nothing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"starts_at": at(10, "10:00")}, "times_required", "ends_at"),
        ({"ends_at": at(10, "10:00")}, "times_required", "starts_at"),
        ({"dates": [iso(10)]}, "times_required", "dates"),
        ({"check_in": iso(10), "check_out": iso(11)}, "times_required", "check_in"),
        ({"starts_at": at(10, "11:00"), "ends_at": at(10, "10:00")}, "ends_not_after_starts", "ends_at"),
        ({"starts_at": at(10, "10:00"), "ends_at": at(10, "14:15")}, "too_long", "ends_at"),
        ({"starts_at": at(10, "08:30"), "ends_at": at(10, "09:30")}, "outside_opening_hours", "starts_at"),
        ({"starts_at": at(10, "17:30"), "ends_at": at(10, "18:30")}, "outside_opening_hours", "starts_at"),
        ({"starts_at": at(-1, "10:00"), "ends_at": at(-1, "11:00")}, "date_in_past", "starts_at"),
        ({"starts_at": at(400, "10:00"), "ends_at": at(400, "11:00")}, "beyond_booking_window", "starts_at"),
        ({"starts_at": "not a time", "ends_at": at(10, "11:00")}, "invalid", "starts_at"),
        ({"starts_at": at(10, "10:00"), "ends_at": at(10, "11:00"), "adults": 7}, "party_over_capacity", "adults"),
    ],
)
def test_refusals_are_400s_naming_the_field(room, visitor_client, body, code, field):
    request = {"unit": room.id, "adults": 1, **body}

    for response in (visitor_client.post(QUOTES, request, format="json"), book(visitor_client, request)):
        assert response.status_code == 400, response.content
        assert error(response)["code"] == code
        assert field in error(response)["fields"]
    assert Booking.objects.count() == 0 and slots_taken(room) == 0


def test_seconds_off_the_grid_are_off_grid(room, visitor_client):
    body = {"unit": room.id, "starts_at": f"{iso(10)}T10:00:30+09:00", "ends_at": at(10, "11:00"), "adults": 1}

    assert error(book(visitor_client, body))["code"] == "off_grid"


def test_a_closed_weekday_is_outside_opening_hours(organisation, visitor_client):
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day(10).weekday()]
    room = HourlyRoomFactory(facility__operator=organisation, opening_hours={weekday: None})

    response = book(visitor_client, hours(room, "10:00", "11:00"))

    assert response.status_code == 400 and error(response)["code"] == "outside_opening_hours"
    assert slots(visitor_client, room)["free"] == [] and slots(visitor_client, room)["opens_at"] is None


def test_times_on_a_unit_booked_by_the_day_are_refused(desks, visitor_client):
    response = book(
        visitor_client, {"unit": desks.id, "starts_at": at(10, "10:00"), "ends_at": at(10, "11:00"), "adults": 1}
    )

    assert response.status_code == 400 and error(response)["code"] == "times_not_accepted"
    assert "starts_at" in error(response)["fields"]


def test_other_offsets_are_the_same_moment(room, visitor_client):
    """01:00Z is 10:00 in Japan: the grid and the opening hours are Japan time's."""
    body = {"unit": room.id, "starts_at": f"{iso(10)}T01:00:00Z", "ends_at": f"{iso(10)}T02:00:00+00:00", "adults": 1}

    response = book(visitor_client, body)

    assert response.status_code == 201
    assert book(visitor_client, hours(room, "10:45", "11:15")).status_code == 409


# --- prices ----------------------------------------------------------------------------------------------------


def test_quote_and_booking_agree_on_minutes_and_the_day_cap(organisation, visitor_client):
    room = HourlyRoomFactory(facility__operator=organisation, day_cap_yen=3000, max_minutes=480)

    for start, end, total in (("09:00", "09:45", 825), ("10:00", "12:00", 2200), ("12:00", "17:00", 3000)):
        quote = visitor_client.post(QUOTES, hours(room, start, end), format="json")
        booking = book(visitor_client, hours(room, start, end))
        assert quote.status_code == 200 and booking.status_code == 201
        assert quote.json()["total_yen"] == booking.json()["total_yen"] == total
        assert quote.json()["kind"] == "hourly"
        assert quote.json()["starts_at"] == booking.json()["starts_at"]


def test_a_price_override_sets_the_hours_rate_on_its_dates(room, visitor_client):
    PriceOverrideFactory(unit=room, start_date=day(10), end_date=day(10), price_yen=2000)

    assert book(visitor_client, hours(room, "10:00", "11:30")).json()["total_yen"] == 3000
    assert book(visitor_client, hours(room, "10:00", "11:30", offset=11)).json()["total_yen"] == 1650
    assert slots(visitor_client, room)["price_per_hour_yen"] == 2000


# --- the day's free intervals ----------------------------------------------------------------------------------


def test_slots_list_the_free_intervals_of_the_day(organisation, api_client, visitor_client):
    room = HourlyRoomFactory(facility__operator=organisation, count=2)
    book(visitor_client, hours(room, "10:00", "11:00"))
    book(visitor_client, hours(room, "10:30", "12:00"))

    answer = slots(api_client, room)

    assert free(api_client, room) == [
        ("09:00", "10:00", 2),
        ("10:00", "10:30", 1),
        ("11:00", "12:00", 1),
        ("12:00", "18:00", 2),
    ]
    assert (answer["slot_minutes"], answer["min_minutes"], answer["max_minutes"]) == (15, 30, 240)
    assert (answer["price_per_hour_yen"], answer["day_cap_yen"], answer["date"]) == (1100, None, iso(10))
    assert datetime.fromisoformat(answer["opens_at"]) == datetime.fromisoformat(at(10, "09:00"))


def test_slots_leave_out_closures_by_the_hour_and_closed_dates(room, api_client, operator_client):
    created = operator_client.post(
        f"/api/v1/operator/units/{room.id}/time-closures/",
        {"starts_at": at(10, "12:00"), "ends_at": at(10, "13:30"), "reason": "清掃"},
        format="json",
    )
    assert created.status_code == 201, created.content
    ClosureFactory(unit=room, start_date=day(11), end_date=day(11))

    assert free(api_client, room) == [("09:00", "12:00", 1), ("13:30", "18:00", 1)]
    assert free(api_client, room, 11) == []


def test_slots_of_today_start_after_now(room, api_client):
    now = timezone.localtime()
    rows = slots(api_client, room, 0)["free"]

    assert all(datetime.fromisoformat(row["starts_at"]) >= now - timedelta(minutes=15) for row in rows)


def test_slots_of_a_unit_booked_by_the_day_are_a_400_and_of_an_unknown_unit_a_404(desks, api_client):
    assert error(api_client.get(f"/api/v1/units/{desks.id}/slots/", {"date": iso(3)}))["code"] == "not_hourly"
    assert api_client.get("/api/v1/units/999999/slots/", {"date": iso(3)}).status_code == 404
    response = api_client.get(f"/api/v1/units/{desks.id}/slots/", {"date": "tomorrow"})
    assert response.status_code == 400 and "date" in error(response)["fields"]


# --- closures by the hour --------------------------------------------------------------------------------------


def test_a_closure_by_the_hour_refuses_bookings_in_it_with_409(room, visitor_client, operator_client):
    url = f"/api/v1/operator/units/{room.id}/time-closures/"
    closure = operator_client.post(
        url, {"starts_at": at(10, "12:00"), "ends_at": at(10, "13:00"), "reason": "清掃"}, format="json"
    ).json()

    refused = book(visitor_client, hours(room, "11:30", "12:30"))
    assert refused.status_code == 409 and error(refused)["code"] == "unit_closed"
    assert f"{iso(10)} 12:00–12:30" in error(refused)["message"]
    assert book(visitor_client, hours(room, "11:00", "12:00")).status_code == 201
    assert [row["id"] for row in operator_client.get(url).json()["results"]] == [closure["id"]]

    assert operator_client.delete(f"{url}{closure['id']}/").status_code == 204
    assert book(visitor_client, hours(room, "12:00", "13:00")).status_code == 201


def test_a_closure_by_the_hour_over_bookings_is_refused_and_bad_times_are_400(room, visitor_client, operator_client):
    url = f"/api/v1/operator/units/{room.id}/time-closures/"
    book(visitor_client, hours(room, "10:00", "11:00"))

    over = operator_client.post(
        url, {"starts_at": at(10, "10:30"), "ends_at": at(10, "12:00"), "reason": "x"}, format="json"
    )
    backwards = operator_client.post(
        url, {"starts_at": at(10, "12:00"), "ends_at": at(10, "12:00"), "reason": "x"}, format="json"
    )

    assert over.status_code == 409 and error(over)["code"] == "closure_over_bookings"
    assert f"{iso(10)} 10:00–11:00" in error(over)["message"]
    assert backwards.status_code == 400 and "ends_at" in error(backwards)["fields"]
    assert operator_client.get(url).json()["results"] == []


def test_a_date_closure_over_hours_booked_that_day_is_refused(room, visitor_client, operator_client):
    book(visitor_client, hours(room, "10:00", "11:00"))

    response = operator_client.post(
        f"/api/v1/operator/units/{room.id}/closures/",
        {"start_date": iso(9), "end_date": iso(10), "reason": "点検"},
        format="json",
    )

    assert response.status_code == 409 and error(response)["code"] == "closure_over_bookings"


def test_another_organisations_operator_gets_404_on_time_closures(room):
    other = client_for(OperatorFactory())

    assert other.get(f"/api/v1/operator/units/{room.id}/time-closures/").status_code == 404


# --- cancellation counted in hours -----------------------------------------------------------------------------


def test_cancellation_is_free_until_the_units_hours_before_the_start(organisation, visitor_client):
    room = HourlyRoomFactory(facility__operator=organisation, free_cancellation_hours=48, cancellation_fee_percent=50)
    soon = book(visitor_client, hours(room, "10:00", "12:00", offset=1)).json()
    later = book(visitor_client, hours(room, "10:00", "12:00", offset=3)).json()

    cancelled_soon = visitor_client.post(f"{BOOKINGS}{soon['id']}/cancel/", {}, format="json")
    cancelled_later = visitor_client.post(f"{BOOKINGS}{later['id']}/cancel/", {}, format="json")

    assert cancelled_soon.status_code == cancelled_later.status_code == 200
    assert cancelled_soon.json()["cancellation_fee_yen"] == 1100
    assert cancelled_later.json()["cancellation_fee_yen"] == 0
    assert slots_taken(room) == 0
    # The hours are free again.
    assert book(visitor_client, hours(room, "10:00", "12:00", offset=1)).status_code == 201


def test_the_operator_cancels_hours_with_a_reason_and_they_are_free_again(room, visitor_client, operator_client):
    booking = book(visitor_client, hours(room, "10:00", "11:00")).json()

    response = operator_client.post(f"{BOOKINGS}{booking['id']}/cancel/", {"reason": "設備故障"}, format="json")

    assert response.status_code == 200 and response.json()["cancellation_fee_yen"] == 0
    assert free(visitor_client, room) == [("09:00", "18:00", 1)]


# --- calendars -------------------------------------------------------------------------------------------------


def test_hours_export_as_a_timed_event_in_japan_time(room, visitor_client, operator_client):
    booking = book(visitor_client, hours(room, "10:00", "11:30")).json()

    text = visitor_client.get(f"{BOOKINGS}{booking['id']}/calendar.ics").content.decode()
    assert f"DTSTART;TZID=Asia/Tokyo:{day(10):%Y%m%d}T100000" in text
    assert f"DTEND;TZID=Asia/Tokyo:{day(10):%Y%m%d}T113000" in text
    assert "BEGIN:VTIMEZONE" in text
    event = next(iter(icalendar.Calendar.from_ical(text).walk("VEVENT")))
    assert event.decoded("DTSTART") == datetime.fromisoformat(at(10, "10:00"))

    feed = operator_client.post("/api/v1/calendar-feeds/", {"scope": "unit", "unit": room.id}, format="json").json()
    feed_text = operator_client.get(feed["url"]).content.decode()
    assert f"DTSTART;TZID=Asia/Tokyo:{day(10):%Y%m%d}T100000" in feed_text
    assert f"DTEND;TZID=Asia/Tokyo:{day(10):%Y%m%d}T113000" in feed_text


# --- idempotency -----------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_same_hours_and_other_hours_are_422(room):
    client = client_for(VisitorFactory())
    first = book(client, hours(room, "10:00", "11:00"), HTTP_IDEMPOTENCY_KEY="k1")
    same_moment = {**hours(room, "10:00", "11:00"), "starts_at": f"{iso(10)}T01:00:00Z"}
    again = book(client, same_moment, HTTP_IDEMPOTENCY_KEY="k1")
    other = book(client, hours(room, "12:00", "13:00"), HTTP_IDEMPOTENCY_KEY="k1")

    assert first.status_code == 201 and again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert other.status_code == 422
    assert slots_taken(room) == 4


# --- messages --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("10:05", "11:05", "off_grid"),
        ("10:00", "10:15", "too_short"),
        ("10:00", "14:15", "too_long"),
        ("08:00", "09:00", "outside_opening_hours"),
        ("11:00", "10:00", "ends_not_after_starts"),
    ],
)
def test_hourly_refusals_are_in_japanese_by_default_and_english_on_request(room, visitor_client, start, end, code):
    ja = book(visitor_client, hours(room, start, end))
    en = book(visitor_client, hours(room, start, end), HTTP_ACCEPT_LANGUAGE="en")

    assert error(ja)["code"] == error(en)["code"] == code
    assert JAPANESE.search(error(ja)["message"]) and not JAPANESE.search(error(en)["message"])
    assert error(ja)["fields"].keys() == error(en)["fields"].keys()
    assert all(JAPANESE.search(text) for texts in error(ja)["fields"].values() for text in texts)


# --- operators set a unit up by the hour -----------------------------------------------------------------------


def coworking_unit_body(**changes) -> dict:
    return {
        "unit_type": "meeting_room",
        "name_ja": "会議室B",
        "capacity": 8,
        "price_yen": 1100,
        "booking_mode": "hourly",
        "opening_hours": {"mon": ["09:00", "18:00"], "sat": ["10:00", "24:00"]},
        "slot_minutes": 30,
        "min_minutes": 60,
        "max_minutes": 180,
        "day_cap_yen": 5000,
        "free_cancellation_hours": 12,
        **changes,
    }


def test_an_operator_makes_an_hourly_room_and_the_catalogue_shows_it(room, operator_client, api_client):
    facility = room.facility

    created = operator_client.post(
        f"/api/v1/operator/facilities/{facility.id}/units/", coworking_unit_body(), format="json"
    )

    assert created.status_code == 201, created.content
    unit = created.json()
    assert (unit["booking_mode"], unit["slot_minutes"], unit["min_minutes"], unit["max_minutes"]) == (
        "hourly",
        30,
        60,
        180,
    )
    assert (unit["day_cap_yen"], unit["free_cancellation_hours"]) == (5000, 12)
    shown = {u["id"]: u for u in api_client.get(f"/api/v1/facilities/{facility.id}/").json()["units"]}[unit["id"]]
    assert (shown["booking_mode"], shown["price_basis"], shown["price_yen"]) == ("hourly", "hour", 1100)
    assert shown["opening_hours"] == {"mon": ["09:00", "18:00"], "sat": ["10:00", "24:00"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"opening_hours": {"mon": ["18:00", "09:00"]}}, "opening_hours"),
        ({"opening_hours": {"mon": ["09:10", "18:00"]}}, "opening_hours"),
        ({"opening_hours": {"monday": ["09:00", "18:00"]}}, "opening_hours"),
        ({"opening_hours": ["09:00", "18:00"]}, "opening_hours"),
        ({"slot_minutes": 20}, "slot_minutes"),
        ({"min_minutes": 45}, "min_minutes"),
        ({"max_minutes": 30}, "max_minutes"),
        ({"booking_mode": "weekly"}, "booking_mode"),
    ],
)
def test_bad_hourly_rules_are_a_400_naming_the_field(room, operator_client, changes, field):
    response = operator_client.post(
        f"/api/v1/operator/facilities/{room.facility.id}/units/", coworking_unit_body(**changes), format="json"
    )

    assert response.status_code == 400, response.content
    assert field in error(response)["fields"]
    assert room.facility.units.count() == 1


def test_only_coworking_units_go_by_the_hour(house, operator_client):
    response = operator_client.post(
        f"/api/v1/operator/facilities/{house.facility.id}/units/",
        coworking_unit_body(unit_type="room"),
        format="json",
    )

    assert response.status_code == 400 and "booking_mode" in error(response)["fields"]


def test_the_mode_of_a_unit_with_active_bookings_does_not_change(room, visitor_client, operator_client):
    book(visitor_client, hours(room, "10:00", "11:00"))

    response = operator_client.patch(f"/api/v1/operator/units/{room.id}/", {"booking_mode": "daily"}, format="json")

    assert response.status_code == 409 and error(response)["code"] == "has_active_bookings"
    room.refresh_from_db()
    assert room.booking_mode == "hourly"
