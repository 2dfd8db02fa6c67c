"""Feeds built to exhaust a worker, synced through the API: a recurrence rule of 86,400 occurrences a day, 3,000
series, a rule that must walk half a century before the window, a gzip bomb and a body dripping a byte at a time
behind its Content-Length. Each ends with one clear status on its own import, its earlier blocks kept where it
fails, and nothing else in the database changed. (What each costs in time and memory is measured by
bench/calendar_import.py.)"""

import gzip
import io

import pytest

from bookings import import_fetch, import_parse
from bookings.models import CalendarImport, ImportedBlock, ImportedEvent, UnitStock
from tests.bookings.factories import LodgingUnitFactory, day, iso
from tests.bookings.feed_server import all_day, calendar
from tests.bookings.test_calendar_imports import add_import, free_days, sync

pytestmark = pytest.mark.django_db

EVERY = {name: ",".join(str(n) for n in range(count)) for name, count in (("h", 24), ("m", 60), ("s", 60))}


def every_second(start: str, extra: str = "") -> str:
    """The issue's rule: one VEVENT repeating every second of every day."""
    return (
        f"BEGIN:VEVENT\r\nUID:every-second@attacker.example\r\nDTSTART:{start}\r\nDURATION:PT1S\r\n"
        f"RRULE:FREQ=DAILY;BYHOUR={EVERY['h']};BYMINUTE={EVERY['m']};BYSECOND={EVERY['s']}{extra}\r\nEND:VEVENT"
    )


def daily_series(count: int) -> list[str]:
    start = day(1).strftime("%Y%m%d")
    return [
        f"BEGIN:VEVENT\r\nUID:series-{n}@attacker.example\r\nDTSTART;VALUE=DATE:{start}\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT"
        for n in range(count)
    ]


def gzip_bomb(size: int) -> bytes:
    """`size` bytes of zeros, gzipped (about a thousandth of that on the wire)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as packed:
        block = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            packed.write(block)
    return out.getvalue()


@pytest.fixture
def bystander(organisation, operator_client, feed_server):
    """Another unit's import, synced: the hostile feed must leave it, and everything else, as it is."""
    unit = LodgingUnitFactory(facility__operator=organisation)
    created = add_import(operator_client, unit, feed_server.serve("/fine.ics", calendar(all_day("b", day(3), day(5)))))
    assert sync(operator_client, unit, created["id"])["status"] == "ok"
    return created


def everything_but(import_id: int, *, its_stock: bool = True) -> dict:
    """The database's calendar state outside one import: stock (with its own unit's, unless the import blocks
    dates there), blocks, events and the other imports."""
    stock = UnitStock.objects.all()
    if not its_stock:
        stock = stock.exclude(unit__calendar_imports=import_id)
    return {
        "stock": sorted(stock.values_list("unit_id", "date", "taken", "total")),
        "blocks": sorted(
            ImportedBlock.objects.exclude(calendar_import_id=import_id).values_list(
                "calendar_import_id", "date", "held"
            )
        ),
        "events": sorted(
            ImportedEvent.objects.exclude(calendar_import_id=import_id).values_list(
                "calendar_import_id", "key", "start_date", "end_date"
            )
        ),
        "imports": sorted(
            CalendarImport.objects.exclude(pk=import_id).values_list(
                "id", "last_status", "last_synced_at", "block_count", "consecutive_failures"
            )
        ),
    }


def earlier_blocks_then(operator_client, house, feed_server, path) -> dict:
    """An import whose feed blocked the 10th and 11th, its feed then swapped for the hostile one."""
    created = add_import(operator_client, house, feed_server.serve(path, calendar(all_day("e", day(10), day(12)))))
    assert sync(operator_client, house, created["id"])["status"] == "ok"
    return created


def test_a_rule_of_every_second_stops_at_the_cap_and_blocks_what_it_says(
    house, operator_client, api_client, feed_server, bystander, monkeypatch
):
    monkeypatch.setattr(import_parse, "MAX_OCCURRENCES", 500)
    start = f"{day(2):%Y%m%d}T000000Z"
    created = add_import(operator_client, house, feed_server.serve("/s.ics", calendar(every_second(start))))
    before = everything_but(created["id"], its_stock=False)

    result = sync(operator_client, house, created["id"])

    # 500 seconds of the 2nd (09:00 in Tokyo): the first occurrences, the feed marked as cut.
    assert result["status"] == "ok" and "cut" in result["error"]
    assert result["calendar_import"]["event_count"] == 500 and result["calendar_import"]["block_count"] == 1
    assert free_days(api_client, house, 2, 3) == {iso(2): False, iso(3): True}
    assert everything_but(created["id"], its_stock=False) == before


def test_expansion_never_holds_more_than_the_cap_and_one(monkeypatch):
    """The rule of every second, and 3,000 daily series merged: occurrences are kept as they come, and the
    store of them never grows past the cap and one."""
    monkeypatch.setattr(import_parse, "MAX_OCCURRENCES", 300)
    largest = []
    add = import_parse._Earliest.add

    def counted(self, occurrence):
        add(self, occurrence)
        largest.append(len(self.heap))

    monkeypatch.setattr(import_parse._Earliest, "add", counted)
    feeds = [calendar(every_second(f"{day(2):%Y%m%d}T000000Z")), calendar(*daily_series(3000))]
    for body in feeds:
        largest.clear()
        parsed = import_parse.occurrences_in_window(body.encode(), first=day(0), last=day(365))

        assert len(parsed.occurrences) == 300 and parsed.truncated
        assert max(largest) <= 301


def test_three_thousand_series_are_cut_to_the_earliest_occurrences(
    house, operator_client, feed_server, bystander, monkeypatch
):
    monkeypatch.setattr(import_parse, "MAX_OCCURRENCES", 2000)
    created = add_import(operator_client, house, feed_server.serve("/many.ics", calendar(*daily_series(3000))))
    before = everything_but(created["id"], its_stock=False)

    result = sync(operator_client, house, created["id"])

    # The first 1,000 series (MAX_SERIES) each give the 1st and 2nd: 2,000 occurrences, two dates.
    assert result["status"] == "ok" and "cut" in result["error"]
    assert result["calendar_import"]["event_count"] == 2000
    assert sorted(ImportedBlock.objects.filter(calendar_import_id=created["id"]).values_list("date", flat=True)) == [
        day(1),
        day(2),
    ]
    assert everything_but(created["id"], its_stock=False) == before


def test_a_rule_that_would_walk_fifty_years_ends_as_too_complex_keeping_the_blocks(
    house, operator_client, api_client, feed_server, bystander, monkeypatch
):
    """With a COUNT the rule cannot be started again near the window: its 1970s are walked through, until the
    CPU budget ends it."""
    monkeypatch.setattr(import_parse, "CPU_SECONDS", 0.2)
    created = earlier_blocks_then(operator_client, house, feed_server, "/r.ics")
    feed_server.serve("/r.ics", calendar(every_second("19700101T000000Z", ";COUNT=2000000000")))
    before = everything_but(created["id"])

    result = sync(operator_client, house, created["id"])

    assert result["status"] == "too_complex" and "seconds" in result["error"]
    shown = result["calendar_import"]
    assert shown["last_status"] == "too_complex" and shown["consecutive_failures"] == 1
    assert shown["block_count"] == 2
    assert free_days(api_client, house, 10, 12) == {iso(10): False, iso(11): False, iso(12): True}
    assert everything_but(created["id"]) == before


def test_a_gzip_bomb_is_cut_at_the_size_limit(house, operator_client, api_client, feed_server, bystander):
    created = earlier_blocks_then(operator_client, house, feed_server, "/bomb.ics")
    feed_server.serve("/bomb.ics", gzip_bomb(64 << 20), headers={"Content-Encoding": "gzip"})
    before = everything_but(created["id"])

    result = sync(operator_client, house, created["id"])

    assert result["status"] == "too_large"
    assert result["calendar_import"]["block_count"] == 2
    assert free_days(api_client, house, 10, 11) == {iso(10): False, iso(11): False}
    assert everything_but(created["id"]) == before


def test_a_body_dripping_behind_its_content_length_ends_at_the_deadline(
    house, operator_client, api_client, feed_server, bystander, monkeypatch
):
    """Each byte comes well within the read timeout, so only the deadline over the whole body can end it."""
    monkeypatch.setattr(import_fetch, "DEADLINE_SECONDS", 1)
    created = earlier_blocks_then(operator_client, house, feed_server, "/drip.ics")
    body = calendar(all_day("late", day(20), day(21)))
    feed_server.serve("/drip.ics", body, drip=0.2, validators=False)
    before = everything_but(created["id"])

    result = sync(operator_client, house, created["id"])

    assert result["status"] == "timeout"
    assert feed_server.dripped["/drip.ics"] < len(body)
    assert free_days(api_client, house, 10, 11) == {iso(10): False, iso(11): False}
    assert free_days(api_client, house, 20, 20) == {iso(20): True}
    assert everything_but(created["id"]) == before
