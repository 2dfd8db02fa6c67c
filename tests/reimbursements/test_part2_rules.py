"""Part 2 rules beyond the worked examples, through the API: who may receive it, the claimant snapshot, drafts that
follow their estimate, frozen figures, day passes, claim limits and retired programmes."""

from datetime import date

import pytest

from bookings.models import Booking
from facilities.models import Facility
from reimbursements.models import CategoryRule, Claim, Programme
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.helpers import add_line, book, booking_detail, open_claim, submit
from tests.reimbursements.test_worked_examples import lodging_unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("booking_clock")]

D = date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def stay(client, price=9000, **kwargs):
    body = {"check_in": D(2026, 12, 1), "check_out": D(2026, 12, 3), **kwargs}
    return book(client, lodging_unit(price), **body)


# --- who may receive it (rules 19, 20) ---------------------------------------------------------------------------


def test_outside_prefecture_rule_refuses_a_neighbour_from_the_same_prefecture(programme):
    Programme.objects.filter(id=programme.id).update(residence_rule=Programme.ResidenceRule.OUTSIDE_PREFECTURE)
    # 長野市 (202011) is in Nagano like Saku: not the same town, but the same prefecture.
    neighbour = factories.VisitorFactory(
        home_prefecture="長野県", home_municipality="長野市", home_municipality_code="202011"
    )
    body = stay(client_for(neighbour))["reimbursement"]
    assert (body["eligible"], body["reasons"]) == (False, ["resident_of_programme_area"])
    Programme.objects.filter(id=programme.id).update(residence_rule=Programme.ResidenceRule.ANY)
    assert booking_detail(client_for(neighbour), body_id(neighbour))["reimbursement"]["eligible"] is True


def body_id(visitor) -> int:
    return Booking.objects.filter(visitor=visitor).latest("id").id


def test_without_a_home_municipality_the_estimate_counts_and_submission_is_refused(programme):
    homeless = factories.VisitorFactory(home_prefecture="", home_municipality="", home_municipality_code="")
    client = client_for(homeless, "en")
    booking = stay(client)
    body = booking["reimbursement"]
    assert (body["eligible"], body["lodging_reimbursable_yen"]) == (True, 8000)
    assert body["requirements"] == [{"code": "home_municipality", "met": False}]
    claim = open_claim(client, booking)
    response = submit(client, claim["id"])
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "requirements_unmet" and list(error["fields"]) == ["home_municipality"]
    assert Claim.objects.get(id=claim["id"]).status == "draft"

    homeless.home_municipality_code, homeless.home_municipality = "131121", "世田谷区"
    homeless.save()
    assert booking_detail(client, booking["id"])["reimbursement"]["requirements"] == [
        {"code": "home_municipality", "met": True}
    ]
    assert submit(client, claim["id"]).status_code == 200


def test_staff_see_the_claimant_as_declared_at_submission(programme, visitor, visitor_client, staff_client):
    visitor.full_name, visitor.home_prefecture = "山田 花子", "東京都"
    visitor.home_municipality, visitor.home_municipality_code = "世田谷区", "131121"
    visitor.save()
    claim = open_claim(visitor_client, stay(visitor_client))
    submit(visitor_client, claim["id"])
    visitor.full_name, visitor.email = "山田 太郎", "changed@example.jp"
    visitor.home_prefecture, visitor.home_municipality, visitor.home_municipality_code = "大阪府", "大阪市", "271004"
    visitor.save()
    expected = {
        "name": "山田 花子",
        "email": claim["claimant"]["email"],
        "home_prefecture": "東京都",
        "home_municipality": "世田谷区",
        "home_municipality_code": "131121",
    }
    assert staff_client.get(f"/api/v1/claims/{claim['id']}/").json()["claimant"] == expected
    listed = staff_client.get("/api/v1/claims/").json()["results"]
    assert [c["claimant"] for c in listed] == [expected]


# --- drafts follow their estimate; frozen figures stay (rules 31, 32, 33) ----------------------------------------


def test_a_draft_shows_what_its_estimate_shows_when_read(programme, visitor_client):
    later = stay(visitor_client, check_in=D(2026, 12, 10), check_out=D(2026, 12, 12))
    claim = open_claim(visitor_client, later)
    assert claim["total_reimbursable_yen"] == 8000
    # An earlier stay takes all six days: the draft now shows what the estimate shows.
    stay(visitor_client, check_in=D(2026, 12, 1), check_out=D(2026, 12, 6))
    estimate = booking_detail(visitor_client, later["id"])["reimbursement"]
    assert (estimate["eligible"], estimate["total_reimbursable_yen"]) == (False, 0)
    body = visitor_client.get(f"/api/v1/claims/{claim['id']}/").json()
    assert (body["total_reimbursable_yen"], body["lodging_reimbursable_yen"]) == (0, 0)
    assert body["reasons"] == ["day_limit_reached"]
    assert visitor_client.get("/api/v1/claims/").json()["results"][0]["total_reimbursable_yen"] == 0


def test_changing_caps_never_changes_a_submitted_claim(programme, visitor_client):
    booking = stay(visitor_client, adults=2)
    claim = open_claim(visitor_client, booking)
    add_line(visitor_client, claim["id"], category="rental_car", date="2026-12-02", amount_yen=5000)
    before = submit(visitor_client, claim["id"]).json()
    assert before["total_reimbursable_yen"] == 16000 + 3000
    CategoryRule.objects.filter(programme=programme).update(cap_yen=1000)
    after = visitor_client.get(f"/api/v1/claims/{claim['id']}/").json()
    assert after == before
    estimate = booking_detail(visitor_client, booking["id"])["reimbursement"]
    assert (estimate["lodging_reimbursable_yen"], estimate["total_reimbursable_yen"]) == (16000, 19000)


def test_a_day_pass_has_no_nights(programme, visitor_client):
    desk = factories.UnitFactory(
        facility=factories.FacilityFactory(kind=Facility.Kind.COWORKING), price_yen=1500, capacity=1
    )
    body = book(visitor_client, desk, dates=[D(2026, 12, 2), D(2026, 12, 3), D(2026, 12, 4)])["reimbursement"]
    assert (body["eligible"], body["eligible_days"], body["eligible_nights"]) == (True, 3, 0)


# --- claims per fiscal year and retired programmes (rules 25, 40) --------------------------------------------------


def test_claim_limit_shows_on_the_estimates_once_reached(programme, visitor_client):
    Programme.objects.filter(id=programme.id).update(max_claims_per_fy=1)
    first = stay(visitor_client)
    second = stay(visitor_client, check_in=D(2026, 12, 10), check_out=D(2026, 12, 11))
    draft = open_claim(visitor_client, second)
    submit(visitor_client, open_claim(visitor_client, first)["id"])
    body = booking_detail(visitor_client, second["id"])["reimbursement"]
    assert (body["eligible"], body["reasons"]) == (False, ["claim_limit_reached"])
    response = submit(visitor_client, draft["id"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "claim_limit_reached"


def test_a_retired_programme_keeps_its_live_claims_and_covers_nothing_new(programme, visitor_client):
    claimed = stay(visitor_client)
    claim = open_claim(visitor_client, claimed)
    Programme.objects.filter(id=programme.id).update(is_active=False)
    new = stay(visitor_client, check_in=D(2026, 12, 10), check_out=D(2026, 12, 12))
    assert new["reimbursements"] == []
    assert (new["reimbursement"]["programme"], new["reimbursement"]["reasons"]) == (None, ["outside_programme_area"])
    assert booking_detail(visitor_client, claimed["id"])["reimbursement"]["programme"] == programme.code
    response = submit(visitor_client, claim["id"])
    assert response.status_code == 200 and response.json()["total_reimbursable_yen"] == 8000


def test_limits_a_programme_does_not_have_are_null(programme, visitor_client):
    body = stay(visitor_client)["reimbursement"]
    assert (body["max_days_per_group"], body["group_days_remaining"]) == (6, 3)
    assert (body["max_nights_per_group"], body["group_nights_remaining"]) == (None, None)


def test_new_refusals_are_translated(programme):
    homeless = factories.VisitorFactory(home_municipality_code="")
    booking = stay(client_for(homeless))
    claim = open_claim(client_for(homeless), booking)
    japanese = submit(client_for(homeless), claim["id"]).json()["error"]
    english = submit(client_for(homeless, "en"), claim["id"]).json()["error"]
    assert japanese["code"] == english["code"] == "requirements_unmet"
    assert "要件" in japanese["message"] and "home_municipality" in japanese["message"]
    assert "requirements" in english["message"]
    assert "居住市町村" in japanese["fields"]["home_municipality"][0]


def test_withdrawing_a_submitted_claim_gives_its_budget_back(programme):
    Programme.objects.filter(id=programme.id).update(budget_yen=8000)
    first = client_for(factories.VisitorFactory())
    claim = open_claim(first, stay(first))
    assert submit(first, claim["id"]).json()["total_reimbursable_yen"] == 8000
    second = client_for(factories.VisitorFactory())
    waiting = stay(second)
    assert waiting["reimbursement"]["reasons"] == ["budget_exhausted"]
    assert first.post(f"/api/v1/claims/{claim['id']}/withdraw/").json()["status"] == "withdrawn"
    back = booking_detail(second, waiting["id"])["reimbursement"]
    assert (back["eligible"], back["total_reimbursable_yen"]) == (True, 8000)
