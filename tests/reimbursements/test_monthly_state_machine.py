"""Monthly claims by random steps through the API (rules 41-52): two certified people of one town under a
commuting subsidy whose months straddle two fiscal years, months opened, filled, submitted, withdrawn, disallowed,
approved, rejected and paid. After every step, what the API shows holds the programme's rules: a month is claimed
once, each month pays half its cost at most the monthly cap (rounded, spread over its tickets), a person's
committed months never pass the lifetime cap, and a fiscal year's committed months never pass its budget."""

import itertools
import os
from collections import defaultdict
from datetime import date

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from tests import factories
from tests.conftest import client_for
from tests.reimbursements.helpers import receipt
from tests.reimbursements.monthly import add_months_iso, certified_person, monthly_programme

pytestmark = pytest.mark.django_db

MONTHLY_CAP, LIFETIME_CAP, BUDGET, UNIT = 20000, 50000, 45000, 1000
# Certified 2027-01-10: the months run from 2027-02 to 2027-07, across the fiscal years 2026 and 2027.
FIRST_MONTH, MONTHS = "2027-02", 6
COMMITTING = {"submitted", "approved", "paid"}
LIVE = {"draft", *COMMITTING}
SERIAL = itertools.count()

SETTINGS = settings(
    max_examples=int(os.environ.get("MONTHLY_EXAMPLES", "10")),
    stateful_step_count=18,
    deadline=None,
    derandomize=not os.environ.get("MONTHLY_EXPLORE"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def fiscal_year(month: str) -> int:
    return int(month[:4]) if int(month[5:]) >= 4 else int(month[:4]) - 1


class MonthlyClaims(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        town = factories.MunicipalityFactory()
        staff = factories.StaffFactory(municipality=town)
        self.programme = monthly_programme(
            code=f"commute-{next(SERIAL)}",
            monthly_cap_yen=MONTHLY_CAP,
            lifetime_cap_yen=LIFETIME_CAP,
            budget_yen=BUDGET,
            rounding_unit_yen=UNIT,
            period_months=MONTHS,
        )
        self.programme.municipality = town
        self.programme.save(update_fields=["municipality"])
        self.staff = client_for(staff)
        self.people = [certified_person(self.programme, staff, certified_on=date(2027, 1, 10)) for _ in range(2)]
        self.clients = [client_for(person) for person in self.people]
        self.claims: list[tuple[int, int]] = []  # (person index, claim id)

    def post(self, client, path, body=None, **kwargs):
        response = client.post(f"/api/v1/claims/{path}", body or {}, **kwargs)
        assert response.status_code < 500, response.content
        return response

    def claim(self, data, *, person=None):
        mine = [c for c in self.claims if person is None or c[0] == person]
        return data.draw(st.sampled_from(mine)) if mine else None

    def listed(self, index: int) -> list[dict]:
        response = self.clients[index].get("/api/v1/claims/?page_size=100")
        assert response.status_code == 200
        return response.json()["results"]

    @rule(person=st.integers(0, 1), offset=st.integers(-1, MONTHS))
    def open_month(self, person, offset):
        month = add_months_iso(FIRST_MONTH, offset)
        live = {c["month"] for c in self.listed(person) if c["status"] in LIVE}
        response = self.post(
            self.clients[person], "", {"programme": self.programme.code, "month": month}, format="json"
        )
        if not 0 <= offset < MONTHS:
            assert response.json()["error"]["code"] == "outside_period"
        elif month in live:
            assert response.json()["error"]["code"] == "month_already_claimed"
        else:
            assert response.status_code == 201, response.content
            self.claims.append((person, response.json()["id"]))

    @precondition(lambda self: self.claims)
    @rule(
        data=st.data(),
        category=st.sampled_from(["shinkansen_ticket", "commuting_allowance", "commuter_pass"]),
        amount=st.integers(1, 60000),
    )
    def add_line(self, data, category, amount):
        person, claim_id = self.claim(data)
        month = self.clients[person].get(f"/api/v1/claims/{claim_id}/").json()["month"]
        self.post(
            self.clients[person],
            f"{claim_id}/lines/",
            {"category": category, "date": f"{month}-10", "amount_yen": amount, "receipt": receipt()},
            format="multipart",
        )

    @precondition(lambda self: self.claims)
    @rule(data=st.data())
    def submit(self, data):
        person, claim_id = self.claim(data)
        self.post(self.clients[person], f"{claim_id}/submit/")

    @precondition(lambda self: self.claims)
    @rule(data=st.data())
    def withdraw(self, data):
        person, claim_id = self.claim(data)
        self.post(self.clients[person], f"{claim_id}/withdraw/")

    @precondition(lambda self: self.claims)
    @rule(data=st.data(), action=st.sampled_from(["approve", "mark-paid", "reject"]))
    def decide(self, data, action):
        _, claim_id = self.claim(data)
        self.post(self.staff, f"{claim_id}/{action}/", {"reason": "確認できません"}, format="json")

    @precondition(lambda self: self.claims)
    @rule(data=st.data())
    def disallow(self, data):
        person, claim_id = self.claim(data)
        lines = self.clients[person].get(f"/api/v1/claims/{claim_id}/").json()["lines"]
        if lines:
            line = data.draw(st.sampled_from(lines))
            self.post(self.staff, f"{claim_id}/lines/{line['id']}/disallow/", {"reason": "領収書不備"}, format="json")

    @invariant()
    def the_rules_hold(self):
        per_year = defaultdict(int)
        for index in range(len(self.people)):
            claims = self.listed(index)
            live = [c["month"] for c in claims if c["status"] in LIVE]
            assert len(live) == len(set(live)), "a month is claimed once"
            lifetime = 0
            for claim in claims:
                total = claim["total_reimbursable_yen"]
                committed = claim["approved_amount_yen"] if claim["approved_amount_yen"] is not None else total
                if claim["status"] in COMMITTING:
                    lifetime += committed
                    per_year[fiscal_year(claim["month"])] += committed
                if claim["status"] not in LIVE:
                    continue
                lines = [line for line in claim["lines"] if not line["disallowed_reason"]]
                tickets = sum(line["amount_yen"] for line in lines if line["category"] == "shinkansen_ticket")
                allowance = sum(line["amount_yen"] for line in lines if line["category"] == "commuting_allowance")
                assert total <= min(MONTHLY_CAP, max(0, tickets - allowance) // 2), claim
                assert total % UNIT == 0, claim
                assert sum(line["reimbursable_yen"] for line in claim["lines"]) == total, claim
                for line in claim["lines"]:
                    if line["category"] != "shinkansen_ticket" or line["disallowed_reason"]:
                        assert line["reimbursable_yen"] == 0, line
            assert lifetime <= LIFETIME_CAP
        for year, committed in per_year.items():
            assert committed <= BUDGET, (year, committed)


def test_monthly_claims_keep_their_rules(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_state_machine_as_test(MonthlyClaims, settings=SETTINGS)
