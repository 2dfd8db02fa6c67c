"""The worked examples of Part 2 of the spec through the API: quotes, bookings (their `reimbursement` and
`reimbursements`), estimates and claims agree, as for the examples of Part 1."""

from datetime import date

import pytest

from reimbursements.models import CategoryRule, ClaimDay, Programme
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import CategoryRuleFactory, ProgrammeFactory
from tests.reimbursements.helpers import (
    add_line,
    book,
    booking_detail,
    claim_read,
    estimate,
    open_claim,
    quote,
    receipt,
    submit,
)
from tests.reimbursements.test_worked_examples import SAKU, cap, dates, figures, lodging_unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("booking_clock")]

D = date
TRANSPORT = "saku-transport-2026"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def booked(client, unit, expected: dict, **stay) -> dict:
    """Quotes then books the stay; the quote, the new booking, its detail and the estimate endpoint carry the same
    estimates, with the expected figures in `reimbursement`. Returns the booking's detail."""
    quoted = quote(client, unit, **stay)
    created = book(client, unit, **stay)
    detail = booking_detail(client, created["id"])
    for body in (quoted, created, detail):
        assert figures(body["reimbursement"], expected) == expected
        assert body["reimbursements"] == quoted["reimbursements"]
        assert body["reimbursement"] == quoted["reimbursement"]
    assert estimate(client, type("B", (), {"id": created["id"]})) == detail["reimbursement"]
    return detail


def new_visitor(**home):
    visitor = factories.VisitorFactory(**home)
    return visitor, client_for(visitor, "en")


def programme_with(*rules, **fields) -> Programme:
    """A programme of a fresh town, with the given (category, basis, cap, child cap, infant cap) rules."""
    programme = ProgrammeFactory(**{"max_days_per_group": None, **fields})
    for category, basis, cap_yen, child, infant in rules:
        CategoryRuleFactory(
            programme=programme,
            category=category,
            basis=basis,
            cap_yen=cap_yen,
            cap_child_yen=child,
            cap_infant_yen=infant,
        )
    return programme


LODGING_3000 = ("lodging", CategoryRule.Basis.PERSON_NIGHT, 3000, None, None)


def transport_programme(saku_programme) -> Programme:
    programme = ProgrammeFactory(code=TRANSPORT, municipality=saku_programme.municipality, max_days_per_group=6)
    CategoryRuleFactory(programme=programme, category="shinkansen", basis=CategoryRule.Basis.PERSON_DAY, cap_yen=10000)
    return programme


def example_1_stay(client):
    return booked(
        client,
        lodging_unit(9000),
        {"programme": SAKU, "eligible": True, "lodging_reimbursable_yen": 27000, "total_reimbursable_yen": 27000},
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 4),
        adults=2,
        children=1,
    )


# --- example 15 and 16: several programmes in one town -------------------------------------------------------------


def test_example_15_a_second_programme_does_not_take_over_the_estimate(programme, visitor_client):
    transport_programme(programme)
    booking = example_1_stay(visitor_client)
    demo, transport = booking["reimbursements"]
    assert (demo["programme"], demo["eligible"], demo["lodging_reimbursable_yen"]) == (SAKU, True, 27000)
    assert (transport["programme"], transport["lodging_reimbursable_yen"]) == (TRANSPORT, 0)
    assert [c["category"] for c in transport["caps"]] == ["shinkansen"]
    assert booking["reimbursement"] == demo


def test_example_16_a_claim_under_one_programme_refuses_the_other(programme, visitor_client):
    transport_programme(programme)
    booking = example_1_stay(visitor_client)
    claim = open_claim(visitor_client, booking)
    assert claim["programme"] == SAKU
    detail = booking_detail(visitor_client, booking["id"])
    demo, transport = detail["reimbursements"]
    assert demo["programme"] == SAKU and detail["reimbursement"] == demo
    assert (transport["eligible"], transport["reasons"]) == (False, ["claimed_under_other_programme"])

    response = visitor_client.post("/api/v1/claims/", {"booking": booking["id"], "programme": TRANSPORT}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "claimed_under_other_programme"


def test_a_claim_names_its_programme_and_the_other_then_refuses(programme, visitor_client):
    transport_programme(programme)
    booking = example_1_stay(visitor_client)
    response = visitor_client.post("/api/v1/claims/", {"booking": booking["id"], "programme": TRANSPORT}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["programme"] == TRANSPORT
    detail = booking_detail(visitor_client, booking["id"])
    # The programme holding the live claim comes first, even with a smaller total.
    assert [e["programme"] for e in detail["reimbursements"]] == [TRANSPORT, SAKU]
    assert detail["reimbursements"][1]["reasons"] == ["claimed_under_other_programme"]


def test_a_claim_under_a_programme_that_does_not_cover_the_booking_is_refused(programme, visitor_client):
    other_town = programme_with(LODGING_3000)
    booking = example_1_stay(visitor_client)
    response = visitor_client.post(
        "/api/v1/claims/", {"booking": booking["id"], "programme": other_town.code}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "outside_programme_area"
    assert visitor_client.get("/api/v1/claims/").json()["count"] == 0


# --- example 17 and 18: persons -------------------------------------------------------------------------------------


def shinkansen_by_age():
    return programme_with(
        LODGING_3000, ("shinkansen", CategoryRule.Basis.PERSON_DAY, 10000, 5000, 0), max_days_per_group=6
    )


def family_claim(client, programme):
    booking = booked(
        client,
        lodging_unit(20000, municipality=programme.municipality),
        {"eligible": True, "eligible_nights": 1, "lodging_reimbursable_yen": 3000 * 4},
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 2),
        adults=2,
        children=1,
        infants=1,
    )
    assert cap(booking["reimbursement"], "shinkansen")["per_day_cap_yen"] == 25000
    return booking, open_claim(client, booking)


def test_example_17_one_line_for_the_family_is_capped_by_age_band(visitor_client):
    programme = shinkansen_by_age()
    booking, claim = family_claim(visitor_client, programme)
    add_line(visitor_client, claim["id"], category="shinkansen", date="2026-12-01", amount_yen=40000, persons=4)
    body = claim_read(visitor_client, claim["id"])
    assert [(l["reimbursable_yen"], l["reason"]) for l in body["lines"]] == [(25000, "")]
    assert body["total_reimbursable_yen"] == 12000 + 25000
    assert booking_detail(visitor_client, booking["id"])["reimbursement"]["total_reimbursable_yen"] == 37000
    submitted = submit(visitor_client, claim["id"]).json()
    assert submitted["total_reimbursable_yen"] == 37000


def test_example_17_two_lines_share_the_days_cap(visitor_client):
    programme = shinkansen_by_age()
    _, claim = family_claim(visitor_client, programme)
    for _ in range(2):
        add_line(visitor_client, claim["id"], category="shinkansen", date="2026-12-01", amount_yen=20000, persons=2)
    body = claim_read(visitor_client, claim["id"])
    assert [(l["reimbursable_yen"], l["reason"]) for l in body["lines"]] == [(20000, ""), (5000, "day_cap_used")]


def test_example_17_lines_may_state_their_age_bands(visitor_client):
    programme = shinkansen_by_age()
    _, claim = family_claim(visitor_client, programme)
    response = visitor_client.post(
        f"/api/v1/claims/{claim['id']}/lines/",
        {
            "category": "shinkansen",
            "date": "2026-12-01",
            "amount_yen": 9000,
            "children": 1,
            "infants": 1,
            "receipt": receipt(),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    line = claim_read(visitor_client, claim["id"])["lines"][0]
    assert (line["persons"], line["adults"], line["children"], line["infants"]) == (2, None, 1, 1)
    assert line["reimbursable_yen"] == 5000


def test_persons_above_the_party_are_accepted_and_counted_up_to_it(programme, visitor_client):
    stay = booked(
        visitor_client, lodging_unit(9000), {"eligible": True}, check_in=D(2026, 12, 1), check_out=D(2026, 12, 2)
    )
    claim = open_claim(visitor_client, stay)
    response = add_line(
        visitor_client, claim["id"], category="shinkansen", date="2026-12-01", amount_yen=50000, persons=5
    )
    assert response.status_code == 201, response.content
    line = claim_read(visitor_client, claim["id"])["lines"][0]
    assert (line["persons"], line["reimbursable_yen"], line["reason"]) == (5, 10000, "persons_capped")


def test_example_18_maximum_party_size(visitor_client):
    programme = programme_with(LODGING_3000, max_party_size=2)
    booking = booked(
        visitor_client,
        lodging_unit(20000, municipality=programme.municipality),
        {"eligible": True, "lodging_reimbursable_yen": 6000},
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 2),
        adults=3,
    )
    assert cap(booking["reimbursement"], "lodging")["per_night_cap_yen"] == 6000


def test_maximum_party_size_drops_infants_then_children(visitor_client):
    programme = programme_with(("lodging", CategoryRule.Basis.PERSON_NIGHT, 5000, 2500, 1000), max_party_size=3)
    booked(
        visitor_client,
        lodging_unit(20000, municipality=programme.municipality),
        {"lodging_reimbursable_yen": 5000 + 2500 * 2},
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 2),
        adults=1,
        children=2,
        infants=1,
    )


# --- example 19: a nights limit ---------------------------------------------------------------------------------------


def test_example_19_nights_limit(visitor_client):
    programme = programme_with(LODGING_3000, max_nights_per_group=7)
    unit = lodging_unit(8000, municipality=programme.municipality)
    a = booked(
        visitor_client,
        unit,
        {
            "eligible": True,
            "eligible_nights": 3,
            "lodging_reimbursable_yen": 9000,
            "max_days_per_group": None,
            "group_days_remaining": None,
            "max_nights_per_group": 7,
            "group_nights_remaining": 4,
        },
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 4),
    )
    b = booked(
        visitor_client,
        unit,
        {"eligible_nights": 3, "lodging_reimbursable_yen": 9000, "group_nights_remaining": 1},
        check_in=D(2026, 12, 10),
        check_out=D(2026, 12, 13),
    )
    c = booked(
        visitor_client,
        unit,
        {
            "eligible": True,
            "eligible_days": 2,
            "eligible_nights": 1,
            "lodging_reimbursable_yen": 3000,
            "group_nights_remaining": 0,
        },
        check_in=D(2026, 12, 20),
        check_out=D(2026, 12, 23),
    )
    claim = submit(visitor_client, open_claim(visitor_client, c)["id"]).json()
    assert claim["eligible_dates"] == dates("2026-12-20", "2026-12-21")
    assert claim["total_reimbursable_yen"] == 3000
    for booking, nights in ((a, 3), (b, 3)):
        assert booking_detail(visitor_client, booking["id"])["reimbursement"]["eligible_nights"] == nights


def test_a_fourth_stay_beyond_the_nights_limit_is_refused(visitor_client):
    programme = programme_with(LODGING_3000, max_nights_per_group=2)
    unit = lodging_unit(8000, municipality=programme.municipality)
    booked(visitor_client, unit, {"eligible_nights": 2}, check_in=D(2026, 12, 1), check_out=D(2026, 12, 3))
    late = booked(
        visitor_client,
        unit,
        {"eligible": False, "reasons": ["night_limit_reached"], "eligible_nights": 0, "total_reimbursable_yen": 0},
        check_in=D(2026, 12, 10),
        check_out=D(2026, 12, 12),
    )
    response = visitor_client.post("/api/v1/claims/", {"booking": late["id"]}, format="json")
    assert response.status_code == 422 and response.json()["error"]["reasons"] == ["night_limit_reached"]


# --- example 20: the household maximum in check-in order ------------------------------------------------------------


def household_programme():
    return programme_with(LODGING_3000, max_amount_per_household_per_fy=25000)


def test_example_20_household_maximum_shared_in_check_in_order(visitor_client):
    programme = household_programme()
    unit = lodging_unit(9000, municipality=programme.municipality)
    b = booked(
        visitor_client,
        unit,
        {"lodging_reimbursable_yen": 12000, "total_reimbursable_yen": 12000},
        check_in=D(2026, 12, 10),
        check_out=D(2026, 12, 12),
        adults=2,
    )
    a = booked(
        visitor_client,
        unit,
        {"lodging_reimbursable_yen": 18000, "total_reimbursable_yen": 18000, "reasons": []},
        check_in=D(2026, 11, 10),
        check_out=D(2026, 11, 12),
        adults=3,
    )
    b = booking_detail(visitor_client, b["id"])["reimbursement"]
    assert (b["eligible"], b["reasons"], b["total_reimbursable_yen"]) == (True, ["household_limit"], 7000)
    assert booking_detail(visitor_client, a["id"])["reimbursement"]["total_reimbursable_yen"] == 18000


def test_example_20_a_frozen_claim_comes_first(visitor_client):
    programme = household_programme()
    unit = lodging_unit(9000, municipality=programme.municipality)
    b = booked(
        visitor_client,
        unit,
        {"total_reimbursable_yen": 12000},
        check_in=D(2026, 12, 10),
        check_out=D(2026, 12, 12),
        adults=2,
    )
    assert submit(visitor_client, open_claim(visitor_client, b)["id"]).json()["total_reimbursable_yen"] == 12000
    booked(
        visitor_client,
        unit,
        {
            "eligible": True,
            "reasons": ["household_limit"],
            "lodging_reimbursable_yen": 13000,
            "total_reimbursable_yen": 13000,
        },
        check_in=D(2026, 11, 10),
        check_out=D(2026, 11, 12),
        adults=3,
    )


# --- example 21: the budget -------------------------------------------------------------------------------------------


def test_example_21_budget_committed_at_submission_and_given_back(programme, staff_client):
    _, first_client = new_visitor()
    big = booked(
        first_client,
        lodging_unit(9000),
        {"total_reimbursable_yen": 16000},
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 3),
        adults=2,
    )
    big_claim = submit(first_client, open_claim(first_client, big)["id"]).json()
    assert big_claim["status"] == "submitted"
    Programme.objects.filter(id=programme.id).update(budget_yen=20000)

    _, second_client = new_visitor()
    small = booked(
        second_client,
        lodging_unit(5000),
        {"eligible": True, "reasons": ["budget_low"], "lodging_reimbursable_yen": 4000, "total_reimbursable_yen": 4000},
        check_in=D(2026, 12, 5),
        check_out=D(2026, 12, 7),
    )
    small_claim = submit(second_client, open_claim(second_client, small)["id"]).json()
    assert (small_claim["total_reimbursable_yen"], small_claim["reasons"]) == (4000, ["budget_low"])

    _, third_client = new_visitor()
    late = booked(
        third_client,
        lodging_unit(5000),
        {"eligible": False, "reasons": ["budget_exhausted"], "total_reimbursable_yen": 0},
        check_in=D(2026, 12, 10),
        check_out=D(2026, 12, 12),
    )
    late_claim = open_claim(third_client, late)
    response = submit(third_client, late_claim["id"])
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "budget_exhausted" and "¥0" in error["message"]
    # Refused, the draft holds none of the visitor's days.
    assert not ClaimDay.objects.filter(claim_id=late_claim["id"]).exists()
    assert booking_detail(third_client, late["id"])["reimbursement"]["group_days_remaining"] == 3

    rejected = staff_client.post(f"/api/v1/claims/{big_claim['id']}/reject/", {"reason": "重複"}, format="json")
    assert rejected.json()["status"] == "rejected"
    back = booking_detail(third_client, late["id"])["reimbursement"]
    assert (back["eligible"], back["reasons"], back["total_reimbursable_yen"]) == (True, [], 8000)
    assert submit(third_client, late_claim["id"]).json()["total_reimbursable_yen"] == 8000


# --- example 22: two rooms at once ------------------------------------------------------------------------------------


def test_example_22_two_rooms_for_the_same_nights(programme, visitor_client):
    expected = {"eligible": True, "eligible_days": 4, "eligible_nights": 3, "lodging_reimbursable_yen": 9000}
    stay = {"check_in": D(2026, 12, 1), "check_out": D(2026, 12, 4)}
    first = booked(visitor_client, lodging_unit(3000), expected, **stay)
    second = book(visitor_client, lodging_unit(3000), **stay)

    claim_1 = open_claim(visitor_client, first)
    add_line(visitor_client, claim_1["id"], category="rental_car", date="2026-12-02", amount_yen=3000)
    add_line(visitor_client, claim_1["id"], category="shinkansen", date="2026-12-01", amount_yen=10000)
    claim_1 = submit(visitor_client, claim_1["id"]).json()
    assert claim_1["eligible_dates"] == dates("2026-12-01", "2026-12-04")
    assert claim_1["total_reimbursable_yen"] == 22000

    detail = booking_detail(visitor_client, second["id"])["reimbursement"]
    assert figures(detail, expected) == expected
    assert detail["group_days_remaining"] == 2

    claim_2 = open_claim(visitor_client, second)
    add_line(visitor_client, claim_2["id"], category="rental_car", date="2026-12-02", amount_yen=3000)
    add_line(visitor_client, claim_2["id"], category="shinkansen", date="2026-12-01", amount_yen=10000)
    draft = claim_read(visitor_client, claim_2["id"])
    assert [(l["category"], l["reimbursable_yen"], l["reason"]) for l in draft["lines"]] == [
        ("shinkansen", 10000, ""),
        ("rental_car", 0, "day_cap_used"),
    ]
    assert draft["total_reimbursable_yen"] == 19000
    assert booking_detail(visitor_client, second["id"])["reimbursement"]["total_reimbursable_yen"] == 19000
    response = submit(visitor_client, claim_2["id"])
    assert response.status_code == 200, response.content
    assert response.json()["total_reimbursable_yen"] == 19000
    assert response.json()["eligible_dates"] == dates("2026-12-01", "2026-12-04")
