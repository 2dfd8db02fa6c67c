"""Calendar imports through the API: operators add their Airbnb / Booking.com / Google calendars to a unit, a
sync (now, or the periodic job) turns the feed's events into blocked dates that availability, quotes, bookings
and search see as taken, and whatever a remote feed holds never breaks anything."""

import datetime as dt
import socket

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase

from bookings import import_fetch
from bookings.models import CalendarImport, UnitStock
from tests.bookings.factories import LodgingUnitFactory, day, iso
from tests.bookings.feed_server import all_day, calendar, timed
from tests.bookings.helpers import QUOTES, availability, book, error
from tests.conftest import client_for
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db


def imports_url(unit):
    return f"/api/v1/operator/units/{unit.id}/calendar-imports/"


def add_import(client, unit, url, name="Airbnb", **extra):
    response = client.post(imports_url(unit), {"name": name, "url": url, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def sync(client, unit, import_id):
    """Sync now: 202 with the queued sync, which the worker runs once the request has committed; then the sync
    as its status endpoint reads."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"{imports_url(unit)}{import_id}/sync/")
    assert response.status_code == 202, response.content
    queued = response.json()
    assert queued["state"] == "queued" and queued["status"] == ""
    assert response["Location"].endswith(f"{imports_url(unit)}{import_id}/sync/{queued['id']}/")
    done = client.get(f"{imports_url(unit)}{import_id}/sync/{queued['id']}/")
    assert done.status_code == 200 and done.json()["state"] == "done", done.content
    return done.json()


def free_days(client, unit, start, end) -> dict:
    return {date: row["bookable"] for date, row in availability(client, unit, iso(start), iso(end)).items()}


@pytest.fixture(autouse=True)
def fresh_sync_rates():
    """Sync-now counts requests per user id in the cache, and ids come round again from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resolves_to(monkeypatch):
    """Makes `calendar.example` (and any other name) resolve to the given addresses, at the resolver."""

    def use(*addresses):
        def fake(host, port, *args, **kwargs):
            out = []
            for address in addresses:
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                sockaddr = (address, port or 443, 0, 0) if family == socket.AF_INET6 else (address, port or 443)
                out.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
            return out

        monkeypatch.setattr(socket, "getaddrinfo", fake)

    return use


# --- the operator's API ----------------------------------------------------------------------------------------


def test_operator_adds_lists_changes_and_removes_an_import(house, operator_client, feed_server):
    url = feed_server.serve("/airbnb.ics", calendar())
    created = add_import(operator_client, house, url)

    assert created["name"] == "Airbnb" and created["url"] == url and created["enabled"] is True
    assert created["last_status"] == "" and created["conflicts"] == []
    listed = operator_client.get(imports_url(house)).json()["results"]
    assert [row["id"] for row in listed] == [created["id"]]
    patched = operator_client.patch(
        f"{imports_url(house)}{created['id']}/", {"enabled": False, "name": "Booking.com"}, format="json"
    )
    assert patched.status_code == 200
    assert (patched.json()["enabled"], patched.json()["name"]) == (False, "Booking.com")
    assert operator_client.delete(f"{imports_url(house)}{created['id']}/").status_code == 204
    assert operator_client.get(f"{imports_url(house)}{created['id']}/").status_code == 404


def test_another_organisation_gets_404_and_visitors_403(house, operator_client, visitor_client, feed_server):
    created = add_import(operator_client, house, feed_server.serve("/a.ics", calendar()))
    other = client_for(OperatorFactory())

    assert other.get(imports_url(house)).status_code == 404
    assert other.get(f"{imports_url(house)}{created['id']}/").status_code == 404
    assert other.post(f"{imports_url(house)}{created['id']}/sync/").status_code == 404
    assert other.delete(f"{imports_url(house)}{created['id']}/").status_code == 404
    assert visitor_client.get(imports_url(house)).status_code == 403
    assert CalendarImport.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "ftp://calendar.example/a.ics",
        "webcal://calendar.example/a.ics",
        "http://calendar.example/a.ics",
        "javascript:alert(1)",
        "https://user:secret@calendar.example/a.ics",
        "https://calendar.example/" + "a" * 2000,
    ],
)
def test_urls_of_the_wrong_form_are_refused_naming_url(house, operator_client, url, resolves_to):
    resolves_to("93.184.216.34")
    response = operator_client.post(imports_url(house), {"name": "Airbnb", "url": url}, format="json")

    assert response.status_code == 400
    assert "url" in error(response)["fields"]
    assert CalendarImport.objects.count() == 0


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "10.1.2.3",  # private
        "172.16.0.1",
        "192.168.1.10",
        "169.254.169.254",  # link-local (cloud metadata)
        "224.0.0.1",  # multicast
        "0.0.0.0",
        "100.64.0.1",  # shared address space
        "::1",
        "fd00::1",  # unique local
        "fe80::1",  # link-local
        "ff02::1",  # multicast
        "::ffff:10.0.0.1",  # IPv4-mapped private
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 around 169.254.169.254
        "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
        "64:ff9b:1::a00:1",  # NAT64 of a site's own (local-use prefix)
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "2001:0:a00:1::1",  # Teredo, server 10.0.0.1
    ],
)
def test_names_resolving_to_forbidden_addresses_are_refused(house, operator_client, resolves_to, address):
    resolves_to("93.184.216.34", address)
    response = operator_client.post(
        imports_url(house),
        {"name": "Airbnb", "url": "https://calendar.example/a.ics"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert error(response)["fields"]["url"] == [
        "This URL points to a private or local network address; only public calendars can be imported."
    ]
    assert CalendarImport.objects.count() == 0


def test_a_public_https_url_is_accepted_and_the_refusal_is_in_japanese_by_default(house, operator_client, resolves_to):
    resolves_to("93.184.216.34")
    ok = operator_client.post(
        imports_url(house), {"name": "Airbnb", "url": "https://calendar.example/a.ics"}, format="json"
    )
    resolves_to("10.0.0.1")
    refused = operator_client.post(
        imports_url(house), {"name": "Airbnb", "url": "https://calendar.example/b.ics"}, format="json"
    )

    assert ok.status_code == 201
    assert refused.status_code == 400 and "プライベート" in error(refused)["fields"]["url"][0]


def test_loopback_http_needs_the_development_setting(house, operator_client, settings):
    settings.CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP = False
    response = operator_client.post(
        imports_url(house), {"name": "Local", "url": "http://127.0.0.1:9/a.ics"}, format="json"
    )

    assert response.status_code == 400 and "url" in error(response)["fields"]


# --- what a sync blocks ----------------------------------------------------------------------------------------


def test_imported_nights_are_taken_for_quotes_bookings_search_and_availability(
    house, operator_client, visitor_client, api_client, feed_server
):
    url = feed_server.serve("/airbnb.ics", calendar(all_day("res-1@airbnb.com", day(10), day(13))))
    created = add_import(operator_client, house, url)

    result = sync(operator_client, house, created["id"])

    assert result["status"] == "ok"
    assert result["calendar_import"]["event_count"] == 1 and result["calendar_import"]["block_count"] == 3
    assert free_days(api_client, house, 9, 13) == {
        iso(9): True,
        iso(10): False,
        iso(11): False,
        iso(12): False,
        iso(13): True,
    }
    public = availability(api_client, house, iso(10), iso(10))[iso(10)]
    detailed = availability(operator_client, house, iso(10), iso(10))[iso(10)]
    assert public["imported_from"] is None and public["free"] == 0
    assert detailed["imported_from"] == ["Airbnb"] and detailed["import_conflicts"] == []
    assert (
        visitor_client.post(
            QUOTES, {"unit": house.id, "check_in": iso(12), "check_out": iso(14), "adults": 1}, format="json"
        ).status_code
        == 409
    )
    refused = book(visitor_client, {"unit": house.id, "check_in": iso(11), "check_out": iso(12), "adults": 1})
    assert refused.status_code == 409 and error(refused)["code"] == "unit_unavailable"
    assert (
        book(visitor_client, {"unit": house.id, "check_in": iso(13), "check_out": iso(15), "adults": 1}).status_code
        == 201
    )
    search = api_client.get("/api/v1/facilities/", {"check_in": iso(11), "check_out": iso(12)}).json()
    assert house.facility_id not in [row["id"] for row in search["results"]]
    # Nothing of the guest's name is kept or shown.
    assert "Yamada" not in str(operator_client.get(f"{imports_url(house)}{created['id']}/").json())


def test_timed_events_block_the_dates_they_touch_in_tokyo(house, operator_client, api_client, feed_server):
    # 14:00–16:00 UTC is 23:00 that day to 01:00 the next in Tokyo: two dates.
    start = dt.datetime.combine(day(20), dt.time(14, 0))
    body = calendar(
        timed("meeting-1@google.com", start, start + dt.timedelta(hours=2)),
        timed(
            "meeting-2@google.com",
            dt.datetime.combine(day(30), dt.time(1, 0)),
            dt.datetime.combine(day(30), dt.time(2, 0)),
        ),
    )
    created = add_import(operator_client, house, feed_server.serve("/google.ics", body), name="Google")

    sync(operator_client, house, created["id"])

    days = free_days(api_client, house, 19, 31)
    assert [d for d, free in days.items() if not free] == [iso(20), iso(21), iso(30)]


def test_a_304_changes_nothing_and_sends_the_validators(house, operator_client, feed_server):
    url = feed_server.serve("/a.ics", calendar(all_day("r1", day(5), day(6))))
    created = add_import(operator_client, house, url)
    sync(operator_client, house, created["id"])

    again = sync(operator_client, house, created["id"])

    assert again["status"] == "not_modified"
    assert again["calendar_import"]["block_count"] == 1
    conditional = feed_server.requests_to("/a.ics")[-1]
    assert conditional["if-none-match"].startswith('"')
    assert conditional["if-modified-since"] == "Sun, 01 Nov 2026 00:00:00 GMT"
    assert "cookie" not in conditional and "authorization" not in conditional


def test_moved_cancelled_and_vanished_events_move_and_release_their_blocks(
    house, operator_client, api_client, feed_server
):
    path = "/a.ics"
    feed_server.serve(
        path,
        calendar(
            all_day("move", day(10), day(12)), all_day("cancel", day(20), day(21)), all_day("vanish", day(30), day(31))
        ),
    )
    created = add_import(operator_client, house, feed_server.url(path))
    sync(operator_client, house, created["id"])
    feed_server.serve(
        path,
        calendar(
            all_day("move", day(14), day(15), sequence=1),
            all_day("cancel", day(20), day(21), sequence=1, status="CANCELLED"),
        ),
    )

    result = sync(operator_client, house, created["id"])

    assert result["calendar_import"]["event_count"] == 1 and result["calendar_import"]["block_count"] == 1
    days = free_days(api_client, house, 9, 31)
    assert [d for d, free in days.items() if not free] == [iso(14)]
    assert sum(UnitStock.objects.filter(unit=house).values_list("taken", flat=True)) == 1


def test_an_older_sequence_of_an_event_does_not_move_it_back(house, operator_client, api_client, feed_server):
    path = "/a.ics"
    feed_server.serve(path, calendar(all_day("e", day(10), day(11), sequence=3)))
    created = add_import(operator_client, house, feed_server.url(path))
    sync(operator_client, house, created["id"])
    # A stale copy of the feed (a cache behind the other site) brings the event's older version back.
    feed_server.serve(path, calendar(all_day("e", day(40), day(41), sequence=2)))

    sync(operator_client, house, created["id"])

    days = free_days(api_client, house, 9, 41)
    assert [d for d, free in days.items() if not free] == [iso(10)]


def test_recurring_events_are_expanded_with_their_exdates(house, operator_client, api_client, feed_server):
    start = day(7)
    rule = f"RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE;VALUE=DATE:{(start + dt.timedelta(days=7)):%Y%m%d}"
    body = calendar(all_day("weekly@google.com", start, start + dt.timedelta(days=1), extra=rule))
    created = add_import(operator_client, house, feed_server.serve("/r.ics", body), name="Google")

    result = sync(operator_client, house, created["id"])

    assert result["calendar_import"]["block_count"] == 3
    days = free_days(api_client, house, 6, 30)
    assert [d for d, free in days.items() if not free] == [iso(7), iso(21), iso(28)]


def test_a_feed_that_is_not_icalendar_records_parse_error_and_keeps_the_blocks(
    house, operator_client, api_client, feed_server
):
    path = "/a.ics"
    feed_server.serve(path, calendar(all_day("e", day(10), day(11))))
    created = add_import(operator_client, house, feed_server.url(path))
    sync(operator_client, house, created["id"])
    feed_server.serve(path, "<html><body>Maintenance</body></html>")

    result = sync(operator_client, house, created["id"])

    assert result["status"] == "parse_error"
    shown = result["calendar_import"]
    assert shown["last_status"] == "parse_error" and shown["consecutive_failures"] == 1 and shown["last_error"]
    assert free_days(api_client, house, 10, 10) == {iso(10): False}


def test_http_errors_too_large_and_slow_feeds_are_recorded(house, operator_client, feed_server, monkeypatch):
    monkeypatch.setattr(import_fetch, "MAX_BYTES", 1000)
    monkeypatch.setattr(import_fetch, "READ_TIMEOUT", 0.3)
    cases = {
        "/missing.ics": ({"body": "", "status": 404}, "http_error"),
        "/huge.ics": ({"body": calendar(*[all_day(f"e{n}", day(10), day(11)) for n in range(20)])}, "too_large"),
        "/slow.ics": ({"body": calendar(), "delay": 1.0}, "timeout"),
    }
    for path, (options, expected) in cases.items():
        if options.get("status") != 404:
            feed_server.serve(path, **options)
        created = add_import(operator_client, house, feed_server.url(path))
        assert sync(operator_client, house, created["id"])["status"] == expected


def test_redirects_are_followed_three_times_and_each_target_is_checked(
    house, operator_client, feed_server, resolves_to, monkeypatch
):
    feed = feed_server.serve("/final.ics", calendar(all_day("e", day(10), day(11))))
    feed_server.serve("/r1", "", status=302, headers={"Location": "/final.ics"}, validators=False)
    created = add_import(operator_client, house, feed_server.url("/r1"))
    assert sync(operator_client, house, created["id"])["status"] == "ok"

    for n in range(4):
        feed_server.serve(f"/loop{n}", "", status=302, headers={"Location": f"/loop{n + 1}"}, validators=False)
    looping = add_import(operator_client, house, feed_server.url("/loop0"))
    assert sync(operator_client, house, looping["id"])["status"] == "http_error"

    # A redirect to a name on a private network is refused before any request goes there.
    feed_server.serve(
        "/to-private", "", status=302, headers={"Location": "https://intranet.example/x.ics"}, validators=False
    )
    sneaky = add_import(operator_client, house, feed_server.url("/to-private"))
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        if host == "intranet.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    result = sync(operator_client, house, sneaky["id"])
    assert result["status"] == "http_error" and "refused" in result["error"]
    assert feed == feed_server.url("/final.ics")


def test_ten_failures_in_a_row_pause_the_import_and_tell_the_operator(
    house, operator_client, operator_user, feed_server
):
    created = add_import(operator_client, house, feed_server.url("/gone.ics"))
    for _ in range(10):
        sync(operator_client, house, created["id"])

    shown = operator_client.get(f"{imports_url(house)}{created['id']}/").json()
    assert shown["enabled"] is False and shown["paused_at"] and shown["consecutive_failures"] == 10
    assert [message.to for message in mail.outbox] == [[operator_user.email]]
    assert "paused" in mail.outbox[0].subject
    # The job leaves a paused import alone; enabling it again starts afresh.
    call_command("sync_calendar_imports")
    assert operator_client.get(f"{imports_url(house)}{created['id']}/").json()["consecutive_failures"] == 10
    enabled = operator_client.patch(f"{imports_url(house)}{created['id']}/", {"enabled": True}, format="json").json()
    assert enabled["consecutive_failures"] == 0 and enabled["paused_at"] is None


def test_the_job_syncs_every_enabled_import_and_one_bad_feed_stops_none(
    operator_client, organisation, feed_server, settings
):
    from django.utils import timezone

    from bookings import imports

    units = [LodgingUnitFactory(facility__operator=organisation) for _ in range(3)]
    feed_server.serve("/good.ics", calendar(all_day("e", day(10), day(11))))
    feed_server.serve("/bad.ics", "not a calendar")
    first = add_import(operator_client, units[0], feed_server.url("/bad.ics"))
    second = add_import(operator_client, units[1], feed_server.url("/good.ics"))
    off = add_import(operator_client, units[2], feed_server.url("/good.ics"), enabled=False)

    call_command("sync_calendar_imports")

    statuses = {row.pk: (row.last_status, row.block_count) for row in CalendarImport.objects.all()}
    assert statuses == {first["id"]: ("parse_error", 0), second["id"]: ("ok", 1), off["id"]: ("", 0)}
    # A run right behind it (an overlapping beat) fetches nothing again; one a period later does.
    fetched = len(feed_server.requests)
    assert imports.calendar_imports_sync_all() == {}
    later = timezone.now() + dt.timedelta(minutes=settings.CALENDAR_IMPORT_MINUTES)
    assert imports.calendar_imports_sync_all(now=later) == {"parse_error": 1, "not_modified": 1}
    assert len(feed_server.requests) == fetched + 2


def test_an_unexpected_error_in_one_import_is_recorded_and_the_next_still_syncs(
    operator_client, organisation, feed_server, monkeypatch
):
    from bookings import imports

    units = [LodgingUnitFactory(facility__operator=organisation) for _ in range(2)]
    feed_server.serve("/good.ics", calendar(all_day("e", day(10), day(11))))
    broken = add_import(operator_client, units[0], feed_server.url("/good.ics"))
    fine = add_import(operator_client, units[1], feed_server.url("/good.ics"))
    original = imports._apply

    def explode_once(*, calendar_import, occurrences):
        if calendar_import.pk == broken["id"]:
            raise RuntimeError("boom")
        return original(calendar_import=calendar_import, occurrences=occurrences)

    monkeypatch.setattr(imports, "_apply", explode_once)
    call_command("sync_calendar_imports")

    assert CalendarImport.objects.get(pk=broken["id"]).consecutive_failures == 1
    assert CalendarImport.objects.get(pk=fine["id"]).last_status == "ok"


def test_huge_and_far_future_feeds_are_bounded_to_the_booking_window(house, operator_client, api_client, feed_server):
    house.booking_window_days = 30
    house.save()

    def lean(uid, start):  # no DTEND: one day
        return f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;VALUE=DATE:{start:%Y%m%d}\r\nEND:VEVENT"

    # Events ten years behind and ahead, 31 dates of them inside the window.
    events = [lean(f"e{n}", day(n % 7300 - 3650)) for n in range(7300)]
    events += [lean(f"in{n}", day(n)) for n in range(31)]
    created = add_import(operator_client, house, feed_server.serve("/huge.ics", calendar(*events)))

    result = sync(operator_client, house, created["id"])

    assert result["status"] == "ok"
    assert result["calendar_import"]["block_count"] == 31
    assert UnitStock.objects.filter(unit=house).count() == 31


# --- conflicts -------------------------------------------------------------------------------------------------


def test_a_block_on_a_fully_booked_date_is_a_conflict_until_the_booking_goes(
    house, operator_client, operator_user, visitor_client, api_client, feed_server
):
    booking = book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1}).json()
    created = add_import(
        operator_client, house, feed_server.serve("/a.ics", calendar(all_day("double", day(11), day(13))))
    )

    shown = sync(operator_client, house, created["id"])["calendar_import"]

    # Nothing overbooked, nothing cancelled: the 11th stays the booking's, the 12th is the import's.
    assert shown["conflicts"] == [iso(11)] and shown["block_count"] == 2
    assert UnitStock.objects.get(unit=house, date=day(11)).taken == 1
    detailed = availability(operator_client, house, iso(11), iso(12))
    assert detailed[iso(11)]["import_conflicts"] == ["Airbnb"] and detailed[iso(12)]["imported_from"] == ["Airbnb"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [operator_user.email]
    assert iso(11) in mail.outbox[0].body
    sync(operator_client, house, created["id"])
    feed_server.routes["/a.ics"].validators = False
    sync(operator_client, house, created["id"])
    assert len(mail.outbox) == 1

    cancelled = visitor_client.post(f"/api/v1/bookings/{booking['id']}/cancel/", {}, format="json")

    assert cancelled.status_code == 200
    assert operator_client.get(f"{imports_url(house)}{created['id']}/").json()["conflicts"] == []
    assert UnitStock.objects.get(unit=house, date=day(11)).taken == 1
    assert availability(operator_client, house, iso(11), iso(11))[iso(11)]["imported_from"] == ["Airbnb"]


def test_a_conflict_goes_when_the_other_site_moves_its_event(house, operator_client, visitor_client, feed_server):
    book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(11), "adults": 1})
    path = "/a.ics"
    # The other site's stay starts the night before the booking here: a double booking, not an echo of it.
    created = add_import(operator_client, house, feed_server.serve(path, calendar(all_day("e", day(9), day(11)))))
    assert sync(operator_client, house, created["id"])["calendar_import"]["conflicts"] == [iso(10)]
    feed_server.serve(path, calendar(all_day("e", day(20), day(21), sequence=1)))

    shown = sync(operator_client, house, created["id"])["calendar_import"]

    assert shown["conflicts"] == [] and shown["block_count"] == 1
    assert UnitStock.objects.get(unit=house, date=day(10)).taken == 1


def test_closures_may_cover_imported_dates_and_deleting_an_import_frees_them(
    house, operator_client, api_client, feed_server
):
    created = add_import(operator_client, house, feed_server.serve("/a.ics", calendar(all_day("e", day(10), day(12)))))
    sync(operator_client, house, created["id"])

    closure = operator_client.post(
        f"/api/v1/operator/units/{house.id}/closures/",
        {"start_date": iso(10), "end_date": iso(10), "reason": "清掃"},
        format="json",
    )
    assert closure.status_code == 201
    assert operator_client.delete(f"{imports_url(house)}{created['id']}/").status_code == 204

    assert free_days(api_client, house, 10, 11) == {iso(10): False, iso(11): True}
    assert sum(UnitStock.objects.filter(unit=house).values_list("taken", flat=True)) == 0


# --- export feeds ----------------------------------------------------------------------------------------------


def test_export_feeds_leave_imported_blocks_out_unless_asked(house, operator_client, api_client, feed_server):
    created = add_import(operator_client, house, feed_server.serve("/a.ics", calendar(all_day("e", day(10), day(12)))))
    sync(operator_client, house, created["id"])
    feed = operator_client.post("/api/v1/calendar-feeds/", {"scope": "unit", "unit": house.id}, format="json").json()
    assert feed["include_imported"] is False
    path = feed["url"].split("testserver", 1)[1]
    before = api_client.get(path)
    assert "DTSTART;VALUE=DATE:" + day(10).strftime("%Y%m%d") not in before.content.decode()

    switched = operator_client.patch(f"/api/v1/calendar-feeds/{feed['id']}/", {"include_imported": True}, format="json")
    after = api_client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])

    assert switched.status_code == 200 and switched.json()["include_imported"] is True
    assert after.status_code == 200
    body = after.content.decode()
    assert f"import-{created['id']}-{day(10):%Y%m%d}@" in body
    assert "DTEND;VALUE=DATE:" + day(12).strftime("%Y%m%d") in body
    # Facility feeds take the switch at creation too.
    facility_feed = operator_client.post(
        "/api/v1/calendar-feeds/",
        {"scope": "facility", "facility": house.facility_id, "include_imported": True},
        format="json",
    )
    assert facility_feed.json()["include_imported"] is True


def test_sync_now_has_its_own_rate_per_operator(house, operator_client, feed_server, monkeypatch):
    from bookings.operator_import_apis import CalendarImportSyncThrottle

    monkeypatch.setattr(CalendarImportSyncThrottle, "RATE", "2/min")
    created = add_import(operator_client, house, feed_server.serve("/a.ics", calendar()))
    sync(operator_client, house, created["id"])
    sync(operator_client, house, created["id"])

    response = operator_client.post(f"{imports_url(house)}{created['id']}/sync/")

    assert response.status_code == 429 and error(response)["code"] == "throttled"


def test_an_expiring_hold_hands_its_date_to_the_waiting_block(house, operator_client, visitor, feed_server):
    from django.utils import timezone

    from bookings.models import Booking, BookingLine

    hold = Booking.objects.create(
        visitor=visitor,
        unit=house,
        kind="stay",
        check_in=day(10),
        check_out=day(11),
        total_yen=9000,
        status=Booking.Status.PENDING,
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    BookingLine.objects.create(booking=hold, date=day(10), price_yen=9000)
    UnitStock.objects.create(unit=house, date=day(10), total=1, taken=1)
    created = add_import(operator_client, house, feed_server.serve("/a.ics", calendar(all_day("e", day(9), day(11)))))
    assert sync(operator_client, house, created["id"])["calendar_import"]["conflicts"] == [iso(10)]

    call_command("expire_holds")

    assert operator_client.get(f"{imports_url(house)}{created['id']}/").json()["conflicts"] == []
    assert UnitStock.objects.get(unit=house, date=day(10)).taken == 1


def test_six_to_four_around_a_public_address_is_accepted(house, operator_client, resolves_to):
    resolves_to("2002:5db8:d822::1")  # wraps 93.184.216.34
    response = operator_client.post(
        imports_url(house), {"name": "Airbnb", "url": "https://calendar.example/a.ics"}, format="json"
    )

    assert response.status_code == 201
