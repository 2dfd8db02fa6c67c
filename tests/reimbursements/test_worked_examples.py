"""Every worked example of the spec, checked through the API (booking estimates and claim totals)."""
from datetime import date

import pytest

from bookings.models import Booking
from facilities.models import Facility
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import CategoryRuleFactory, ProgrammeFactory, make_booking, saku_programme
from tests.reimbursements.helpers import add_line, estimate, open_claim, submit

pytestmark = pytest.mark.django_db

D = date


@pytest.fixture
def programme(saku):
    return saku_programme()


def cap(body, category):
    return next(c for c in body["caps"] if c["category"] == category)


def test_example_1_family_of_three_three_nights(programme, visitor, visitor_client):
    booking = make_booking(visitor=visitor, check_in=D(2026, 12, 1), check_out=D(2026, 12, 4), price=9000, adults=2,
                           children=1)
    body = estimate(visitor_client, booking)
    assert body["programme"] == "saku-trial-stay-2026"
    assert body["eligible"] is True and body["reasons"] == []
    assert (body["stay_days"], body["eligible_days"], body["eligible_nights"]) == (4, 4, 3)
    assert body["lodging_reimbursable_yen"] == 27000
    assert cap(body, "lodging") == {"category": "lodging", "basis": "person_night", "cap_yen": 4000,
                                    "per_night_cap_yen": 12000}
    assert cap(body, "shinkansen")["per_day_cap_yen"] == 30000
    assert cap(body, "taxi") == {"category": "taxi", "basis": "day", "cap_yen": None, "per_day_cap_yen": None}
    assert body["max_days_per_group"] == 6 and body["group_days_remaining"] == 2


def test_example_2_one_person_hotel(programme, visitor, visitor_client):
    booking = make_booking(visitor=visitor, check_in=D(2026, 12, 10), check_out=D(2026, 12, 12), price=6500)
    assert estimate(visitor_client, booking)["lodging_reimbursable_yen"] == 8000


def test_example_3_seven_nights_capped_at_six_days(programme, visitor, visitor_client):
    booking = make_booking(visitor=visitor, check_in=D(2027, 1, 10), check_out=D(2027, 1, 17), price=5000, adults=2)
    body = estimate(visitor_client, booking)
    assert (body["stay_days"], body["eligible_days"], body["eligible_nights"]) == (8, 6, 5)
    assert body["lodging_reimbursable_yen"] == 25000
    assert body["group_days_remaining"] == 0


def test_example_4_approved_trip_freezes_its_days(programme, visitor, visitor_client, staff_client):
    trip_a = make_booking(visitor=visitor, check_in=D(2026, 11, 1), check_out=D(2026, 11, 3), price=4500)
    claim = open_claim(visitor_client, trip_a)
    assert submit(visitor_client, claim["id"]).status_code == 200
    approved = staff_client.post(f"/api/v1/claims/{claim['id']}/approve/").json()
    assert approved["status"] == "approved"
    assert approved["lodging_reimbursable_yen"] == 8000
    assert approved["eligible_dates"] == ["2026-11-01", "2026-11-02", "2026-11-03"]

    trip_b = make_booking(visitor=visitor, check_in=D(2026, 12, 5), check_out=D(2026, 12, 9), price=3800)
    body = estimate(visitor_client, trip_b)
    assert (body["eligible_days"], body["eligible_nights"]) == (3, 2)
    assert body["lodging_reimbursable_yen"] == 7600
    assert body["group_days_remaining"] == 0


def test_example_5_expense_lines_and_claim_total(programme, visitor, visitor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    booking = make_booking(visitor=visitor, check_in=D(2026, 12, 1), check_out=D(2026, 12, 4), price=9000, adults=2,
                           children=1)
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
        response = add_line(visitor_client, claim["id"], category=category, date=day, amount_yen=amount,
                            persons=persons)
        assert response.status_code == 201, response.content
    body = submit(visitor_client, claim["id"]).json()
    assert [(l["category"], l["date"], l["reimbursable_yen"]) for l in body["lines"]] == sorted(
        [(c, d, r) for c, d, _, _, r in lines], key=lambda x: x[1])
    assert body["lodging_reimbursable_yen"] == 27000
    assert body["total_reimbursable_yen"] == 95800


def test_example_6_line_on_a_day_beyond_the_limit_pays_nothing(programme, visitor, visitor_client, settings,
                                                               tmp_path):
    settings.MEDIA_ROOT = tmp_path
    booking = make_booking(visitor=visitor, check_in=D(2027, 1, 10), check_out=D(2027, 1, 17), price=5000, adults=2)
    claim = open_claim(visitor_client, booking)
    add_line(visitor_client, claim["id"], category="rental_car", date="2027-01-15", amount_yen=4000)
    body = add_line(visitor_client, claim["id"], category="rental_car", date="2027-01-16", amount_yen=4000).json()
    assert [(l["date"], l["reimbursable_yen"], l["reason"]) for l in body["lines"]] == [
        ("2027-01-15", 3000, ""), ("2027-01-16", 0, "day_limit")]
    assert body["total_reimbursable_yen"] == 25000 + 3000


def test_example_7_outside_the_programme_area(programme, visitor, visitor_client):
    booking = make_booking(visitor=visitor, check_in=D(2026, 12, 1), check_out=D(2026, 12, 3),
                           municipality=factories.matsue())
    body = estimate(visitor_client, booking)
    assert body == {"programme": None, "eligible": False, "reasons": ["outside_programme_area"], "stay_days": 0,
                    "eligible_days": 0, "eligible_nights": 0, "max_days_per_group": 0, "group_days_remaining": 0,
                    "caps": [], "lodging_reimbursable_yen": 0}


def test_example_8_cancelling_an_unclaimed_trip_frees_its_days(programme, visitor, visitor_client):
    trip_a = make_booking(visitor=visitor, check_in=D(2026, 11, 1), check_out=D(2026, 11, 3))
    trip_b = make_booking(visitor=visitor, check_in=D(2026, 12, 5), check_out=D(2026, 12, 9))
    assert estimate(visitor_client, trip_b)["eligible_days"] == 3
    Booking.objects.filter(id=trip_a.id).update(status=Booking.Status.CANCELLED)
    body = estimate(visitor_client, trip_b)
    assert (body["eligible_days"], body["eligible_nights"]) == (5, 4)


def test_example_9_day_pass_during_a_stay_uses_no_extra_day(programme, visitor, visitor_client):
    stay = make_booking(visitor=visitor, check_in=D(2026, 12, 1), check_out=D(2026, 12, 4), adults=2, children=1)
    desk = factories.UnitFactory(facility=factories.FacilityFactory(kind=Facility.Kind.COWORKING), price_yen=1500)
    day_pass = make_booking(visitor=visitor, unit=desk, kind=Booking.Kind.DAY_PASS, dates=[D(2026, 12, 2)],
                            check_in=None, price=1500)
    body = estimate(visitor_client, day_pass)
    assert (body["stay_days"], body["eligible_days"], body["eligible_nights"]) == (1, 1, 0)
    assert body["group_days_remaining"] == 2
    assert estimate(visitor_client, stay)["eligible_days"] == 4


def test_example_10_day_pass_with_shinkansen(programme, visitor, visitor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    desk = factories.UnitFactory(facility=factories.FacilityFactory(kind=Facility.Kind.COWORKING), price_yen=1500)
    day_pass = make_booking(visitor=visitor, unit=desk, kind=Booking.Kind.DAY_PASS, dates=[D(2026, 12, 15)],
                            check_in=None, price=1500)
    claim = open_claim(visitor_client, day_pass)
    body = add_line(visitor_client, claim["id"], category="shinkansen", date="2026-12-15", amount_yen=17000).json()
    assert body["lines"][0]["reimbursable_yen"] == 10000
    assert body["total_reimbursable_yen"] == 10000


def other_programme(**kwargs):
    rule_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k.startswith("cap") or k == "cost_share_percent"}
    programme = ProgrammeFactory(**kwargs)
    CategoryRuleFactory(programme=programme, **rule_kwargs)
    return programme


@pytest.mark.parametrize(("price", "expected"), [(5350, 5300), (7000, 6000)])
def test_example_11_share_of_cost_and_rounding(visitor, visitor_client, price, expected):
    programme = other_programme(cap_yen=3000, cost_share_percent=50, rounding_unit_yen=100)
    booking = make_booking(visitor=visitor, check_in=D(2026, 12, 1), check_out=D(2026, 12, 3), price=price,
                           municipality=programme.municipality)
    assert estimate(visitor_client, booking)["lodging_reimbursable_yen"] == expected


def test_example_12_below_min_nights(visitor, visitor_client):
    programme = other_programme(cap_yen=3000, min_nights=2)
    booking = make_booking(visitor=visitor, check_in=D(2026, 12, 1), check_out=D(2026, 12, 2),
                           municipality=programme.municipality)
    body = estimate(visitor_client, booking)
    assert body["eligible"] is False and body["reasons"] == ["below_min_nights"]
    assert body["lodging_reimbursable_yen"] == 0


def test_example_13_household_maximum_per_fiscal_year(visitor, visitor_client):
    programme = other_programme(cap_yen=3000, max_amount_per_household_per_fy=25000)
    first = make_booking(visitor=visitor, check_in=D(2026, 11, 1), check_out=D(2026, 11, 3), price=10000, adults=3,
                         municipality=programme.municipality)
    claim = open_claim(visitor_client, first)
    assert submit(visitor_client, claim["id"]).json()["total_reimbursable_yen"] == 18000

    second = make_booking(visitor=visitor, check_in=D(2026, 12, 5), check_out=D(2026, 12, 7), price=10000, adults=2,
                          municipality=programme.municipality)
    assert estimate(visitor_client, second)["lodging_reimbursable_yen"] == 7000
    claim = open_claim(visitor_client, second)
    assert submit(visitor_client, claim["id"]).json()["total_reimbursable_yen"] == 7000


def test_example_14_caps_by_age_band(visitor, visitor_client):
    programme = other_programme(cap_yen=5000, cap_child_yen=2500, cap_infant_yen=0)
    booking = make_booking(visitor=visitor, check_in=D(2026, 12, 1), check_out=D(2026, 12, 2), price=20000, adults=2,
                           children=1, infants=1, municipality=programme.municipality)
    body = estimate(visitor_client, booking)
    assert body["caps"][0]["per_night_cap_yen"] == 12500
    assert body["lodging_reimbursable_yen"] == 12500


def test_resident_of_the_programme_area_is_not_eligible(programme, visitor, visitor_client):
    visitor.home_municipality_code = "202177"
    visitor.save()
    booking = make_booking(visitor=visitor, check_in=D(2026, 12, 1), check_out=D(2026, 12, 3))
    body = client_for(visitor).get(f"/api/v1/reimbursement-estimates/{booking.id}/").json()
    assert body["eligible"] is False and body["reasons"] == ["resident_of_programme_area"]


def test_outside_validity_window(programme, visitor, visitor_client):
    booking = make_booking(visitor=visitor, check_in=D(2027, 4, 2), check_out=D(2027, 4, 4))
    body = estimate(visitor_client, booking)
    assert body["programme"] == "saku-trial-stay-2026"
    assert body["reasons"] == ["outside_validity_window"] and body["eligible_days"] == 0
