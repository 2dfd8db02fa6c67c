"""Every figure of a claim through its whole life comes from one recomputation over the household's state: a
report after a grant, a disallowed line, the lodging shown, a stay cancelled after approval, the payment of a stay
not completed, and a report's receipts before it is submitted; each with an auditor's figures to the yen."""

from datetime import date

import pytest
from django.core import mail

from bookings.models import Booking
from reimbursements import services
from reimbursements.models import CategoryRule, Claim, ClaimDay, Programme
from tests import factories
from tests.reimbursements.factories import CategoryRuleFactory, ProgrammeFactory, make_booking
from tests.reimbursements.helpers import add_line, book, cancel, claim_read, estimate, open_claim, submit

pytestmark = pytest.mark.django_db

DAY = CategoryRule.Basis.DAY
NIGHT = CategoryRule.Basis.NIGHT


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def clock(monkeypatch):
    """Japan's date as the claim services see it; before the stays unless a test moves it."""
    state = {"today": date(2026, 10, 1)}
    monkeypatch.setattr(services, "today", lambda: state["today"])

    def move(day):
        state["today"] = day

    return move


def town_programme(town, *, rules, **fields) -> Programme:
    programme = ProgrammeFactory(municipality=town, **fields)
    for category, cap, basis in rules:
        CategoryRuleFactory(programme=programme, category=category, cap_yen=cap, basis=basis)
    return programme


def planned(client, claim_id, *, category, day, amount_yen):
    response = client.post(
        f"/api/v1/claims/{claim_id}/lines/",
        {"category": category, "date": day, "amount_yen": amount_yen, "persons": 1},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def receipted(client, claim_id, *, category, day, amount_yen):
    response = add_line(client, claim_id, category=category, date=day, amount_yen=amount_yen)
    assert response.status_code == 201, response.content
    return response.json()


def act(client, claim_id, action, body=None, status=200):
    response = client.post(f"/api/v1/claims/{claim_id}/{action}/", body or {}, format="json")
    assert response.status_code == status, response.content
    return response.json()


def disallow(client, claim_id, line_id):
    response = client.post(
        f"/api/v1/claims/{claim_id}/lines/{line_id}/disallow/", {"reason": "領収書の宛名が違う"}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def open_under(client, booking, programme):
    response = client.post("/api/v1/claims/", {"booking": booking.id, "programme": programme.code}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


# --- 1. a report after a grant counts the household's other claims ---------------------------------------------


def test_report_after_grant_shares_the_days_cap_with_the_households_other_claims(
    saku, visitor, visitor_client, staff_client, clock
):
    programme = town_programme(
        saku,
        requires_application=True,
        rules=[("rental_car", 3000, DAY), ("shinkansen", None, DAY), ("taxi", None, DAY)],
    )
    first = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22))
    second = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22))

    claim1 = open_under(visitor_client, first, programme)
    planned(visitor_client, claim1["id"], category="rental_car", day="2026-11-21", amount_yen=3000)
    act(visitor_client, claim1["id"], "apply")
    assert act(staff_client, claim1["id"], "grant")["granted_amount_yen"] == 3000

    claim2 = open_under(visitor_client, second, programme)
    car = planned(visitor_client, claim2["id"], category="rental_car", day="2026-11-21", amount_yen=3000)
    planned(visitor_client, claim2["id"], category="shinkansen", day="2026-11-20", amount_yen=10000)
    planned(visitor_client, claim2["id"], category="taxi", day="2026-11-22", amount_yen=6000)
    applied = act(visitor_client, claim2["id"], "apply")
    line = next(x for x in applied["lines"] if x["id"] == car["id"])
    assert (line["reimbursable_yen"], line["reason"]) == (0, "day_cap_used")
    assert act(staff_client, claim2["id"], "grant")["granted_amount_yen"] == 16000

    clock(date(2026, 11, 22))
    receipted(visitor_client, claim1["id"], category="rental_car", day="2026-11-21", amount_yen=3000)
    report1 = submit(visitor_client, claim1["id"]).json()
    assert report1["total_reimbursable_yen"] == 3000
    car2 = receipted(visitor_client, claim2["id"], category="rental_car", day="2026-11-21", amount_yen=3000)
    receipted(visitor_client, claim2["id"], category="shinkansen", day="2026-11-20", amount_yen=10000)
    response = submit(visitor_client, claim2["id"])
    assert response.status_code == 200, response.content
    report2 = response.json()
    line = next(x for x in report2["lines"] if x["id"] == car2["id"])
    assert (line["reimbursable_yen"], line["reason"]) == (0, "day_cap_used")
    assert report2["total_reimbursable_yen"] == 10000
    assert report2 == claim_read(visitor_client, claim2["id"])


# --- 2. disallowing a line recomputes the claim -------------------------------------------------------------------


def test_disallowed_line_absorbed_by_the_household_maximum_leaves_the_total(
    saku, visitor, visitor_client, staff_client, clock
):
    programme = town_programme(
        saku, max_amount_per_household_per_fy=7000, rules=[("taxi", None, DAY), ("rental_car", 3000, DAY)]
    )
    booking = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22))
    claim = open_under(visitor_client, booking, programme)
    receipted(visitor_client, claim["id"], category="taxi", day="2026-11-21", amount_yen=7000)
    car = receipted(visitor_client, claim["id"], category="rental_car", day="2026-11-20", amount_yen=3000)
    submitted = submit(visitor_client, claim["id"]).json()
    assert submitted["total_reimbursable_yen"] == 7000 and "household_limit" in submitted["reasons"]

    after = disallow(staff_client, claim["id"], car["id"])
    assert after["total_reimbursable_yen"] == 7000
    line = next(x for x in after["lines"] if x["id"] == car["id"])
    assert (line["reimbursable_yen"], line["reason"]) == (0, "disallowed")
    assert act(staff_client, claim["id"], "approve")["approved_amount_yen"] == 7000


def test_disallowed_line_is_taken_out_before_the_rounding(saku, visitor, visitor_client, staff_client, clock):
    programme = town_programme(saku, rounding_unit_yen=100, rules=[("lodging", None, NIGHT), ("taxi", None, DAY)])
    booking = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22), price=2675)
    claim = open_under(visitor_client, booking, programme)
    taxi = receipted(visitor_client, claim["id"], category="taxi", day="2026-11-21", amount_yen=1234)
    submitted = submit(visitor_client, claim["id"]).json()
    assert submitted["total_reimbursable_yen"] == 6500

    after = disallow(staff_client, claim["id"], taxi["id"])
    assert after["total_reimbursable_yen"] == 5300
    assert after["lodging_reimbursable_yen"] == 5300
    assert act(staff_client, claim["id"], "approve")["approved_amount_yen"] == 5300


def test_disallowed_line_of_a_report_cut_to_its_grant(saku, visitor, visitor_client, staff_client, clock):
    programme = town_programme(
        saku,
        requires_application=True,
        rounding_unit_yen=100,
        rules=[("taxi", None, DAY), ("expressway_toll", None, DAY)],
    )
    booking = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22))
    claim = open_under(visitor_client, booking, programme)
    planned(visitor_client, claim["id"], category="taxi", day="2026-11-20", amount_yen=30000)
    act(visitor_client, claim["id"], "apply")
    assert act(staff_client, claim["id"], "grant")["granted_amount_yen"] == 30000

    clock(date(2026, 11, 22))
    receipted(visitor_client, claim["id"], category="taxi", day="2026-11-20", amount_yen=20170)
    receipted(visitor_client, claim["id"], category="taxi", day="2026-11-21", amount_yen=10000)
    toll = receipted(visitor_client, claim["id"], category="expressway_toll", day="2026-11-21", amount_yen=10000)
    report = submit(visitor_client, claim["id"]).json()
    assert report["total_reimbursable_yen"] == 30000 and "grant_limit" in report["reasons"]

    after = disallow(staff_client, claim["id"], toll["id"])
    assert after["total_reimbursable_yen"] == 30000 and "grant_limit" in after["reasons"]


# --- 3. the lodging a claim shows is cut and rounded as its estimate's ---------------------------------------------


def test_claim_lodging_is_rounded_as_the_estimate_shows_it(saku, visitor, visitor_client, clock):
    programme = town_programme(saku, rounding_unit_yen=100, rules=[("lodging", None, NIGHT)])
    booking = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 23), price=4725)
    claim = open_under(visitor_client, booking, programme)
    draft = claim_read(visitor_client, claim["id"])
    assert (draft["lodging_reimbursable_yen"], draft["total_reimbursable_yen"]) == (14100, 14100)
    shown = estimate(visitor_client, booking)
    assert (shown["lodging_reimbursable_yen"], shown["total_reimbursable_yen"]) == (14100, 14100)
    submitted = submit(visitor_client, claim["id"]).json()
    assert (submitted["lodging_reimbursable_yen"], submitted["total_reimbursable_yen"]) == (14100, 14100)


def test_claim_lodging_is_cut_by_the_household_maximum(saku, visitor, visitor_client, clock):
    programme = town_programme(saku, max_amount_per_household_per_fy=7000, rules=[("lodging", None, NIGHT)])
    booking = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22), price=6000)
    claim = open_under(visitor_client, booking, programme)
    draft = claim_read(visitor_client, claim["id"])
    assert (draft["lodging_reimbursable_yen"], draft["total_reimbursable_yen"]) == (7000, 7000)
    submitted = submit(visitor_client, claim["id"]).json()
    assert (submitted["lodging_reimbursable_yen"], submitted["total_reimbursable_yen"]) == (7000, 7000)


# --- 4. a claim pays only for a stay that happened ------------------------------------------------------------------


def test_cancelled_stay_voids_an_approved_claim(
    programme,
    visitor,
    visitor_client,
    staff_client,
    staff_user,
    booking_clock,
    clock,
    django_capture_on_commit_callbacks,
):
    unit = factories.UnitFactory(price_yen=9000)
    booked = book(visitor_client, unit, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    other = book(visitor_client, factories.UnitFactory(), check_in=date(2026, 12, 10), check_out=date(2026, 12, 14))
    assert estimate(visitor_client, Booking(id=other["id"]))["eligible_days"] == 3
    claim = open_claim(visitor_client, booked)
    assert submit(visitor_client, claim["id"]).status_code == 200
    approved = act(staff_client, claim["id"], "approve")
    assert approved["status"] == "approved" and approved["approved_amount_yen"] == 8000
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancel(visitor_client, booked["id"])
    voided = claim_read(visitor_client, claim["id"])
    assert voided["status"] == "cancelled" and voided["reasons"] == ["stay_cancelled"]
    assert voided["eligible_dates"] == []
    assert not ClaimDay.objects.filter(claim_id=claim["id"]).exists()
    events = visitor_client.get(f"/api/v1/claims/{claim['id']}/events/").json()["results"]
    assert (events[-1]["from_status"], events[-1]["to_status"], events[-1]["note"]) == (
        "approved",
        "cancelled",
        "stay_cancelled",
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([visitor.email, staff_user.email])
    # The cancelled stay's days go back to the household: the other stay now gets 5 of the 6.
    assert estimate(visitor_client, Booking(id=other["id"]))["eligible_days"] == 5

    clock(date(2026, 12, 3))
    response = staff_client.post(f"/api/v1/claims/{claim['id']}/mark-paid/")
    assert response.status_code == 409, response.content
    assert Claim.objects.get(id=claim["id"]).status == "cancelled"


def test_mark_paid_waits_for_the_stay_to_be_completed(programme, visitor, visitor_client, staff_client, clock):
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    claim = open_claim(visitor_client, booking)
    assert submit(visitor_client, claim["id"]).status_code == 200
    act(staff_client, claim["id"], "approve")

    clock(date(2026, 12, 2))
    response = staff_client.post(f"/api/v1/claims/{claim['id']}/mark-paid/")
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "stay_not_completed"
    assert Claim.objects.get(id=claim["id"]).status == Claim.Status.APPROVED

    clock(date(2026, 12, 3))
    assert act(staff_client, claim["id"], "mark-paid")["status"] == "paid"


# --- 5. a report's receipts show what the report will pay ------------------------------------------------------


def test_receipts_of_a_granted_claim_show_what_the_report_pays(saku, visitor, visitor_client, staff_client, clock):
    programme = town_programme(
        saku,
        requires_application=True,
        rules=[("taxi", None, DAY), ("highway_bus", 5000, DAY), ("shinkansen", 10000, DAY)],
    )
    booking = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22))
    claim = open_under(visitor_client, booking, programme)
    planned(visitor_client, claim["id"], category="taxi", day="2026-11-20", amount_yen=10000)
    planned(visitor_client, claim["id"], category="highway_bus", day="2026-11-20", amount_yen=5000)
    planned(visitor_client, claim["id"], category="shinkansen", day="2026-11-20", amount_yen=10000)
    act(visitor_client, claim["id"], "apply")
    assert act(staff_client, claim["id"], "grant")["granted_amount_yen"] == 25000

    clock(date(2026, 11, 22))
    taxi = receipted(visitor_client, claim["id"], category="taxi", day="2026-11-21", amount_yen=8170)
    bus = receipted(visitor_client, claim["id"], category="highway_bus", day="2026-11-20", amount_yen=6000)
    train = receipted(visitor_client, claim["id"], category="shinkansen", day="2026-11-20", amount_yen=10000)
    assert (taxi["reimbursable_yen"], bus["reimbursable_yen"], train["reimbursable_yen"]) == (8170, 5000, 10000)
    preview = claim_read(visitor_client, claim["id"])
    assert preview["status"] == "granted" and preview["total_reimbursable_yen"] == 23170
    shown = {line["id"]: line["reimbursable_yen"] for line in preview["lines"] if not line["planned"]}
    assert shown == {taxi["id"]: 8170, bus["id"]: 5000, train["id"]: 10000}

    report = submit(visitor_client, claim["id"]).json()
    assert report["total_reimbursable_yen"] == 23170
    paid = {line["id"]: line["reimbursable_yen"] for line in report["lines"] if not line["planned"]}
    assert paid == shown


def test_a_granted_claim_whose_receipts_are_all_removed_shows_its_grant_again(
    saku, visitor, visitor_client, staff_client, clock
):
    programme = town_programme(saku, requires_application=True, rules=[("lodging", None, NIGHT), ("taxi", None, DAY)])
    booking = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22), price=4000)
    claim = open_under(visitor_client, booking, programme)
    planned(visitor_client, claim["id"], category="taxi", day="2026-11-20", amount_yen=6000)
    act(visitor_client, claim["id"], "apply")
    assert act(staff_client, claim["id"], "grant")["granted_amount_yen"] == 14000

    taxi = receipted(visitor_client, claim["id"], category="taxi", day="2026-11-20", amount_yen=2000)
    assert claim_read(visitor_client, claim["id"])["total_reimbursable_yen"] == 10000
    response = visitor_client.delete(f"/api/v1/claims/{claim['id']}/lines/{taxi['id']}/")
    assert response.status_code == 200, response.content
    shown = claim_read(visitor_client, claim["id"])
    assert (shown["status"], shown["total_reimbursable_yen"], shown["reasons"]) == ("granted", 14000, [])


def test_a_stay_shortened_after_submission_gives_up_its_last_night(
    programme, visitor, visitor_client, booking_clock, clock
):
    """Its new last day is the check-out: still a day of the stay, no longer a night, so neither its lodging nor a
    night of the household's limits stays frozen."""
    unit = factories.UnitFactory(price_yen=9000)
    booked = book(visitor_client, unit, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    claim = open_claim(visitor_client, booked)
    submitted = submit(visitor_client, claim["id"]).json()
    assert (submitted["status"], submitted["total_reimbursable_yen"]) == ("submitted", 8000)

    response = visitor_client.post(
        f"/api/v1/bookings/{booked['id']}/shorten/", {"check_out": "2026-12-02"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["check_out"], response.json()["total_yen"]) == ("2026-12-02", 9000)

    shortened = claim_read(visitor_client, claim["id"])
    assert shortened["status"] == "submitted"
    assert (shortened["lodging_reimbursable_yen"], shortened["total_reimbursable_yen"]) == (4000, 4000)
    assert shortened["eligible_dates"] == ["2026-12-01", "2026-12-02"]
    assert list(
        ClaimDay.objects.filter(claim_id=claim["id"]).order_by("date").values_list("date", "night", "lodging_yen")
    ) == [(date(2026, 12, 1), True, 4000), (date(2026, 12, 2), False, 0)]


# --- the rules a claim froze with: a programme changed afterwards never reaches it -----------------------------------


def change_programme(client, programme, body):
    response = client.patch(f"/api/v1/programmes/{programme.code}/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_submitted_claim_keeps_its_rounding_when_the_programme_changes_it(
    saku, visitor, visitor_client, staff_client, clock
):
    programme = town_programme(saku, rounding_unit_yen=100, rules=[("lodging", None, NIGHT), ("taxi", None, DAY)])
    booking = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22), price=2675)
    claim = open_under(visitor_client, booking, programme)
    taxi = receipted(visitor_client, claim["id"], category="taxi", day="2026-11-21", amount_yen=1234)
    assert submit(visitor_client, claim["id"]).json()["total_reimbursable_yen"] == 6500

    change_programme(staff_client, programme, {"rounding_unit_yen": 1000})
    assert claim_read(visitor_client, claim["id"])["total_reimbursable_yen"] == 6500
    # Refigured from what it froze, by the rounding it froze with: 5,350 of lodging rounds to 5,300, not 5,000.
    assert disallow(staff_client, claim["id"], taxi["id"])["total_reimbursable_yen"] == 5300
    assert act(staff_client, claim["id"], "approve")["approved_amount_yen"] == 5300


def test_a_granted_claims_report_keeps_the_caps_and_rounding_of_the_grant(
    saku, visitor, visitor_client, staff_client, clock
):
    programme = town_programme(
        saku, requires_application=True, rounding_unit_yen=100, rules=[("taxi", None, DAY), ("rental_car", 5000, DAY)]
    )
    booking = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22))
    claim = open_under(visitor_client, booking, programme)
    planned(visitor_client, claim["id"], category="rental_car", day="2026-11-20", amount_yen=5000)
    act(visitor_client, claim["id"], "apply")
    assert act(staff_client, claim["id"], "grant")["granted_amount_yen"] == 5000

    change_programme(
        staff_client,
        programme,
        {
            "rounding_unit_yen": 1000,
            "categories": [
                {"category": "taxi", "basis": "day", "cap_yen": None},
                {"category": "rental_car", "basis": "day", "cap_yen": 2000},
            ],
        },
    )
    clock(date(2026, 11, 22))
    car = receipted(visitor_client, claim["id"], category="rental_car", day="2026-11-20", amount_yen=4950)
    assert car["reimbursable_yen"] == 4950
    assert claim_read(visitor_client, claim["id"])["total_reimbursable_yen"] == 4900
    report = submit(visitor_client, claim["id"]).json()
    assert report["total_reimbursable_yen"] == 4900
    assert next(x for x in report["lines"] if x["id"] == car["id"])["reimbursable_yen"] == 4950
    # A claim made now follows the programme as it is now.
    other = make_booking(visitor=visitor, check_in=date(2026, 11, 25), check_out=date(2026, 11, 26))
    later = open_under(visitor_client, other, programme)
    line = planned(visitor_client, later["id"], category="rental_car", day="2026-11-25", amount_yen=4950)
    assert line["reimbursable_yen"] == 2000
