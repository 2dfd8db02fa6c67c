"""iCalendar output (RFC 5545), checked with icalendar and with the strict `ical` parser: a booking's .ics,
secret-URL feeds for operators and visitors, token rotation, and ETag / Last-Modified answers."""

import datetime as dt

import icalendar
import pytest
from django.utils import timezone
from django.utils.http import http_date
from ical.calendar_stream import IcsCalendarStream

from bookings import selectors
from bookings.feeds import OPERATOR_PAST_DAYS
from bookings.models import Booking, CalendarFeed, Closure
from facilities.models import Facility, Unit
from tests.bookings.factories import ClosureFactory, LodgingUnitFactory, day, iso
from tests.bookings.helpers import BOOKINGS, book, error
from tests.conftest import client_for
from tests.factories import OperatorFactory, VisitorFactory

pytestmark = pytest.mark.django_db
FEEDS = "/api/v1/calendar-feeds/"


def parse(response):
    """Both parsers must accept the body; returns (icalendar events, ical events)."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    loose = icalendar.Calendar.from_ical(text)
    strict = IcsCalendarStream.calendar_from_ics(text)
    return list(loose.walk("VEVENT")), strict.events


def stay(client, unit, start=10, end=12):
    response = book(client, {"unit": unit.id, "check_in": iso(start), "check_out": iso(end), "adults": 2})
    assert response.status_code == 201, response.content
    return response.json()


def ics(client, booking, **headers):
    return client.get(f"{BOOKINGS}{booking['id']}/calendar.ics", **headers)


def last_changed_an_hour_ago(booking) -> dt.datetime:
    """Moves the booking's last change an hour back (whole seconds), far from the time of any request."""
    moment = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    Booking.objects.filter(pk=booking["id"]).update(updated_at=moment)
    return moment


def test_a_booking_as_one_all_day_event(house, visitor_client):
    booking = stay(visitor_client, house)
    changed = last_changed_an_hour_ago(booking)

    (event,), (strict,) = parse(ics(visitor_client, booking))

    stored = Booking.objects.get(pk=booking["id"])
    assert str(event["UID"]) == strict.uid == f"booking-{booking['id']}@127.0.0.1"
    assert event.decoded("DTSTART") == strict.dtstart == day(10)
    assert event.decoded("DTEND") == strict.dtend == day(12)  # exclusive: the check-out day
    assert event["DTSTART"].params["VALUE"] == "DATE"
    # DTSTAMP is the booking's last change, not the time of the request.
    assert strict.dtstamp == event.decoded("DTSTAMP") == changed
    assert timezone.now() - strict.dtstamp > dt.timedelta(minutes=59)
    assert strict.summary == "お試し住宅 岩村田 一棟貸し"
    assert strict.location == "長野県佐久市岩村田1-1"
    assert (strict.geo.lat, strict.geo.lng) == (pytest.approx(36.27), pytest.approx(138.47))
    assert strict.url == f"http://127.0.0.1:8000/api/v1/bookings/{booking['id']}/"
    assert str(event["STATUS"]) == "CONFIRMED" and strict.sequence == stored.sequence


def test_the_same_booking_gives_the_same_calendar_later(house, visitor_client):
    booking = stay(visitor_client, house)
    changed = last_changed_an_hour_ago(booking)

    first = ics(visitor_client, booking).content
    later = ics(visitor_client, booking)

    assert later.content == first
    (_, (strict,)) = parse(later)
    assert strict.dtstamp == changed


def test_a_cancelled_booking_is_cancelled_with_a_higher_sequence(house, visitor_client):
    booking = stay(visitor_client, house)
    changed = last_changed_an_hour_ago(booking)
    (_, (before,)) = parse(ics(visitor_client, booking))

    visitor_client.post(f"{BOOKINGS}{booking['id']}/cancel/", {}, format="json")

    (event,), (after,) = parse(ics(visitor_client, booking))
    assert str(event["STATUS"]) == "CANCELLED"
    assert after.uid == before.uid and after.sequence == before.sequence + 1
    # The cancellation is the booking's new last change.
    assert before.dtstamp == changed
    assert after.dtstamp == Booking.objects.get(pk=booking["id"]).updated_at.replace(microsecond=0) > changed


def test_japanese_text_escaping_and_folding_survive_both_parsers(visitor_client, organisation):
    name = "古民家\\みらい, 離れ; 長い名前" + "の森" * 30
    unit = LodgingUnitFactory(facility__operator=organisation, facility__name_ja=name, name_ja="蔵")
    booking = stay(visitor_client, unit)

    response = ics(visitor_client, booking)
    (event,), (strict,) = parse(response)

    assert strict.summary == str(event["SUMMARY"]) == f"{name} 蔵"
    raw = response.content.decode()
    assert "\\\\みらい\\, 離れ\\; " in raw and "\r\n " in raw
    assert strict.description.splitlines() == [
        f"予約番号 {booking['id']}",
        "チェックイン 15:00 から、チェックアウト 10:00 まで",
    ]


def test_english_follows_accept_language(house, visitor, visitor_client):
    booking = stay(visitor_client, house)

    (_, (strict,)) = parse(ics(client_for(visitor, "en"), booking))

    assert strict.summary == "Iwamurada Trial Home Whole house"


def test_day_passes_are_one_event_per_run_of_days(desks, visitor_client):
    booking = book(visitor_client, {"unit": desks.id, "dates": [iso(3), iso(4), iso(8)], "adults": 1}).json()

    (_, events) = parse(ics(visitor_client, booking))

    assert [(e.dtstart, e.dtend) for e in events] == [(day(3), day(5)), (day(8), day(9))]
    assert len({e.uid for e in events}) == 2


def test_only_the_visitor_gets_the_booking_calendar(house, visitor_client, operator_client, api_client):
    booking = stay(visitor_client, house)

    assert ics(client_for(VisitorFactory()), booking).status_code == 404
    assert ics(operator_client, booking).status_code == 403
    assert ics(api_client, booking).status_code == 401


def test_conditional_requests_get_304s(house, visitor_client):
    booking = stay(visitor_client, house)
    first = ics(visitor_client, booking)
    etag, modified = first["ETag"], first["Last-Modified"]

    by_etag = ics(visitor_client, booking, HTTP_IF_NONE_MATCH=etag)
    by_date = ics(visitor_client, booking, HTTP_IF_MODIFIED_SINCE=modified)
    other_etag = ics(visitor_client, booking, HTTP_IF_NONE_MATCH='"something-else"')

    assert (by_etag.status_code, by_etag.content, by_etag["ETag"]) == (304, b"", etag)
    assert by_date.status_code == 304
    assert other_etag.status_code == 200
    assert http_date(Booking.objects.get(pk=booking["id"]).updated_at.timestamp()) == modified

    visitor_client.post(f"{BOOKINGS}{booking['id']}/cancel/", {}, format="json")
    changed = ics(visitor_client, booking, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_accept_text_calendar_is_served_and_errors_stay_json(house, visitor_client):
    booking = stay(visitor_client, house)

    ok = ics(visitor_client, booking, HTTP_ACCEPT="text/calendar")
    missing = visitor_client.get(f"{BOOKINGS}999999/calendar.ics", HTTP_ACCEPT="text/calendar")

    assert ok.status_code == 200 and ok["Content-Type"] == "text/calendar; charset=utf-8"
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert error(missing)["code"] == "booking_not_found"


# --- feeds -----------------------------------------------------------------------------------------------------


def feed_url(client, body) -> str:
    response = client.post(FEEDS, body, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()["url"]


def test_an_operator_unit_feed_shows_blocked_nights_without_guest_details(
    house, visitor, visitor_client, operator_client, api_client
):
    visitor.full_name = "山田 花子"
    visitor.save()
    booking = stay(visitor_client, house)
    stay(visitor_client, house, 20, 21)
    visitor_client.post(f"{BOOKINGS}{stay(visitor_client, house, 30, 31)['id']}/cancel/", {}, format="json")
    ClosureFactory(unit=house, start_date=day(40), end_date=day(41), reason="点検")
    url = feed_url(operator_client, {"scope": "unit", "unit": house.id})

    response = api_client.get(url)
    events, strict = parse(response)

    text = response.content.decode()
    assert visitor.email not in text and "山田" not in text and "adults" not in text.lower()
    assert [(e.dtstart, e.dtend) for e in strict] == [(day(10), day(12)), (day(20), day(21)), (day(40), day(42))]
    assert strict[0].uid == f"booking-{booking['id']}@127.0.0.1"
    assert strict[0].summary == "予約済み：一棟貸し"
    assert strict[2].summary == "休業：一棟貸し" and strict[2].description == "点検"


def test_a_facility_feed_covers_its_units(house, organisation, visitor_client, operator_client, api_client):
    annex = LodgingUnitFactory(facility=house.facility, name_ja="離れ")
    stay(visitor_client, house)
    stay(visitor_client, annex, 15, 16)

    (_, strict) = parse(api_client.get(feed_url(operator_client, {"scope": "facility", "facility": house.facility.id})))

    assert sorted(e.summary for e in strict) == ["予約済み：一棟貸し", "予約済み：離れ"]


def test_a_visitors_stays_feed_shows_their_own_including_cancellations(house, visitor_client, api_client):
    kept = stay(visitor_client, house)
    gone = stay(visitor_client, house, 20, 21)
    visitor_client.post(f"{BOOKINGS}{gone['id']}/cancel/", {}, format="json")
    stay(client_for(VisitorFactory()), house, 30, 31)

    (loose, strict) = parse(api_client.get(feed_url(visitor_client, {"scope": "stays"})))

    assert [e.uid.split("@")[0] for e in strict] == [f"booking-{kept['id']}", f"booking-{gone['id']}"]
    assert [str(e["STATUS"]) for e in loose] == ["CONFIRMED", "CANCELLED"]


def test_asking_again_returns_the_same_feed(house, operator_client):
    first = operator_client.post(FEEDS, {"scope": "unit", "unit": house.id}, format="json")
    again = operator_client.post(FEEDS, {"scope": "unit", "unit": house.id}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["url"] == again.json()["url"]
    assert [feed["id"] for feed in operator_client.get(FEEDS).json()["results"]] == [first.json()["id"]]


def test_rotating_the_token_retires_the_old_url(house, operator_client, api_client):
    created = operator_client.post(FEEDS, {"scope": "unit", "unit": house.id}, format="json").json()

    rotated = operator_client.post(f"{FEEDS}{created['id']}/rotate/")

    assert rotated.status_code == 200 and rotated.json()["url"] != created["url"]
    assert rotated.json()["rotated_at"] is not None
    old = api_client.get(created["url"])
    assert old.status_code == 404 and error(old)["code"] == "calendar_feed_not_found"
    assert api_client.get(rotated.json()["url"]).status_code == 200
    assert operator_client.delete(f"{FEEDS}{created['id']}/").status_code == 204
    assert api_client.get(rotated.json()["url"]).status_code == 404


def test_feeds_only_for_what_the_caller_owns(house, visitor_client, operator_client, staff_client):
    stranger = client_for(OperatorFactory())
    mine = operator_client.post(FEEDS, {"scope": "unit", "unit": house.id}, format="json").json()

    assert stranger.post(FEEDS, {"scope": "unit", "unit": house.id}, format="json").status_code == 404
    assert stranger.post(FEEDS, {"scope": "facility", "facility": house.facility.id}, format="json").status_code == 404
    assert stranger.post(f"{FEEDS}{mine['id']}/rotate/").status_code == 404
    assert visitor_client.post(FEEDS, {"scope": "unit", "unit": house.id}, format="json").status_code == 404
    refused = operator_client.post(FEEDS, {"scope": "stays"}, format="json")
    assert refused.status_code == 400 and error(refused)["code"] == "invalid_feed_scope"
    assert operator_client.post(FEEDS, {"scope": "unit"}, format="json").status_code == 400
    assert operator_client.post(FEEDS, {"scope": "stays", "unit": house.id}, format="json").status_code == 400
    staff_stays = staff_client.post(FEEDS, {"scope": "stays"}, format="json")
    assert staff_stays.status_code == 400 and error(staff_stays)["code"] == "invalid_feed_scope"


@pytest.mark.parametrize("token", ["nope", "x" * 100, "%20"])
def test_unknown_tokens_are_404(api_client, token):
    response = api_client.get(f"/api/v1/calendars/{token}.ics")

    assert response.status_code == 404 and error(response)["code"] == "calendar_feed_not_found"


def test_a_feed_answers_304_until_something_in_it_changes(house, visitor_client, operator_client, api_client):
    stay(visitor_client, house)
    closure = ClosureFactory(unit=house, start_date=day(40), end_date=day(40))
    url = feed_url(operator_client, {"scope": "unit", "unit": house.id})
    # Everything an hour old, so that a change now moves Last-Modified by whole seconds.
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Booking.objects.update(updated_at=an_hour_ago)
    Closure.objects.update(updated_at=an_hour_ago)
    CalendarFeed.objects.update(created_at=an_hour_ago, changed_at=an_hour_ago)
    house.__class__.objects.update(updated_at=an_hour_ago)
    house.facility.__class__.objects.update(updated_at=an_hour_ago)
    first = api_client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert modified == http_date(an_hour_ago.timestamp())

    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api_client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    operator_client.delete(f"/api/v1/operator/units/{house.id}/closures/{closure.id}/")

    after_delete = api_client.get(url, HTTP_IF_MODIFIED_SINCE=modified)
    assert after_delete.status_code == 200 and after_delete["ETag"] != etag
    assert api_client.get(url, HTTP_IF_NONE_MATCH=after_delete["ETag"]).status_code == 304
    stay(visitor_client, house, 50, 51)
    assert api_client.get(url, HTTP_IF_NONE_MATCH=after_delete["ETag"]).status_code == 200


def test_a_feed_needs_no_login_and_ignores_a_bad_token_header(house, operator_client, api_client):
    url = feed_url(operator_client, {"scope": "unit", "unit": house.id})
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")

    assert api_client.get(url).status_code == 200


def closure_events(api_client, url) -> dict:
    """{uid: strict event} of the feed's closures."""
    (_, strict) = parse(api_client.get(url))
    return {event.uid: event for event in strict if event.uid.startswith("closure-")}


def test_editing_a_closure_raises_its_sequence_in_the_feed(house, operator_client, api_client):
    created = operator_client.post(
        f"/api/v1/operator/units/{house.id}/closures/",
        {"start_date": iso(40), "end_date": iso(41), "reason": "点検"},
        format="json",
    ).json()
    closure_url = f"/api/v1/operator/units/{house.id}/closures/{created['id']}/"
    url = feed_url(operator_client, {"scope": "unit", "unit": house.id})
    ((uid, before),) = closure_events(api_client, url).items()

    unchanged = operator_client.patch(closure_url, {"reason": "点検"}, format="json")
    assert closure_events(api_client, url)[uid].sequence == before.sequence == 0

    moved = operator_client.patch(closure_url, {"end_date": iso(43)}, format="json")
    after_move = closure_events(api_client, url)[uid]
    renamed = operator_client.patch(closure_url, {"reason": "改装工事"}, format="json")
    after_rename = closure_events(api_client, url)[uid]

    assert unchanged.status_code == moved.status_code == renamed.status_code == 200
    assert (after_move.sequence, after_move.dtend) == (1, day(44))
    assert (after_rename.sequence, after_rename.description) == (2, "改装工事")
    assert renamed.json()["sequence"] == 2


def test_a_refused_closure_edit_leaves_its_sequence(house, visitor_client, operator_client, api_client):
    closure = ClosureFactory(unit=house, start_date=day(40), end_date=day(40))
    stay(visitor_client, house, 41, 42)
    url = feed_url(operator_client, {"scope": "unit", "unit": house.id})

    refused = operator_client.patch(
        f"/api/v1/operator/units/{house.id}/closures/{closure.id}/", {"end_date": iso(41)}, format="json"
    )

    assert refused.status_code == 409
    assert closure_events(api_client, url)[f"closure-{closure.id}@127.0.0.1"].sequence == 0


# --- validators as days pass and rows go ------------------------------------------------------------------------


def backdate_everything(hours=48) -> dt.datetime:
    """Every row a feed dates its changes by, `hours` back, so that any change now moves Last-Modified."""
    moment = (timezone.now() - dt.timedelta(hours=hours)).replace(microsecond=0)
    Booking.objects.update(updated_at=moment)
    Closure.objects.update(updated_at=moment)
    CalendarFeed.objects.update(created_at=moment, changed_at=moment)
    Unit.objects.update(updated_at=moment)
    Facility.objects.update(updated_at=moment)
    return moment


def a_day_passes(monkeypatch):
    tomorrow = selectors.today() + dt.timedelta(days=1)
    monkeypatch.setattr(selectors, "today", lambda: tomorrow)
    return tomorrow


def start_of(day_: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day_, dt.time.min))


@pytest.mark.parametrize("what", ["booking", "closure"])
def test_an_event_leaving_the_window_is_a_change_for_if_modified_since(
    house, visitor_client, operator_client, api_client, monkeypatch, what
):
    """An operator feed keeps 90 past days: an event whose last day is 90 days back leaves it tomorrow, and a
    client that sends only If-Modified-Since must then get the new body, not a 304."""
    last_day = day(-OPERATOR_PAST_DAYS)
    if what == "booking":
        booking = stay(visitor_client, house, 10, 12)
        Booking.objects.filter(pk=booking["id"]).update(check_in=last_day - dt.timedelta(days=2), check_out=last_day)
    else:
        ClosureFactory(unit=house, start_date=last_day - dt.timedelta(days=2), end_date=last_day)
    url = feed_url(operator_client, {"scope": "unit", "unit": house.id})
    changed = backdate_everything()
    first = api_client.get(url)
    assert len(parse(first)[1]) == 1
    assert first["Last-Modified"] == http_date(changed.timestamp())

    tomorrow = a_day_passes(monkeypatch)
    by_date = api_client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    by_etag = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert by_date.status_code == by_etag.status_code == 200
    assert parse(by_date)[1] == []
    assert by_date["Last-Modified"] == http_date(start_of(tomorrow).timestamp())
    assert api_client.get(url, HTTP_IF_MODIFIED_SINCE=by_date["Last-Modified"]).status_code == 304


def test_a_day_passing_with_nothing_leaving_the_window_keeps_both_validators(
    house, visitor_client, operator_client, api_client, monkeypatch
):
    stay(visitor_client, house, 10, 12)
    ClosureFactory(unit=house, start_date=day(-OPERATOR_PAST_DAYS - 5), end_date=day(-OPERATOR_PAST_DAYS - 3))
    url = feed_url(operator_client, {"scope": "unit", "unit": house.id})
    backdate_everything()
    first = api_client.get(url)

    a_day_passes(monkeypatch)

    assert api_client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("how", ["api", "admin-or-cascade"])
def test_deleting_a_closure_is_a_change_for_if_modified_since(house, operator_client, api_client, how):
    closure = ClosureFactory(unit=house, start_date=day(40), end_date=day(41))
    unit_url = feed_url(operator_client, {"scope": "unit", "unit": house.id})
    facility_url = feed_url(operator_client, {"scope": "facility", "facility": house.facility.id})
    backdate_everything()
    before = {url: api_client.get(url) for url in (unit_url, facility_url)}
    assert all(len(parse(response)[1]) == 1 for response in before.values())

    if how == "api":
        assert operator_client.delete(f"/api/v1/operator/units/{house.id}/closures/{closure.id}/").status_code == 204
    else:
        Closure.objects.filter(pk=closure.pk).delete()

    for url, response in before.items():
        after = api_client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert after.status_code == 200, url
        assert parse(after)[1] == []


# --- throttling ------------------------------------------------------------------------------------------------


@pytest.fixture
def fresh_throttles():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_feeds_have_their_own_rate_not_the_anonymous_one(
    house, operator_client, api_client, monkeypatch, fresh_throttles
):
    """The anonymous rate (set very low here) does not reach the feed; the feed's own rate, which no setting
    lists, still applies: 600 polls a minute from one address, then 429 with Retry-After."""
    import time

    from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    # The throttles' clock stands still: on a loaded machine 600 requests can take longer than the minute.
    now = time.time()
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: now)
    url = feed_url(operator_client, {"scope": "unit", "unit": house.id})
    assert [api_client.get("/api/v1/municipalities/").status_code for _ in range(2)] == [200, 429]

    statuses = [api_client.get(url).status_code for _ in range(600)]
    refused = api_client.get(url)

    assert statuses == [200] * 600
    assert refused.status_code == 429 and error(refused)["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
