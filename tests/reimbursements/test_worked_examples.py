"""Every worked example of the spec through the API: bookings made with POST /api/v1/bookings/, the `reimbursement`
object checked on the quote, on the booking's creation response and on its detail, and claims run to their totals."""

from datetime import date

import pytest

from facilities.models import Facility
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import CategoryRuleFactory, ProgrammeFactory
from tests.reimbursements.helpers import add_line, book, booking_detail, cancel, open_claim, quote, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("booking_clock")]

D = date
SAKU = "saku-trial-stay-2026"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def cap(body, category):
    return next(c for c in body["caps"] if c["category"] == category)


def figures(estimate: dict, expected: dict) -> dict:
    return {key: estimate[key] for key in expected}


def booked(client, unit, expected: dict, **stay) -> dict:
    """Quotes then books the stay as the visitor; the quote, the new booking and its detail all carry the
    expected figures. Returns the booking's detail."""
    quoted = quote(client, unit, **stay)["reimbursement"]
    created = book(client, unit, **stay)
    detail = booking_detail(client, created["id"])
    for estimate in (quoted, created["reimbursement"], detail["reimbursement"]):
        assert figures(estimate, expected) == expected
    assert quoted == created["reimbursement"] == detail["reimbursement"]
    return detail


def lodging_unit(price: int, *, municipality=None, kind=Facility.Kind.TRIAL_HOUSING):
    facility = factories.FacilityFactory(kind=kind, **({"municipality": municipality} if municipality else {}))
    return factories.UnitFactory(facility=facility, price_yen=price)


def desk(price: int = 1500):
    return factories.UnitFactory(
        facility=factories.FacilityFactory(kind=Facility.Kind.COWORKING), price_yen=price, capacity=1, count=3
    )


def submitted(client, booking) -> dict:
    claim = open_claim(client, booking)
    response = submit(client, claim["id"])
    assert response.status_code == 200, response.content
    return response.json()


def dates(first: str, last: str) -> list[str]:
    start, end = D.fromisoformat(first), D.fromisoformat(last)
    return [D.fromordinal(n).isoformat() for n in range(start.toordinal(), end.toordinal() + 1)]


# --- Saku ---------------------------------------------------------------------------------------------------------

EXAMPLE_1 = {
    "programme": SAKU,
    "eligible": True,
    "reasons": [],
    "stay_days": 4,
    "eligible_days": 4,
    "eligible_nights": 3,
    "max_days_per_group": 6,
    "group_days_remaining": 2,
    "lodging_reimbursable_yen": 27000,
}


def example_1(client):
    return booked(
        client, lodging_unit(9000), EXAMPLE_1, check_in=D(2026, 12, 1), check_out=D(2026, 12, 4), adults=2, children=1
    )


def test_example_1_family_of_three_three_nights(programme, visitor_client):
    body = example_1(visitor_client)["reimbursement"]
    assert cap(body, "lodging") == {
        "category": "lodging",
        "basis": "person_night",
        "cap_yen": 4000,
        "per_night_cap_yen": 12000,
    }
    assert cap(body, "shinkansen") == {
        "category": "shinkansen",
        "basis": "person_day",
        "cap_yen": 10000,
        "per_day_cap_yen": 30000,
    }
    assert cap(body, "taxi") == {"category": "taxi", "basis": "day", "cap_yen": None, "per_day_cap_yen": None}


def test_example_2_one_person_hotel(programme, visitor_client):
    hotel = lodging_unit(6500, kind=Facility.Kind.TELEWORK_HOTEL)
    booked(
        visitor_client,
        hotel,
        {"eligible": True, "eligible_nights": 2, "lodging_reimbursable_yen": 8000},
        check_in=D(2026, 12, 10),
        check_out=D(2026, 12, 12),
    )


EXAMPLE_3 = {
    "eligible": True,
    "stay_days": 8,
    "eligible_days": 6,
    "eligible_nights": 5,
    "lodging_reimbursable_yen": 25000,
    "group_days_remaining": 0,
}


def example_3(client):
    return booked(client, lodging_unit(5000), EXAMPLE_3, check_in=D(2027, 1, 10), check_out=D(2027, 1, 17), adults=2)


def test_example_3_seven_nights_capped_at_six_days(programme, visitor_client):
    booking = example_3(visitor_client)
    claim = submitted(visitor_client, booking)
    assert claim["eligible_dates"] == dates("2027-01-10", "2027-01-15")
    assert claim["lodging_reimbursable_yen"] == claim["total_reimbursable_yen"] == 25000


def test_example_4_approved_trip_freezes_its_days(programme, visitor_client, staff_client):
    trip_a = booked(
        visitor_client,
        lodging_unit(4500),
        {"eligible_days": 3, "lodging_reimbursable_yen": 8000},
        check_in=D(2026, 11, 1),
        check_out=D(2026, 11, 3),
    )
    claim = submitted(visitor_client, trip_a)
    approved = staff_client.post(f"/api/v1/claims/{claim['id']}/approve/").json()
    assert approved["status"] == "approved"
    assert approved["lodging_reimbursable_yen"] == approved["approved_amount_yen"] == 8000
    assert approved["eligible_dates"] == dates("2026-11-01", "2026-11-03")

    trip_b = booked(
        visitor_client,
        lodging_unit(3800),
        {
            "eligible": True,
            "stay_days": 5,
            "eligible_days": 3,
            "eligible_nights": 2,
            "lodging_reimbursable_yen": 7600,
            "group_days_remaining": 0,
        },
        check_in=D(2026, 12, 5),
        check_out=D(2026, 12, 9),
    )
    claim_b = submitted(visitor_client, trip_b)
    assert claim_b["eligible_dates"] == dates("2026-12-05", "2026-12-07")
    assert claim_b["total_reimbursable_yen"] == 7600


def test_example_5_expense_lines_and_claim_total(programme, visitor_client):
    booking = example_1(visitor_client)
    claim = open_claim(visitor_client, booking)
    lines = [
        ("shinkansen", "2026-12-01", 29000, 3, 29000),
        ("shinkansen", "2026-12-04", 31500, 3, 30000),
        ("rental_car", "2026-12-02", 5500, 1, 3000),
        ("rental_car", "2026-12-03", 2000, 1, 2000),
        ("taxi", "2026-12-01", 1800, 1, 1800),
        ("temporary_childcare", "2026-12-02", 3000, 1, 3000),
    ]
    for category, day, amount, persons, _ in lines:
        response = add_line(
            visitor_client, claim["id"], category=category, date=day, amount_yen=amount, persons=persons
        )
        assert response.status_code == 201, response.content
    body = submit(visitor_client, claim["id"]).json()
    assert sorted(
        (l["category"], l["date"], l["amount_yen"], l["persons"], l["reimbursable_yen"]) for l in body["lines"]
    ) == sorted(lines)
    assert body["lodging_reimbursable_yen"] == 27000
    assert body["total_reimbursable_yen"] == 95800


def test_example_6_line_on_a_day_beyond_the_limit_pays_nothing(programme, visitor_client):
    booking = example_3(visitor_client)
    claim = open_claim(visitor_client, booking)
    add_line(visitor_client, claim["id"], category="rental_car", date="2027-01-15", amount_yen=4000)
    add_line(visitor_client, claim["id"], category="rental_car", date="2027-01-16", amount_yen=4000)
    body = submit(visitor_client, claim["id"]).json()
    assert [(l["date"], l["reimbursable_yen"], l["reason"]) for l in body["lines"]] == [
        ("2027-01-15", 3000, ""),
        ("2027-01-16", 0, "day_limit"),
    ]
    assert body["total_reimbursable_yen"] == 25000 + 3000


def test_example_7_outside_the_programme_area(programme, visitor_client):
    matsue_hotel = lodging_unit(9000, municipality=factories.matsue(), kind=Facility.Kind.TELEWORK_HOTEL)
    booked(
        visitor_client,
        matsue_hotel,
        {
            "programme": None,
            "eligible": False,
            "reasons": ["outside_programme_area"],
            "stay_days": 0,
            "eligible_days": 0,
            "eligible_nights": 0,
            "max_days_per_group": 0,
            "group_days_remaining": 0,
            "caps": [],
            "lodging_reimbursable_yen": 0,
        },
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 3),
    )


def test_example_8_cancelling_an_unclaimed_trip_frees_its_days(programme, visitor_client):
    trip_a = booked(
        visitor_client,
        lodging_unit(9000),
        {"stay_days": 3, "eligible_days": 3},
        check_in=D(2026, 11, 1),
        check_out=D(2026, 11, 3),
    )
    trip_b = booked(
        visitor_client,
        lodging_unit(9000),
        {"stay_days": 5, "eligible_days": 3, "eligible_nights": 2},
        check_in=D(2026, 12, 5),
        check_out=D(2026, 12, 9),
    )
    cancel(visitor_client, trip_a["id"])
    body = booking_detail(visitor_client, trip_b["id"])["reimbursement"]
    assert (body["eligible"], body["eligible_days"], body["eligible_nights"]) == (True, 5, 4)
    assert body["group_days_remaining"] == 1


def test_example_9_day_pass_during_a_stay_uses_no_extra_day(programme, visitor_client):
    stay = example_1(visitor_client)
    booked(
        visitor_client,
        desk(),
        {
            "eligible": True,
            "stay_days": 1,
            "eligible_days": 1,
            "eligible_nights": 0,
            "group_days_remaining": 2,
            "lodging_reimbursable_yen": 0,
        },
        dates=[D(2026, 12, 2)],
    )
    assert figures(booking_detail(visitor_client, stay["id"])["reimbursement"], EXAMPLE_1) == EXAMPLE_1


def test_example_10_day_pass_with_shinkansen(programme, visitor_client):
    day_pass = booked(
        visitor_client, desk(), {"eligible": True, "stay_days": 1, "eligible_days": 1}, dates=[D(2026, 12, 15)]
    )
    claim = open_claim(visitor_client, day_pass)
    add_line(visitor_client, claim["id"], category="shinkansen", date="2026-12-15", amount_yen=17000)
    body = submit(visitor_client, claim["id"]).json()
    assert [(l["amount_yen"], l["reimbursable_yen"]) for l in body["lines"]] == [(17000, 10000)]
    assert body["total_reimbursable_yen"] == 10000


# --- other programmes ------------------------------------------------------------------------------------------


def other_programme(**kwargs):
    rule_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k.startswith("cap") or k == "cost_share_percent"}
    programme = ProgrammeFactory(**kwargs)
    CategoryRuleFactory(programme=programme, **rule_kwargs)
    return programme


@pytest.mark.parametrize(("price", "expected"), [(5350, 5300), (7000, 6000)])
def test_example_11_share_of_cost_and_rounding(visitor_client, price, expected):
    programme = other_programme(cap_yen=3000, cost_share_percent=50, rounding_unit_yen=100)
    booking = booked(
        visitor_client,
        lodging_unit(price, municipality=programme.municipality),
        {"programme": programme.code, "eligible": True, "eligible_nights": 2, "lodging_reimbursable_yen": expected},
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 3),
    )
    assert submitted(visitor_client, booking)["total_reimbursable_yen"] == expected


def test_example_12_below_min_nights(visitor_client):
    programme = other_programme(cap_yen=3000, min_nights=2)
    booked(
        visitor_client,
        lodging_unit(9000, municipality=programme.municipality),
        {
            "programme": programme.code,
            "eligible": False,
            "reasons": ["below_min_nights"],
            "eligible_days": 0,
            "lodging_reimbursable_yen": 0,
        },
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 2),
    )


def test_example_13_household_maximum_per_fiscal_year(visitor_client):
    programme = other_programme(cap_yen=3000, max_amount_per_household_per_fy=25000)
    staff = client_for(factories.StaffFactory(municipality=programme.municipality))
    unit = lodging_unit(10000, municipality=programme.municipality)

    first = booked(
        visitor_client,
        unit,
        {"eligible_nights": 2, "lodging_reimbursable_yen": 18000},
        check_in=D(2026, 11, 1),
        check_out=D(2026, 11, 3),
        adults=3,
    )
    claim = submitted(visitor_client, first)
    assert claim["total_reimbursable_yen"] == 18000
    assert staff.post(f"/api/v1/claims/{claim['id']}/approve/").json()["approved_amount_yen"] == 18000
    assert staff.post(f"/api/v1/claims/{claim['id']}/mark-paid/").json()["status"] == "paid"

    second = booked(
        visitor_client,
        unit,
        {"eligible_nights": 2, "lodging_reimbursable_yen": 7000},
        check_in=D(2026, 12, 5),
        check_out=D(2026, 12, 7),
        adults=2,
    )
    # 12,000 by the caps (2 persons × ¥3,000 × 2 nights), of which the household maximum leaves ¥7,000.
    assert cap(second["reimbursement"], "lodging")["per_night_cap_yen"] * 2 == 12000
    claim = submitted(visitor_client, second)
    # The claim shows its lodging as the estimate does (rule 37): the smaller of the lodging and the total.
    assert (claim["lodging_reimbursable_yen"], claim["total_reimbursable_yen"]) == (7000, 7000)
    assert staff.post(f"/api/v1/claims/{claim['id']}/approve/").json()["approved_amount_yen"] == 7000
    paid = staff.post(f"/api/v1/claims/{claim['id']}/mark-paid/").json()
    assert (paid["status"], paid["approved_amount_yen"]) == ("paid", 7000)


def test_example_14_caps_by_age_band(visitor_client):
    programme = other_programme(cap_yen=5000, cap_child_yen=2500, cap_infant_yen=0)
    booking = booked(
        visitor_client,
        lodging_unit(20000, municipality=programme.municipality),
        {"eligible": True, "eligible_nights": 1, "lodging_reimbursable_yen": 12500},
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 2),
        adults=2,
        children=1,
        infants=1,
    )
    assert cap(booking["reimbursement"], "lodging")["per_night_cap_yen"] == 12500


# --- the eligibility reasons beyond the examples ------------------------------------------------------------------


def test_resident_of_the_programme_area_is_not_eligible(programme, visitor, visitor_client):
    visitor.home_municipality_code = "202177"
    visitor.save()
    booked(
        visitor_client,
        lodging_unit(9000),
        {"eligible": False, "reasons": ["resident_of_programme_area"]},
        check_in=D(2026, 12, 1),
        check_out=D(2026, 12, 3),
    )


def test_outside_validity_window(programme, visitor_client):
    booked(
        visitor_client,
        lodging_unit(9000),
        {"programme": SAKU, "eligible": False, "reasons": ["outside_validity_window"], "eligible_days": 0},
        check_in=D(2027, 4, 2),
        check_out=D(2027, 4, 4),
    )


def test_a_day_pass_is_below_any_minimum_of_nights(visitor_client):
    """A day pass has no nights: under a programme paying only stays of two nights or more it is not eligible."""
    programme = other_programme(cap_yen=3000, min_nights=2)
    coworking = factories.FacilityFactory(kind=Facility.Kind.COWORKING, municipality=programme.municipality)
    booked(
        visitor_client,
        factories.UnitFactory(facility=coworking, price_yen=1500, capacity=1),
        {"eligible": False, "reasons": ["below_min_nights"], "eligible_days": 0},
        dates=[D(2026, 12, 15)],
    )
    booked(
        visitor_client,
        lodging_unit(5000, municipality=programme.municipality),
        {"eligible": True, "eligible_days": 3, "eligible_nights": 2, "lodging_reimbursable_yen": 6000},
        check_in=D(2026, 12, 20),
        check_out=D(2026, 12, 22),
    )
