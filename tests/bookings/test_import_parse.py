"""The pure core that reads another site's feed into blocked dates: edge cases of iCalendar dates and times,
and whatever bytes a remote feed holds, nothing but NotICalendar ever escapes."""

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.import_parse import NotICalendar, occurrences_in_window

FIRST, LAST = dt.date(2027, 1, 1), dt.date(2027, 12, 31)


def dates_of(body: str) -> list[tuple[str, str]]:
    parsed = occurrences_in_window(body.encode(), first=FIRST, last=LAST)
    return sorted((o.start.isoformat(), o.end.isoformat()) for o in parsed.occurrences if not o.cancelled)


def cal(*events: str, head: str = "") -> str:
    return (
        "\r\n".join(
            ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *filter(None, [head]), *events, "END:VCALENDAR"]
        )
        + "\r\n"
    )


def test_floating_times_follow_x_wr_timezone_else_tokyo():
    event = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270310T230000\r\nDTEND:20270311T010000\r\nEND:VEVENT"
    assert dates_of(cal(event)) == [("2027-03-10", "2027-03-12")]
    # 23:00 to 01:00 in New York is 13:00 to 15:00 the next day in Tokyo: one date.
    assert dates_of(cal(event, head="X-WR-TIMEZONE:America/New_York")) == [("2027-03-11", "2027-03-12")]


def test_duration_missing_end_and_midnight_ends():
    events = [
        "BEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20270501\r\nDURATION:P3D\r\nEND:VEVENT",
        "BEGIN:VEVENT\r\nUID:n\r\nDTSTART;VALUE=DATE:20270601\r\nEND:VEVENT",
        "BEGIN:VEVENT\r\nUID:m\r\nDTSTART;TZID=Asia/Tokyo:20270701T220000\r\n"
        "DTEND;TZID=Asia/Tokyo:20270702T000000\r\nEND:VEVENT",
    ]
    assert dates_of(cal(*events)) == [
        ("2027-05-01", "2027-05-04"),
        ("2027-06-01", "2027-06-02"),
        ("2027-07-01", "2027-07-02"),
    ]


def test_a_cancelled_occurrence_of_a_series_and_a_daily_rule_cut_to_the_window():
    series = (
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTART;VALUE=DATE:20270104\r\nDTEND;VALUE=DATE:20270105\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT"
    )
    cancelled = (
        "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;VALUE=DATE:20270111\r\nDTSTART;VALUE=DATE:20270111\r\n"
        "DTEND;VALUE=DATE:20270112\r\nSTATUS:CANCELLED\r\nEND:VEVENT"
    )
    forever = (
        "BEGIN:VEVENT\r\nUID:f\r\nDTSTART;VALUE=DATE:20100101\r\nDTEND;VALUE=DATE:20100102\r\n"
        "RRULE:FREQ=DAILY\r\nEND:VEVENT"
    )
    assert dates_of(cal(series, cancelled)) == [("2027-01-04", "2027-01-05"), ("2027-01-18", "2027-01-19")]
    assert len(dates_of(cal(forever))) == 365


def test_sub_daily_rules_are_not_expanded():
    rule = (
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20270101T000000Z\r\nDTEND:20270101T000001Z\r\n"
        "RRULE:FREQ=SECONDLY\r\nEND:VEVENT"
    )
    assert dates_of(cal(rule)) == []


def test_non_calendars_are_refused():
    for body in (b"", b"<html>Not found</html>", b'{"events": []}', b"BEGIN:VEVENT\r\nEND:VEVENT\r\n"):
        try:
            occurrences_in_window(body, first=FIRST, last=LAST)
        except NotICalendar:
            continue
        raise AssertionError(f"accepted {body!r}")


LINES = st.sampled_from(
    [
        "BEGIN:VEVENT",
        "END:VEVENT",
        "UID:a",
        "UID:",
        "DTSTART;VALUE=DATE:20270301",
        "DTSTART:20270301T100000Z",
        "DTSTART:garbage",
        "DTEND;VALUE=DATE:20270228",
        "DTEND:20270302T100000",
        "DURATION:P1D",
        "DURATION:xx",
        "RRULE:FREQ=DAILY;COUNT=5",
        "RRULE:FREQ=NONSENSE",
        "RRULE:garbage",
        "EXDATE;VALUE=DATE:20270302",
        "RECURRENCE-ID;VALUE=DATE:20270302",
        "SEQUENCE:x",
        "SEQUENCE:2",
        "LAST-MODIFIED:nope",
        "STATUS:CANCELLED",
        "DTSTART;TZID=Nowhere/City:20270301T100000",
        "BEGIN:VTIMEZONE",
        "END:VTIMEZONE",
        "X-WR-TIMEZONE:Bad/Zone",
        "BEGIN:VALARM",
        "END:VALARM",
        "SUMMARY:日本語",
        "DTSTART;VALUE=DATE:99999999",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=30), st.booleans())
def test_whatever_a_feed_holds_only_not_icalendar_escapes(lines, wrapped):
    body = "\r\n".join((["BEGIN:VCALENDAR"] if wrapped else []) + lines + (["END:VCALENDAR"] if wrapped else []))
    try:
        parsed = occurrences_in_window(body.encode(), first=FIRST, last=LAST)
    except NotICalendar:
        return
    for occurrence in parsed.occurrences:
        assert FIRST <= occurrence.start < occurrence.end <= LAST + dt.timedelta(days=1)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise_anything_else(body):
    with contextlib.suppress(NotICalendar):
        occurrences_in_window(b"BEGIN:VCALENDAR\r\n" + body + b"\r\nEND:VCALENDAR\r\n", first=FIRST, last=LAST)


@pytest.mark.parametrize(
    "series",
    [
        ["UID:no-start", "RRULE:FREQ=DAILY;COUNT=5"],
        ["UID:bad-rule", "DTSTART;VALUE=DATE:20270301", "RRULE:FREQ=NONSENSE"],
    ],
)
def test_a_series_the_library_cannot_read_is_skipped_and_the_rest_kept(series):
    body = "\r\n".join(
        ["BEGIN:VCALENDAR", "BEGIN:VEVENT", *series, "END:VEVENT"]
        + ["BEGIN:VEVENT", "UID:plain", "DTSTART;VALUE=DATE:20270302", "DTEND;VALUE=DATE:20270303", "END:VEVENT"]
        + ["END:VCALENDAR"]
    )
    parsed = occurrences_in_window(body.encode(), first=FIRST, last=LAST)
    assert [(o.start, o.end) for o in parsed.occurrences] == [(dt.date(2027, 3, 2), dt.date(2027, 3, 3))]
