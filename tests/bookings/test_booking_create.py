"""Quoting and booking stays and day passes: prices to the yen, every refusal, roles, Idempotency-Key."""

import pytest

from bookings import services, stays
from tests.bookings.factories import ClosureFactory, PriceOverrideFactory, day, iso
from tests.bookings.helpers import BOOKINGS, QUOTES, availability, book, error, taken
from tests.conftest import client_for
from tests.factories import OperatorFactory, StaffFactory, VisitorFactory

pytestmark = pytest.mark.django_db


def test_quote_and_booking_agree_to_the_yen_across_a_price_override(house, visitor_client):
    PriceOverrideFactory(unit=house, start_date=day(41), end_date=day(42), price_yen=12345)
    body = {"unit": house.id, "check_in": iso(40), "check_out": iso(44), "adults": 2, "children": 1, "infants": 1}

    quote = visitor_client.post(QUOTES, body, format="json")
    booking = book(visitor_client, body)

    assert quote.status_code == 200 and booking.status_code == 201
    expected_lines = [
        {"date": iso(40), "price_yen": 9000},
        {"date": iso(41), "price_yen": 12345},
        {"date": iso(42), "price_yen": 12345},
        {"date": iso(43), "price_yen": 9000},
    ]
    assert quote.json()["lines"] == booking.json()["lines"] == expected_lines
    assert quote.json()["total_yen"] == booking.json()["total_yen"] == 42690
    body_seen = booking.json()
    assert (body_seen["kind"], body_seen["check_in"], body_seen["check_out"]) == ("stay", iso(40), iso(44))
    assert body_seen["dates"] == [iso(40), iso(41), iso(42), iso(43)]
    assert (body_seen["adults"], body_seen["children"], body_seen["infants"]) == (2, 1, 1)
    assert body_seen["facility"] == {"id": house.facility.id, "name": "お試し住宅 岩村田"}
    # Paid on site: confirmed at once, nothing held any more.
    assert body_seen["status"] == "confirmed" and body_seen["hold_expires_at"] is None
    assert body_seen["payment"]["provider"] == "onsite"
    assert body_seen["calendar_url"].endswith(f"/api/v1/bookings/{body_seen['id']}/calendar.ics")


def test_booking_takes_the_nights_and_not_the_check_out_day(house, visitor_client, api_client):
    assert (
        book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1}).status_code
        == 201
    )

    days = availability(api_client, house, iso(9), iso(12))

    assert [days[iso(n)]["free"] for n in (9, 10, 11, 12)] == [1, 0, 0, 1]
    assert [days[iso(n)]["bookable"] for n in (9, 10, 11, 12)] == [True, False, False, True]
    # Back-to-back: the next stay may start on the check-out day.
    assert (
        book(visitor_client, {"unit": house.id, "check_in": iso(12), "check_out": iso(13), "adults": 1}).status_code
        == 201
    )


def test_day_passes_book_the_dates_given_one_line_each(desks, visitor_client):
    response = book(visitor_client, {"unit": desks.id, "dates": [iso(5), iso(3), iso(8)], "adults": 1})

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "day_pass"
    assert body["dates"] == [iso(3), iso(5), iso(8)]
    assert (body["check_in"], body["check_out"]) == (iso(3), iso(9))
    assert body["lines"] == [{"date": iso(n), "price_yen": 1500} for n in (3, 5, 8)]
    assert body["total_yen"] == 4500


def test_day_passes_for_the_last_desk_then_none(desks, visitor_client):
    for _ in range(3):
        assert book(visitor_client, {"unit": desks.id, "dates": [iso(3)], "adults": 1}).status_code == 201

    response = book(visitor_client, {"unit": desks.id, "dates": [iso(3)], "adults": 1})

    assert response.status_code == 409
    assert error(response)["code"] == "unit_unavailable"
    assert iso(3) in error(response)["message"]


BAD_STAYS = [
    # (what, body changes, status, code, field)
    (
        "check-out before check-in",
        {"check_in": iso(10), "check_out": iso(9)},
        400,
        "check_out_not_after_check_in",
        "check_out",
    ),
    (
        "check-out on check-in",
        {"check_in": iso(10), "check_out": iso(10)},
        400,
        "check_out_not_after_check_in",
        "check_out",
    ),
    ("in the past", {"check_in": iso(-1), "check_out": iso(1)}, 400, "date_in_past", "check_in"),
    ("beyond the window", {"check_in": iso(365), "check_out": iso(367)}, 400, "beyond_booking_window", "check_out"),
    ("over max nights", {"check_in": iso(10), "check_out": iso(41)}, 400, "too_many_nights", "check_out"),
    ("over capacity", {"adults": 3, "children": 1, "infants": 1}, 400, "party_over_capacity", "adults"),
    ("no adult", {"adults": 0}, 400, "invalid", "adults"),
    ("unknown unit", {"unit": 999999}, 400, "unit_not_found", "unit"),
    ("dates for a house", {"check_in": None, "check_out": None, "dates": [iso(10)]}, 400, "nights_required", "dates"),
    ("no check-out", {"check_out": None}, 400, "dates_required", "check_out"),
    ("not a date", {"check_in": "tomorrow"}, 400, "invalid", "check_in"),
    ("year 9999", {"check_in": "9999-12-30", "check_out": "9999-12-31"}, 400, "invalid", "check_in"),
]


@pytest.mark.parametrize("what,changes,status,code,field", BAD_STAYS, ids=[case[0] for case in BAD_STAYS])
def test_bad_stays_are_refused_naming_the_field_and_hold_nothing(
    house, visitor_client, what, changes, status, code, field
):
    body = {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 2, **changes}

    for url in (QUOTES, BOOKINGS):
        response = visitor_client.post(url, body, format="json")
        assert response.status_code == status, (url, response.content)
        assert error(response)["code"] == code
        assert field in error(response)["fields"]
    assert visitor_client.get(BOOKINGS).json()["count"] == 0
    assert taken(house) == 0


def test_under_min_nights_is_refused(house, visitor_client):
    house.min_nights = 3
    house.save()

    response = book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1})

    assert response.status_code == 400
    assert error(response)["code"] == "too_few_nights"
    assert error(response)["fields"]["check_out"] == ["このユニットは3泊以上で予約できます（この滞在は2泊です）。"]


def test_a_closed_date_is_a_409_naming_it_and_nothing_is_held(house, visitor_client):
    ClosureFactory(unit=house, start_date=day(11), end_date=day(11), reason="点検")

    response = book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(13), "adults": 1})

    assert response.status_code == 409
    assert error(response)["code"] == "unit_closed"
    assert iso(11) in error(response)["message"] and iso(10) not in error(response)["message"]
    assert taken(house) == 0


def test_messages_follow_accept_language(house, visitor):
    body = {"unit": house.id, "check_in": iso(10), "check_out": iso(9), "adults": 1}

    japanese = book(client_for(visitor), body)
    english = book(client_for(visitor, "en"), body)

    assert error(japanese)["message"] == "チェックアウトはチェックインより後の日付にしてください。"
    assert error(english)["message"] == "Check-out must be after check-in."


def test_day_pass_errors_name_dates(desks, visitor_client):
    far = book(visitor_client, {"unit": desks.id, "dates": ["9999-12-31"], "adults": 1})
    assert (far.status_code, list(error(far)["fields"])) == (400, ["dates.0"])
    missing = book(visitor_client, {"unit": desks.id, "adults": 1})
    past = book(visitor_client, {"unit": desks.id, "dates": [iso(-2), iso(1)], "adults": 1})

    assert (missing.status_code, error(missing)["code"], list(error(missing)["fields"])) == (
        400,
        "dates_required",
        ["dates"],
    )
    assert (past.status_code, error(past)["code"], list(error(past)["fields"])) == (400, "date_in_past", ["dates"])


@pytest.mark.parametrize("make_user", [OperatorFactory, StaffFactory])
def test_only_visitors_book(house, make_user):
    response = book(client_for(make_user()), {"unit": house.id, "check_in": iso(10), "check_out": iso(11), "adults": 1})

    assert response.status_code == 403
    assert taken(house) == 0


def test_anonymous_may_quote_but_not_book(house, api_client):
    body = {"unit": house.id, "check_in": iso(10), "check_out": iso(11), "adults": 1}

    assert api_client.post(QUOTES, body, format="json").status_code == 200
    assert book(api_client, body).status_code == 401


def test_quote_of_a_taken_stay_says_so(house, visitor_client):
    body = {"unit": house.id, "check_in": iso(10), "check_out": iso(11), "adults": 1}
    book(visitor_client, body)

    response = visitor_client.post(QUOTES, body, format="json")

    assert response.status_code == 409 and error(response)["code"] == "unit_unavailable"


# --- Idempotency-Key -------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_same_booking_and_creates_nothing(house, visitor_client):
    body = {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 2}

    first = book(visitor_client, body, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = book(visitor_client, body, HTTP_IDEMPOTENCY_KEY="retry-1")

    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert visitor_client.get(BOOKINGS).json()["count"] == 1
    assert taken(house) == 2
    # The replay says it is one; both point at the booking.
    assert "Idempotent-Replayed" not in first and again["Idempotent-Replayed"] == "true"
    assert first["Location"] == again["Location"] == f"http://testserver/api/v1/bookings/{first.json()['id']}/"
    assert visitor_client.get(first["Location"]).json()["id"] == first.json()["id"]


def test_a_booking_without_a_key_is_no_replay(house, visitor_client):
    response = book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 2})

    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert response["Location"].endswith(f"/api/v1/bookings/{response.json()['id']}/")


def test_the_same_key_with_another_body_is_a_422(house, visitor_client):
    book(
        visitor_client,
        {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 2},
        HTTP_IDEMPOTENCY_KEY="retry-2",
    )

    response = book(
        visitor_client,
        {"unit": house.id, "check_in": iso(20), "check_out": iso(22), "adults": 2},
        HTTP_IDEMPOTENCY_KEY="retry-2",
    )

    assert response.status_code == 422
    assert error(response)["code"] == "idempotency_key_reused"
    assert visitor_client.get(BOOKINGS).json()["count"] == 1


def test_keys_belong_to_one_visitor(house, visitor_client):
    other = client_for(VisitorFactory())
    book(
        visitor_client,
        {"unit": house.id, "check_in": iso(10), "check_out": iso(11), "adults": 1},
        HTTP_IDEMPOTENCY_KEY="shared",
    )

    response = book(
        other, {"unit": house.id, "check_in": iso(20), "check_out": iso(21), "adults": 1}, HTTP_IDEMPOTENCY_KEY="shared"
    )

    assert response.status_code == 201


def test_an_overlong_key_is_refused(house, visitor_client):
    response = book(
        visitor_client,
        {"unit": house.id, "check_in": iso(10), "check_out": iso(11), "adults": 1},
        HTTP_IDEMPOTENCY_KEY="k" * 256,
    )

    assert response.status_code == 400 and error(response)["code"] == "invalid_idempotency_key"
    assert taken(house) == 0


# --- holds -----------------------------------------------------------------------------------------------------


def test_an_expired_hold_is_released_by_the_next_booking_without_waiting_for_the_task(house, visitor, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr("payments.services.payment_open", lambda *, booking: None)
    held = services.booking_create(visitor=visitor, unit=house, check_in=day(10), check_out=day(12), adults=1)
    assert held.status == "pending" and held.hold_expires_at > timezone.now()
    type(held).objects.filter(pk=held.pk).update(hold_expires_at=timezone.now())
    monkeypatch.undo()

    other = client_for(VisitorFactory())
    response = book(other, {"unit": house.id, "check_in": iso(11), "check_out": iso(13), "adults": 1})

    assert response.status_code == 201
    seen = client_for(visitor).get(f"{BOOKINGS}{held.id}/").json()
    assert (seen["status"], seen["cancel_code"]) == ("cancelled", "hold_expired")
    assert taken(house) == 2


def test_a_live_hold_keeps_its_units(house, visitor, monkeypatch):
    monkeypatch.setattr("payments.services.payment_open", lambda *, booking: None)
    services.booking_create(visitor=visitor, unit=house, check_in=day(10), check_out=day(12), adults=1)
    monkeypatch.undo()

    response = book(
        client_for(VisitorFactory()), {"unit": house.id, "check_in": iso(11), "check_out": iso(12), "adults": 1}
    )

    assert response.status_code == 409 and error(response)["code"] == "unit_unavailable"


def test_when_the_stock_check_refuses_only_the_full_dates_are_named(house, visitor_client, monkeypatch):
    """Should the locked check miss a full night (a bug), the database's CHECK refuses the booking; the 409
    then names the nights that are really full, not every night of the stay."""
    assert (
        book(
            client_for(VisitorFactory()), {"unit": house.id, "check_in": iso(11), "check_out": iso(12), "adults": 1}
        ).status_code
        == 201
    )
    check_available = stays.check_available

    def locked_check_misses(stay, *, locked, **kwargs):
        if not locked:
            check_available(stay, locked=locked, **kwargs)

    monkeypatch.setattr(stays, "check_available", locked_check_misses)

    response = book(visitor_client, {"unit": house.id, "check_in": iso(10), "check_out": iso(13), "adults": 1})

    assert response.status_code == 409 and error(response)["code"] == "unit_unavailable"
    assert iso(11) in error(response)["message"]
    assert iso(10) not in error(response)["message"] and iso(12) not in error(response)["message"]
    assert visitor_client.get(BOOKINGS).json()["count"] == 0
    assert taken(house) == 1


# --- Idempotency-Key retries once the stay could no longer be booked ---------------------------------------------


def unit_inactive(unit, monkeypatch):
    type(unit).objects.filter(pk=unit.pk).update(is_active=False)


def capacity_lowered(unit, monkeypatch):
    type(unit).objects.filter(pk=unit.pk).update(capacity=1)


def check_in_passed(unit, monkeypatch):
    from bookings import selectors

    tomorrow = day(1)
    monkeypatch.setattr(selectors, "today", lambda: tomorrow)


def rules_tightened(unit, monkeypatch):
    type(unit).objects.filter(pk=unit.pk).update(min_nights=5, booking_window_days=0)


CHANGES = [unit_inactive, capacity_lowered, check_in_passed, rules_tightened]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_a_retry_returns_the_booking_even_once_the_stay_could_not_be_booked(house, visitor_client, monkeypatch, change):
    body = {"unit": house.id, "check_in": iso(0), "check_out": iso(2), "adults": 2, "children": 1}
    first = book(visitor_client, body, HTTP_IDEMPOTENCY_KEY="retry-later")
    assert first.status_code == 201, first.content
    change(house, monkeypatch)
    assert visitor_client.post(QUOTES, body, format="json").status_code == 400  # a new request would fail

    again = book(visitor_client, body, HTTP_IDEMPOTENCY_KEY="retry-later")

    assert again.status_code == 201, again.content
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["lines"] == first.json()["lines"]
    assert visitor_client.get(BOOKINGS).json()["count"] == 1
    assert taken(house) == 2


def test_another_body_under_a_used_key_is_still_a_422_once_the_unit_is_gone(house, visitor_client):
    book(
        visitor_client,
        {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 2},
        HTTP_IDEMPOTENCY_KEY="retry-3",
    )
    type(house).objects.filter(pk=house.pk).update(is_active=False)

    response = book(
        visitor_client,
        {"unit": house.id, "check_in": iso(10), "check_out": iso(12), "adults": 1},
        HTTP_IDEMPOTENCY_KEY="retry-3",
    )

    assert response.status_code == 422 and error(response)["code"] == "idempotency_key_reused"
    assert visitor_client.get(BOOKINGS).json()["count"] == 1


def test_a_retry_with_defaults_spelled_out_is_the_same_body(desks, visitor_client):
    first = book(
        visitor_client, {"unit": desks.id, "dates": [iso(5), iso(3)], "adults": 1}, HTTP_IDEMPOTENCY_KEY="retry-4"
    )

    again = book(
        visitor_client,
        {
            "unit": desks.id,
            "dates": [iso(3), iso(5), iso(3)],
            "adults": 1,
            "children": 0,
            "infants": 0,
            "check_in": None,
        },
        HTTP_IDEMPOTENCY_KEY="retry-4",
    )

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert visitor_client.get(BOOKINGS).json()["count"] == 1
