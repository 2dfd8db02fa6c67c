"""Property, over random sequences of what members do: a membership's credit balance never goes negative and is
always grants − uses + refunds − expiries, as its ledger shows it through the API; every booking drawn from it is
priced by what the credit covered. Steps: join, book hours of the room, cancel a booking, time passing into
later cycles (renewals reset or carry over)."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from bookings.selectors import today
from tests.bookings.factories import HourlyRoomFactory, at
from tests.bookings.helpers import BOOKINGS, book
from tests.conftest import client_for
from tests.factories import VisitorFactory
from tests.memberships.factories import PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def machine(clock):
    class CreditLedger(RuleBasedStateMachine):
        """One member of one plan (random credit, carry-over and over-credit price) booking one room by the hour."""

        @initialize(
            credit_hours=st.integers(min_value=0, max_value=6),
            carry_over=st.integers(min_value=0, max_value=2),
            rate=st.integers(min_value=0, max_value=3000),
        )
        def join(self, credit_hours, carry_over, rate):
            self.room = HourlyRoomFactory(max_minutes=480)
            self.plan = PlanFactory(
                facility=self.room.facility,
                credit_hours=credit_hours,
                carry_over_months=carry_over,
                over_credit_price_per_hour_yen=rate,
            )
            self.client = client_for(VisitorFactory())
            clock.today = today()
            response = self.client.post("/api/v1/memberships/", {"plan": self.plan.id}, format="json")
            assert response.status_code == 201, response.content
            self.membership = response.json()["id"]
            self.bookings: list[int] = []
            self.next_day = 1

        def ledger(self) -> dict:
            response = self.client.get(f"/api/v1/memberships/{self.membership}/credits/")
            assert response.status_code == 200
            return response.json()

        @rule(quarters=st.integers(min_value=2, max_value=32))
        def book_hours(self, quarters):
            before = self.ledger()["balance_minutes"]
            minutes = quarters * 15
            end = (9 * 60 + minutes) // 60, (9 * 60 + minutes) % 60
            offset = self.next_day
            self.next_day += 1
            body = {
                "unit": self.room.id,
                "starts_at": at(offset, "09:00"),
                "ends_at": at(offset, f"{end[0]:02d}:{end[1]:02d}"),
                "adults": 1,
            }
            response = book(self.client, body)
            assert response.status_code == 201, response.content
            over = minutes - min(before, minutes)
            assert response.json()["total_yen"] == self.plan.over_credit_price_per_hour_yen * over // 60
            assert self.ledger()["balance_minutes"] == before - min(before, minutes)
            self.bookings.append(response.json()["id"])

        @precondition(lambda self: self.bookings)
        @rule(data=st.data())
        def cancel(self, data):
            booking = data.draw(st.sampled_from(self.bookings))
            self.bookings.remove(booking)
            response = self.client.post(f"{BOOKINGS}{booking}/cancel/", {}, format="json")
            assert response.status_code == 200, response.content

        @rule(days=st.integers(min_value=1, max_value=70))
        def time_passes(self, days):
            clock.today = clock.today + timedelta(days=days)

        @invariant()
        def balance_is_the_ledgers_sum_and_never_negative(self):
            if not hasattr(self, "membership"):
                return
            credits = self.ledger()
            balance = credits["balance_minutes"]
            assert balance >= 0
            assert balance == (
                credits["granted_minutes"]
                - credits["used_minutes"]
                + credits["refunded_minutes"]
                - credits["expired_minutes"]
            )
            assert all(entry["balance_after"] >= 0 for entry in credits["entries"])
            assert credits["entries"] == [] or credits["entries"][-1]["balance_after"] == balance
            # What is kept at a renewal is never more than the plan's carry-over allows.
            assert balance <= self.plan.credit_hours * 60 * (self.plan.carry_over_months + 1)

    return CreditLedger


def test_the_credit_ledger_never_goes_negative_and_always_adds_up(machine):
    machine.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine.TestCase().runTest()
