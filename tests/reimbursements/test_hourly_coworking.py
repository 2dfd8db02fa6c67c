"""Hours of a coworking room as a trip cost: an hourly booking's date is a day of the stay, as a day pass's is, and
its coworking receipt is paid on that date under the programme's coworking rule, sharing the date's cap and the
group's day limit with day passes and other hours. A membership's monthly fee is never a trip cost."""

from datetime import date

import pytest

from facilities.models import Facility
from reimbursements.models import CategoryRule
from tests import factories
from tests.bookings.factories import CoworkingUnitFactory, HourlyRoomFactory
from tests.memberships.factories import PlanFactory
from tests.reimbursements.factories import CategoryRuleFactory, ProgrammeFactory
from tests.reimbursements.helpers import add_line, open_claim, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("booking_clock")]

D = date
DAY = D(2026, 12, 15)
QUOTES = "/api/v1/quotes/"
BOOKINGS = "/api/v1/bookings/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def town():
    """A programme paying coworking up to ¥2,000 a day (day basis), two days a household at most; a coworking
    space in its town with desks by the day (¥1,500) and a meeting room by the hour (¥1,100 an hour)."""
    programme = ProgrammeFactory(max_days_per_group=2)
    CategoryRuleFactory(
        programme=programme,
        category="coworking",
        name_ja="コワーキング利用料",
        name_en="Coworking space",
        basis=CategoryRule.Basis.DAY,
        cap_yen=2000,
    )
    facility = factories.FacilityFactory(kind=Facility.Kind.COWORKING, municipality=programme.municipality)
    desks = CoworkingUnitFactory(facility=facility)
    room = HourlyRoomFactory(facility=facility)
    return programme, desks, room


def hours(room, day: date, start: str, end: str) -> dict:
    return {
        "unit": room.id,
        "starts_at": f"{day.isoformat()}T{start}:00+09:00",
        "ends_at": f"{day.isoformat()}T{end}:00+09:00",
        "adults": 1,
    }


def booked(client, body) -> dict:
    response = client.post(BOOKINGS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def claimed(client, booking: dict, amount_yen: int, day: date = DAY) -> dict:
    """A claim of the booking with its coworking receipt for `amount_yen` on `day`, submitted: its total."""
    claim = open_claim(client, booking)
    line = add_line(client, claim["id"], category="coworking", date=day.isoformat(), amount_yen=amount_yen)
    assert line.status_code == 201, line.content
    response = submit(client, claim["id"])
    assert response.status_code == 200, response.content
    return response.json()


def test_hours_are_a_day_of_the_trip_and_their_receipt_is_that_dates_coworking_cost(town, visitor_client):
    programme, _desks, room = town

    quoted = visitor_client.post(QUOTES, hours(room, DAY, "10:00", "12:00"), format="json").json()
    booking = booked(visitor_client, hours(room, DAY, "10:00", "12:00"))

    for estimate in (quoted["reimbursement"], booking["reimbursement"]):
        assert (estimate["programme"], estimate["eligible"], estimate["stay_days"], estimate["eligible_days"]) == (
            programme.code,
            True,
            1,
            1,
        )
        assert (estimate["eligible_nights"], estimate["group_days_remaining"]) == (0, 1)
        coworking = next(c for c in estimate["caps"] if c["category"] == "coworking")
        assert (coworking["basis"], coworking["per_day_cap_yen"]) == ("day", 2000)
    claim = claimed(visitor_client, booking, 2200)
    assert claim["total_reimbursable_yen"] == 2000
    assert [(line["amount_yen"], line["reimbursable_yen"]) for line in claim["lines"]] == [(2200, 2000)]


def test_two_hourly_bookings_on_one_date_share_its_cap_and_use_one_day(town, visitor_client):
    _programme, _desks, room = town
    morning = booked(visitor_client, hours(room, DAY, "10:00", "11:00"))
    afternoon = booked(visitor_client, hours(room, DAY, "14:00", "15:00"))

    assert afternoon["reimbursement"]["group_days_remaining"] == 1
    first = claimed(visitor_client, morning, 1100)
    second = claimed(visitor_client, afternoon, 1100)

    assert (first["total_reimbursable_yen"], second["total_reimbursable_yen"]) == (1100, 900)
    assert second["lines"][0]["reason"] == "day_cap_used"


def test_a_day_pass_and_hours_on_one_date_share_its_cap_and_use_one_day(town, visitor_client):
    _programme, desks, room = town
    day_pass = booked(visitor_client, {"unit": desks.id, "dates": [DAY.isoformat()], "adults": 1})
    meeting = booked(visitor_client, hours(room, DAY, "13:00", "14:00"))
    later = booked(visitor_client, hours(room, D(2026, 12, 16), "10:00", "11:00"))

    # The date counts once: after the pass and the hours of the 15th, the 16th takes the second day.
    assert meeting["reimbursement"]["group_days_remaining"] == 1
    assert later["reimbursement"]["group_days_remaining"] == 0
    assert later["reimbursement"]["eligible_days"] == 1

    assert claimed(visitor_client, day_pass, 1500)["total_reimbursable_yen"] == 1500
    assert claimed(visitor_client, meeting, 1100)["total_reimbursable_yen"] == 500
    assert claimed(visitor_client, later, 1100, D(2026, 12, 16))["total_reimbursable_yen"] == 1100


def test_hours_beyond_the_day_limit_are_paid_nothing(town, visitor_client):
    _programme, _desks, room = town
    for day in (D(2026, 12, 15), D(2026, 12, 16)):
        booked(visitor_client, hours(room, day, "10:00", "11:00"))

    third = booked(visitor_client, hours(room, D(2026, 12, 17), "10:00", "11:00"))

    assert (third["reimbursement"]["eligible"], third["reimbursement"]["reasons"]) == (False, ["day_limit_reached"])
    assert third["reimbursement"]["total_reimbursable_yen"] == 0
    refused = visitor_client.post("/api/v1/claims/", {"booking": third["id"]}, format="json")
    assert refused.status_code == 422 and refused.json()["error"]["reasons"] == ["day_limit_reached"]


def test_a_membership_fee_is_never_in_an_estimate(town, visitor_client, clock_for_memberships):
    """A member's hours from credit cost nothing, and the plan's ¥11,000 a month appears in no estimate: the
    estimate of hours booked as a member is the same as without a plan, and pays no more than the receipt."""
    _programme, _desks, room = town
    plan = PlanFactory(facility=room.facility)
    joined = visitor_client.post("/api/v1/memberships/", {"plan": plan.id}, format="json")
    assert joined.status_code == 201, joined.content

    booking = booked(visitor_client, hours(room, DAY, "10:00", "12:00"))

    assert booking["total_yen"] == 0
    estimate = booking["reimbursement"]
    assert (estimate["total_reimbursable_yen"], estimate["lodging_reimbursable_yen"]) == (0, 0)
    assert all(e["total_reimbursable_yen"] == 0 for e in booking["reimbursements"])
    assert 11000 not in [value for e in booking["reimbursements"] for value in e.values()]
    quoted = visitor_client.post(QUOTES, hours(room, DAY, "13:00", "14:00"), format="json").json()
    assert quoted["reimbursement"]["total_reimbursable_yen"] == 0


@pytest.fixture
def clock_for_memberships(monkeypatch):
    """Memberships count their cycles from the bookings' (fixed) today."""
    from memberships import selectors

    monkeypatch.setattr(selectors, "today", lambda: D(2026, 10, 1))
