"""An operator syncing Airbnb, Booking.com and Google with a unit here, with feeds shaped like those sites'
exports: one URL once per unit, Booking.com's echoes of bookings made here are no conflicts, a disabled import
keeps its blocks, transparent events block unless the import says otherwise, and a sync asked for now runs on the
worker (each import of the periodic job too, with its own time limit)."""

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.management import call_command
from django.test import TestCase

from bookings import imports, tasks
from bookings.models import CalendarImport, CalendarImportSync, ImportedBlock, UnitStock
from tests.bookings.factories import LodgingUnitFactory, day, iso
from tests.bookings.helpers import availability, book, error
from tests.bookings.test_calendar_imports import add_import, free_days, imports_url, sync
from tests.conftest import client_for
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db


def _d(offset: int) -> str:
    return day(offset).strftime("%Y%m%d")


def airbnb(*stays: tuple[int, int, str]) -> str:
    """Airbnb's export: reservations ("Reserved") and blocked nights ("Airbnb (Not available)")."""
    events = [
        "\r\n".join(
            [
                "BEGIN:VEVENT",
                f"DTEND;VALUE=DATE:{_d(end)}",
                f"DTSTART;VALUE=DATE:{_d(start)}",
                f"UID:1418fb94e984-{uid}@airbnb.com",
                "DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/details/HMABCDEF\\n"
                "Phone Number (Last 4 Digits): 1234",
                "SUMMARY:Reserved",
                "END:VEVENT",
            ]
        )
        for start, end, uid in stays
    ]
    head = ["BEGIN:VCALENDAR", "PRODID:-//Airbnb Inc//Hosting Calendar 0.8.8//EN", "CALSCALE:GREGORIAN", "VERSION:2.0"]
    return "\r\n".join(head + events + ["END:VCALENDAR"]) + "\r\n"


def booking_com(*closed: tuple[int, int, str]) -> str:
    """Booking.com's export: every unavailable stretch is "CLOSED - Not available" under a UID of its own,
    including what it imported from this unit's feed."""
    events = [
        "\r\n".join(
            [
                "BEGIN:VEVENT",
                f"UID:{uid}@booking.com",
                f"DTSTAMP:{_d(0)}T000000Z",
                f"DTSTART;VALUE=DATE:{_d(start)}",
                f"DTEND;VALUE=DATE:{_d(end)}",
                "SUMMARY:CLOSED - Not available",
                "END:VEVENT",
            ]
        )
        for start, end, uid in closed
    ]
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//admin.booking.com//EN", "METHOD:PUBLISH", "CALSCALE:GREGORIAN"]
    return "\r\n".join(head + events + ["END:VCALENDAR"]) + "\r\n"


def google(*events: str) -> str:
    head = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:民泊 予定",
        "X-WR-TIMEZONE:Asia/Tokyo",
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Tokyo",
        "X-LIC-LOCATION:Asia/Tokyo",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0900",
        "TZOFFSETTO:+0900",
        "TZNAME:JST",
        "DTSTART:19700101T000000",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    return "\r\n".join(head + list(events) + ["END:VCALENDAR"]) + "\r\n"


def google_all_day(uid: str, start: int, end: int, *, transparent: bool) -> str:
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"DTSTART;VALUE=DATE:{_d(start)}",
            f"DTEND;VALUE=DATE:{_d(end)}",
            f"DTSTAMP:{_d(0)}T000000Z",
            f"UID:{uid}@google.com",
            "SEQUENCE:0",
            "STATUS:CONFIRMED",
            "SUMMARY:清掃業者",
            f"TRANSP:{'TRANSPARENT' if transparent else 'OPAQUE'}",
            "END:VEVENT",
        ]
    )


def google_timed(uid: str, offset: int, *, rule: str = "") -> str:
    lines = [
        "BEGIN:VEVENT",
        f"DTSTART;TZID=Asia/Tokyo:{_d(offset)}T150000",
        f"DTEND;TZID=Asia/Tokyo:{_d(offset)}T170000",
        f"DTSTAMP:{_d(0)}T000000Z",
        f"UID:{uid}@google.com",
        "SUMMARY:内見",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    if rule:
        lines.insert(3, rule)
    return "\r\n".join(lines)


# --- one URL once per unit -------------------------------------------------------------------------------------


def test_the_same_feed_url_twice_on_a_unit_is_refused_as_duplicate_feed(
    house, operator_client, organisation, feed_server
):
    url = feed_server.serve("/airbnb.ics", airbnb((10, 12, "a")))
    first = add_import(operator_client, house, url)
    other = add_import(operator_client, house, feed_server.serve("/booking.ics", booking_com()), name="Booking.com")

    again = operator_client.post(
        imports_url(house), {"name": "Airbnb again", "url": f"  {url} "}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    repointed = operator_client.patch(f"{imports_url(house)}{other['id']}/", {"url": url}, format="json")

    assert again.status_code == 400 and error(again)["code"] == "duplicate_feed"
    assert error(again)["fields"]["url"] == ["This unit already imports this calendar URL."]
    assert repointed.status_code == 400 and error(repointed)["code"] == "duplicate_feed"
    assert CalendarImport.objects.get(pk=other["id"]).url.endswith("/booking.ics")
    assert CalendarImport.objects.filter(unit=house).count() == 2
    # Another unit may import the same calendar; renaming an import keeps its own URL.
    add_import(operator_client, LodgingUnitFactory(facility__operator=organisation), url)
    renamed = operator_client.patch(f"{imports_url(house)}{first['id']}/", {"name": "A", "url": url}, format="json")
    assert renamed.status_code == 200


# --- echoes ----------------------------------------------------------------------------------------------------


def test_booking_coms_echo_of_a_booking_made_here_is_no_conflict_and_sends_no_email(
    house, operator_client, visitor_client, feed_server
):
    made_here = book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(13), "adults": 1})
    assert made_here.status_code == 201
    mail.outbox.clear()
    # Booking.com read this unit's feed and exports the stay back as closed, with a UID of its own; its other
    # closed nights are its own guests.
    feed = booking_com((10, 13, "echo-8f0a1c"), (20, 22, "guest-77b2d4"))
    created = add_import(operator_client, house, feed_server.serve("/b.ics", feed), name="Booking.com")

    shown = sync(operator_client, house, created["id"])["calendar_import"]

    assert shown["conflicts"] == [] and shown["block_count"] == 5
    assert mail.outbox == []
    detailed = availability(operator_client, house, iso(10), iso(10))[iso(10)]
    assert detailed["import_conflicts"] == [] and detailed["taken"] == 1
    assert free_days(operator_client, house, 20, 22) == {iso(20): False, iso(21): False, iso(22): True}
    # The echo waits like a conflict: were the booking here cancelled, its nights stay closed until the echo goes.
    cancelled = visitor_client.post(f"/api/v1/bookings/{made_here.json()['id']}/cancel/", {}, format="json")
    assert cancelled.status_code == 200
    assert ImportedBlock.objects.filter(calendar_import_id=created["id"], held=True).count() == 5
    assert UnitStock.objects.get(unit=house, date=day(11)).taken == 1
    assert not any("conflict" in message.subject for message in mail.outbox)


def test_an_event_reaching_beyond_the_bookings_made_here_is_a_conflict(
    house, operator_client, operator_user, visitor_client, feed_server
):
    book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1})
    mail.outbox.clear()
    # An Airbnb guest from the 11th to the 14th: a double booking on the 11th, not Airbnb's copy of the stay here.
    created = add_import(operator_client, house, feed_server.serve("/a.ics", airbnb((11, 14, "double"))))

    shown = sync(operator_client, house, created["id"])["calendar_import"]

    assert shown["conflicts"] == [iso(11)]
    assert [message.to for message in mail.outbox] == [[operator_user.email]]
    assert iso(11) in mail.outbox[0].body


def test_an_echo_becomes_a_conflict_when_the_other_site_stretches_it(
    house, operator_client, visitor_client, feed_server
):
    book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1})
    mail.outbox.clear()
    created = add_import(operator_client, house, feed_server.serve("/b.ics", booking_com((10, 12, "x"))))
    assert sync(operator_client, house, created["id"])["calendar_import"]["conflicts"] == []

    feed_server.serve("/b.ics", booking_com((9, 12, "x")))
    shown = sync(operator_client, house, created["id"])["calendar_import"]

    assert shown["conflicts"] == [iso(10), iso(11)]
    assert len(mail.outbox) == 1


# --- disabled imports ------------------------------------------------------------------------------------------


def test_a_disabled_import_keeps_its_blocks_until_it_is_deleted(house, operator_client, api_client, feed_server):
    path = "/a.ics"
    created = add_import(operator_client, house, feed_server.serve(path, airbnb((10, 12, "a"))))
    sync(operator_client, house, created["id"])
    feed_server.serve(path, airbnb())

    disabled = operator_client.patch(f"{imports_url(house)}{created['id']}/", {"enabled": False}, format="json")
    call_command("sync_calendar_imports")

    assert disabled.status_code == 200 and disabled.json()["block_count"] == 2
    assert free_days(api_client, house, 10, 12) == {iso(10): False, iso(11): False, iso(12): True}
    assert operator_client.delete(f"{imports_url(house)}{created['id']}/").status_code == 204
    assert free_days(api_client, house, 10, 11) == {iso(10): True, iso(11): True}


# --- transparent events ----------------------------------------------------------------------------------------


def test_transparent_events_block_by_default_and_not_when_the_import_says_so(
    house, operator_client, api_client, feed_server
):
    feed = google(
        google_all_day("cleaning", 10, 11, transparent=True),
        google_all_day("owner-stay", 20, 22, transparent=False),
        google_timed("viewing", 30, rule="RRULE:FREQ=WEEKLY;COUNT=2"),
    )
    created = add_import(operator_client, house, feed_server.serve("/g.ics", feed), name="Google")
    assert created["block_transparent"] is True

    assert sync(operator_client, house, created["id"])["calendar_import"]["block_count"] == 5
    changed = operator_client.patch(
        f"{imports_url(house)}{created['id']}/", {"block_transparent": False}, format="json"
    )
    feed_server.routes["/g.ics"].validators = False
    shown = sync(operator_client, house, created["id"])["calendar_import"]

    assert changed.status_code == 200 and changed.json()["block_transparent"] is False
    assert shown["block_count"] == 4
    assert free_days(api_client, house, 10, 10) == {iso(10): True}
    blocked = [d for d, free in free_days(api_client, house, 19, 38).items() if not free]
    assert blocked == [iso(20), iso(21), iso(30), iso(37)]


def test_an_import_can_be_created_not_blocking_transparent_events(house, operator_client, api_client, feed_server):
    feed = google(google_all_day("holiday", 10, 11, transparent=True))
    created = add_import(
        operator_client, house, feed_server.serve("/g.ics", feed), name="Google", block_transparent=False
    )

    assert sync(operator_client, house, created["id"])["calendar_import"]["block_count"] == 0
    assert free_days(api_client, house, 10, 10) == {iso(10): True}


# --- sync now and the periodic job on the worker ---------------------------------------------------------------


def test_sync_now_answers_202_and_its_state_is_read_until_the_worker_has_run_it(house, operator_client, feed_server):
    created = add_import(operator_client, house, feed_server.serve("/a.ics", airbnb((10, 11, "a"))))
    url = f"{imports_url(house)}{created['id']}/sync/"

    with TestCase.captureOnCommitCallbacks(execute=False) as queued_tasks:
        response = operator_client.post(url)
    sync_id = response.json()["id"]
    waiting = operator_client.get(f"{url}{sync_id}/").json()
    fetched_before_the_worker = len(feed_server.requests_to("/a.ics"))
    for run in queued_tasks:
        run()
    done = operator_client.get(f"{url}{sync_id}/").json()

    assert response.status_code == 202 and len(queued_tasks) == 1
    assert (waiting["state"], waiting["status"], waiting["finished_at"]) == ("queued", "", None)
    assert fetched_before_the_worker == 0
    assert (done["state"], done["status"], done["error"]) == ("done", "ok", "")
    assert done["started_at"] and done["finished_at"]
    assert done["calendar_import"]["block_count"] == 1
    # A redelivered task finds the sync no longer queued and does not run it again.
    tasks.sync_calendar_import(sync_id=sync_id)
    assert len(feed_server.requests_to("/a.ics")) == 1


def test_a_sync_is_read_only_through_its_own_import(house, operator_client, organisation, feed_server):
    created = add_import(operator_client, house, feed_server.serve("/a.ics", airbnb()))
    sibling = add_import(operator_client, house, feed_server.serve("/b.ics", booking_com()), name="Booking.com")
    done = sync(operator_client, house, created["id"])
    stranger = client_for(OperatorFactory())

    assert operator_client.get(f"{imports_url(house)}{sibling['id']}/sync/{done['id']}/").status_code == 404
    assert stranger.get(f"{imports_url(house)}{created['id']}/sync/{done['id']}/").status_code == 404
    missing = operator_client.get(f"{imports_url(house)}{created['id']}/sync/１/")
    assert missing.status_code == 404 and error(missing)["code"] == "calendar_import_sync_not_found"


def test_the_periodic_job_queues_each_import_with_its_own_time_limit(operator_client, organisation, feed_server):
    units = [LodgingUnitFactory(facility__operator=organisation) for _ in range(3)]
    feed_server.serve("/a.ics", airbnb((10, 11, "a")))
    created = [
        add_import(operator_client, unit, feed_server.url("/a.ics"), name=f"Airbnb {n}") for n, unit in enumerate(units)
    ]
    slow_id = created[1]["id"]
    sync_one = imports.calendar_import_sync

    def out_of_time_for_one(*, calendar_import):
        if calendar_import.pk == slow_id:
            raise SoftTimeLimitExceeded()
        return sync_one(calendar_import=calendar_import)

    original, imports.calendar_import_sync = imports.calendar_import_sync, out_of_time_for_one
    try:
        queued = tasks.sync_calendar_imports()
    finally:
        imports.calendar_import_sync = original

    assert queued == 3
    assert tasks.sync_calendar_import.soft_time_limit == tasks.IMPORT_SOFT_SECONDS
    statuses = dict(CalendarImport.objects.values_list("id", "last_status"))
    assert statuses == {created[0]["id"]: "ok", slow_id: "timeout", created[2]["id"]: "ok"}
    assert CalendarImport.objects.get(pk=slow_id).consecutive_failures == 1
    assert CalendarImportSync.objects.count() == 0


def test_without_a_worker_a_sync_asked_for_stays_queued_until_the_periodic_command(
    house, operator_client, feed_server, monkeypatch
):
    def no_broker(**kwargs):
        raise ConnectionRefusedError("no broker at 127.0.0.1:6379")

    monkeypatch.setattr(tasks.sync_calendar_import, "delay", no_broker)
    created = add_import(operator_client, house, feed_server.serve("/a.ics", airbnb((10, 11, "a"))))
    url = f"{imports_url(house)}{created['id']}/sync/"

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = operator_client.post(url)
    queued = operator_client.get(f"{url}{response.json()['id']}/").json()
    call_command("sync_calendar_imports")
    done = operator_client.get(f"{url}{response.json()['id']}/").json()

    assert response.status_code == 202 and queued["state"] == "queued"
    assert (done["state"], done["status"]) == ("done", "ok")
    assert done["calendar_import"]["block_count"] == 1
