"""Plans, memberships and room credit through the API: cycles from the start date, notice, the credit ledger's
worked example, renewal (reset or carry-over), included desks, the price fixed at booking time."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking
from memberships.models import CreditEntry, Membership
from tests.bookings.factories import LodgingUnitFactory, at, iso
from tests.bookings.helpers import BOOKINGS, QUOTES, book, error
from tests.conftest import client_for
from tests.factories import OperatorFactory, VisitorFactory
from tests.memberships.factories import PlanFactory
from tests.payments.conftest import fake_stripe  # noqa: F401  (Stripe configured, its HTTP API faked)
from tests.payments.helpers import deliver

pytestmark = pytest.mark.django_db
MEMBERSHIPS = "/api/v1/memberships/"


def join(client, plan):
    return client.post(MEMBERSHIPS, {"plan": plan.id}, format="json")


def ledger(client, membership_id) -> dict:
    response = client.get(f"{MEMBERSHIPS}{membership_id}/credits/")
    assert response.status_code == 200, response.content
    return response.json()


def hours(room, start, end, offset=10):
    return {"unit": room.id, "starts_at": at(offset, start), "ends_at": at(offset, end), "adults": 1}


# --- plans -----------------------------------------------------------------------------------------------------


def test_an_operator_sells_a_plan_and_visitors_see_it(space, operator_client, api_client):
    facility = space[0]
    body = {
        "name_ja": "月額会員",
        "name_en": "Monthly",
        "monthly_price_yen": 11000,
        "access_unit_types": ["desk"],
        "credit_unit_types": ["meeting_room"],
        "credit_hours": 4,
        "over_credit_price_per_hour_yen": 880,
        "notice_days": 14,
    }

    created = operator_client.post(f"/api/v1/operator/facilities/{facility.id}/plans/", body, format="json")

    assert created.status_code == 201, created.content
    plan = created.json()
    assert (plan["monthly_price_yen"], plan["credit_hours"], plan["carry_over_months"]) == (11000, 4, 0)
    public = api_client.get(f"/api/v1/facilities/{facility.id}/plans/").json()["results"]
    assert [(p["id"], p["name"], p["notice_days"]) for p in public] == [(plan["id"], "月額会員", 14)]
    assert api_client.get(f"/api/v1/facilities/{facility.id}/").json()["plans"] == public
    assert [
        p["id"] for p in operator_client.get(f"/api/v1/operator/facilities/{facility.id}/plans/").json()["results"]
    ] == [plan["id"]]
    retired = operator_client.patch(f"/api/v1/operator/plans/{plan['id']}/", {"is_active": False}, format="json")
    assert retired.status_code == 200
    assert api_client.get(f"/api/v1/facilities/{facility.id}/plans/").json()["results"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"monthly_price_yen": -1}, "monthly_price_yen"),
        ({"access_unit_types": ["house"]}, "access_unit_types.0"),
        ({"credit_unit_types": ["desk"]}, "credit_unit_types"),
        ({"carry_over_months": 25}, "carry_over_months"),
        ({"name_ja": ""}, "name_ja"),
    ],
)
def test_bad_plans_are_400s_naming_the_field(space, operator_client, changes, field):
    body = {"name_ja": "月額", "monthly_price_yen": 11000, "access_unit_types": ["desk"], **changes}

    response = operator_client.post(f"/api/v1/operator/facilities/{space[0].id}/plans/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in error(response)["fields"]


def test_plans_of_another_organisation_are_404_and_lodging_sells_none(plan, organisation, operator_client):
    house = LodgingUnitFactory(facility__operator=organisation)
    other = client_for(OperatorFactory())

    assert other.get(f"/api/v1/operator/facilities/{plan.facility_id}/plans/").status_code == 404
    assert other.patch(f"/api/v1/operator/plans/{plan.id}/", {"is_active": False}, format="json").status_code == 404
    response = operator_client.post(
        f"/api/v1/operator/facilities/{house.facility_id}/plans/",
        {"name_ja": "x", "monthly_price_yen": 1},
        format="json",
    )
    assert response.status_code == 400 and "facility" in error(response)["fields"]


# --- cycles and notice -----------------------------------------------------------------------------------------


def test_cycles_roll_from_the_start_date_and_notice_sets_the_end(plan, visitor_client, clock):
    clock.today = date(2027, 3, 18)
    joined = join(visitor_client, plan)
    assert joined.status_code == 201, joined.content
    membership = joined.json()
    assert (membership["starts_on"], membership["cycle_starts_on"], membership["cycle_ends_on"]) == (
        "2027-03-18",
        "2027-03-18",
        "2027-04-17",
    )
    assert membership["status"] == "active" and membership["credit_minutes"] == 240

    clock.today = date(2027, 6, 2)
    cancelled = visitor_client.post(f"{MEMBERSHIPS}{membership['id']}/cancel/")

    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["ends_on"]) == ("cancelled", "2027-06-16")
    assert cancelled.json()["cycle_starts_on"] == "2027-05-18"
    again = visitor_client.post(f"{MEMBERSHIPS}{membership['id']}/cancel/")
    assert again.status_code == 409 and error(again)["code"] == "membership_not_cancellable"
    clock.today = date(2027, 6, 17)
    assert visitor_client.get(f"{MEMBERSHIPS}{membership['id']}/").json()["status"] == "ended"
    # Ended: the plan can be joined again.
    assert join(visitor_client, plan).status_code == 201


def test_joining_twice_is_409_and_an_unknown_or_retired_plan_is_404(plan, visitor_client, operator_client):
    assert join(visitor_client, plan).status_code == 201
    twice = join(visitor_client, plan)
    assert twice.status_code == 409 and error(twice)["code"] == "already_member"

    missing = visitor_client.post(MEMBERSHIPS, {"plan": 999999}, format="json")
    assert missing.status_code == 404 and error(missing)["code"] == "plan_not_found"
    assert operator_client.post(MEMBERSHIPS, {"plan": plan.id}, format="json").status_code == 403
    assert Membership.objects.count() == 1


def test_visitors_see_their_own_memberships_and_operators_their_members(plan, visitor_client, operator_client):
    mine = join(visitor_client, plan).json()
    other = client_for(VisitorFactory())
    join(other, plan)

    assert [m["id"] for m in visitor_client.get(MEMBERSHIPS).json()["results"]] == [mine["id"]]
    assert other.get(f"{MEMBERSHIPS}{mine['id']}/").status_code == 404
    assert other.get(f"{MEMBERSHIPS}{mine['id']}/credits/").status_code == 404
    assert operator_client.get(MEMBERSHIPS).json()["count"] == 2
    assert client_for(OperatorFactory()).get(MEMBERSHIPS).json()["results"] == []


# --- credit: the worked example --------------------------------------------------------------------------------


def test_the_credit_worked_example(space, plan, visitor_client):
    _facility, _desks, room = space
    membership = join(visitor_client, plan).json()
    assert ledger(visitor_client, membership["id"])["balance_minutes"] == 240

    quote = visitor_client.post(QUOTES, hours(room, "10:00", "12:00"), format="json")
    first = book(visitor_client, hours(room, "10:00", "12:00"))
    assert quote.json()["total_yen"] == first.json()["total_yen"] == 0
    assert ledger(visitor_client, membership["id"])["balance_minutes"] == 120

    second = book(visitor_client, hours(room, "13:00", "16:00"))
    assert second.json()["total_yen"] == 880
    assert ledger(visitor_client, membership["id"])["balance_minutes"] == 0

    cancelled = visitor_client.post(f"{BOOKINGS}{first.json()['id']}/cancel/", {}, format="json")
    assert cancelled.status_code == 200
    credits = ledger(visitor_client, membership["id"])
    assert credits["balance_minutes"] == 120
    assert [(e["kind"], e["minutes"], e["balance_after"], e["booking"]) for e in credits["entries"]] == [
        ("grant", 240, 240, None),
        ("use", 120, 120, first.json()["id"]),
        ("use", 120, 0, second.json()["id"]),
        ("refund", 120, 120, first.json()["id"]),
    ]
    assert (credits["granted_minutes"], credits["used_minutes"], credits["refunded_minutes"]) == (240, 240, 120)
    # Cancelling again gives nothing more back.
    visitor_client.post(f"{BOOKINGS}{first.json()['id']}/cancel/", {}, format="json")
    assert ledger(visitor_client, membership["id"])["balance_minutes"] == 120


def test_without_a_membership_the_room_costs_its_own_price(space, plan, visitor_client):
    assert book(visitor_client, hours(space[2], "10:00", "12:00")).json()["total_yen"] == 2200


def test_included_desks_cost_nothing_to_members(space, plan, visitor_client):
    _facility, desks, _room = space
    join(visitor_client, plan)

    response = book(visitor_client, {"unit": desks.id, "dates": [iso(3), iso(4)], "adults": 1})

    assert response.status_code == 201 and response.json()["total_yen"] == 0
    assert (
        book(client_for(VisitorFactory()), {"unit": desks.id, "dates": [iso(3)], "adults": 1}).json()["total_yen"]
        == 1500
    )


def test_the_plan_at_booking_time_fixes_the_price(space, plan, visitor_client, operator_client):
    room = space[2]
    join(visitor_client, plan)
    book(visitor_client, hours(room, "09:00", "13:00"))  # the credit, all of it
    over = book(visitor_client, hours(room, "14:00", "15:00")).json()
    assert over["total_yen"] == 880

    operator_client.patch(f"/api/v1/operator/plans/{plan.id}/", {"over_credit_price_per_hour_yen": 990}, format="json")

    assert visitor_client.get(f"{BOOKINGS}{over['id']}/").json()["total_yen"] == 880
    assert book(visitor_client, hours(room, "15:00", "16:00")).json()["total_yen"] == 990


# --- renewal ---------------------------------------------------------------------------------------------------


def test_at_renewal_unused_credit_resets(space, plan, visitor_client, clock):
    start = clock.today
    membership = join(visitor_client, plan).json()
    book(visitor_client, hours(space[2], "10:00", "11:00"))

    clock.today = start + timedelta(days=31)
    credits = ledger(visitor_client, membership["id"])

    assert credits["balance_minutes"] == 240
    assert [(e["kind"], e["minutes"], e["cycle"]) for e in credits["entries"]][-2:] == [
        ("expiry", 180, 0),
        ("grant", 240, 1),
    ]


def test_at_renewal_credit_carries_over_as_the_plan_says(space, visitor_client, clock):
    plan = PlanFactory(facility=space[0], carry_over_months=1)
    start = clock.today
    membership = join(visitor_client, plan).json()
    book(visitor_client, hours(space[2], "10:00", "11:00"))

    clock.today = start + timedelta(days=31)
    assert ledger(visitor_client, membership["id"])["balance_minutes"] == 180 + 240
    clock.today = start + timedelta(days=62)
    credits = ledger(visitor_client, membership["id"])

    # The first cycle's 180 minutes have lasted their one extra cycle; the second's 240 carry over.
    assert credits["balance_minutes"] == 240 + 240
    assert credits["expired_minutes"] == 180


def test_a_past_due_membership_cannot_book_from_credit(space, plan, visitor_client):
    membership = join(visitor_client, plan).json()
    Membership.objects.filter(pk=membership["id"]).update(status="past_due")

    response = book(visitor_client, hours(space[2], "10:00", "11:00"))

    assert response.status_code == 409 and error(response)["code"] == "membership_past_due"
    assert not CreditEntry.objects.filter(kind="use").exists()


def test_a_hold_released_unpaid_gives_its_credit_back(space, plan, visitor_client, fake_stripe):
    """By card, the hour over the credit is paid through Stripe: the booking holds its hours (and the credit it
    drew) until paid; when the hold expires, both come back."""
    membership = join(visitor_client, plan).json()
    # By card, the membership is a subscription: its first invoice paid, it is active.
    subscription = next(iter(fake_stripe.subscriptions.values()))
    fake_stripe.invoice_pay(subscription["id"])
    deliver(visitor_client, "invoice.paid", fake_stripe.invoices[subscription["latest_invoice"]])
    free = book(visitor_client, hours(space[2], "09:00", "12:00")).json()
    assert (free["status"], free["total_yen"]) == ("confirmed", 0)  # nothing to pay: on site
    booking = book(visitor_client, hours(space[2], "13:00", "15:00")).json()
    assert (booking["status"], booking["total_yen"]) == ("pending", 880)
    assert ledger(visitor_client, membership["id"])["balance_minutes"] == 0

    Booking.objects.filter(pk=booking["id"]).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    call_command("expire_holds")

    assert visitor_client.get(f"{BOOKINGS}{booking['id']}/").json()["status"] == "cancelled"
    assert ledger(visitor_client, membership["id"])["balance_minutes"] == 60
    assert book(visitor_client, hours(space[2], "13:00", "14:00")).json()["total_yen"] == 0


def test_a_running_membership_refuses_the_accounts_deletion_until_cancelled(plan, visitor, visitor_client):
    """No subscription may keep charging an erased account: the member cancels first, and the notice it runs out
    charges nothing more."""
    membership = join(visitor_client, plan).json()
    visitor.set_password("a-long-enough-password")
    visitor.save()
    signed_in = client_for(visitor, "ja")

    refused = signed_in.delete("/api/v1/me/", {"password": "a-long-enough-password"}, format="json")

    assert refused.status_code == 409
    body = refused.json()["error"]
    assert (body["code"], body["memberships"], body["bookings"]) == ("active_bookings", [membership["id"]], [])
    assert "会員" in body["message"]
    assert signed_in.post(f"{MEMBERSHIPS}{membership['id']}/cancel/").status_code == 200
    assert signed_in.delete("/api/v1/me/", {"password": "a-long-enough-password"}, format="json").status_code == 204
