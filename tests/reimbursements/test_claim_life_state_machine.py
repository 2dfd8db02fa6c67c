"""Claims through their whole life, by random steps through the API: two households of one town, two of its
programmes (one without an application, one with) sharing a small budget each, stays booked, cancelled and
shortened, claims opened, filled, applied for, granted, refused, submitted, reported, disallowed, approved and
paid, and programmes edited meanwhile. After every step, what the API shows holds the subsidy rules over all of a
household's claims: the figures are a recomputation (rounded, cut, never more than their lines), the budget, the
household maximum, each date's caps and the day limits hold, and nothing is paid for a stay that did not happen."""

import itertools
import os
from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from bookings import hooks
from bookings.models import Booking, BookingLine
from reimbursements import services
from reimbursements.models import CategoryRule, ClaimDay, Programme
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import CategoryRuleFactory, ProgrammeFactory
from tests.reimbursements.helpers import receipt

pytestmark = pytest.mark.django_db

FIRST = date(2026, 11, 20)
BEFORE, AFTER = date(2026, 10, 1), date(2026, 12, 20)
CATEGORIES = ["taxi", "rental_car"]
# Day caps of the categories paid per day and household (None: the actual cost).
CAPS = {"taxi": None, "rental_car": 3000}
UNIT = 100
HOUSEHOLD_MAX = {"plain": 20000, "granted": 15000}
BUDGET = 30000
MAX_DAYS = 5
# What a claim commits, as the API shows it (rule 37): approved and paid their approved amount, a granted one its
# grant, a submitted one its total.
COMMITTING = {"granted", "submitted", "approved", "paid"}
LIVE = {"draft", "applied", "granted", "submitted", "approved", "paid"}

SERIAL = itertools.count()

# The same 60 sequences on every run, so that the suite's outcome depends on the code alone; explore new ones
# with CLAIM_LIFE_EXPLORE=1 (and more with CLAIM_LIFE_EXAMPLES=N).
SETTINGS = settings(
    max_examples=int(os.environ.get("CLAIM_LIFE_EXAMPLES", "60")),
    stateful_step_count=25,
    deadline=None,
    derandomize=not os.environ.get("CLAIM_LIFE_EXPLORE"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def programme_of(town, code, *, requires_application, household_max):
    programme = ProgrammeFactory(
        municipality=town,
        code=code,
        requires_application=requires_application,
        rounding_unit_yen=UNIT,
        max_days_per_group=MAX_DAYS,
        max_amount_per_household_per_fy=household_max,
        budget_yen=BUDGET,
    )
    CategoryRuleFactory(programme=programme, category="lodging", cap_yen=5000, basis=CategoryRule.Basis.NIGHT)
    for category, cap in CAPS.items():
        CategoryRuleFactory(programme=programme, category=category, cap_yen=cap, basis=CategoryRule.Basis.DAY)
    return programme


class ClaimLife(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # A town of its own for each example: nothing of an earlier example's claims or budgets reaches it.
        self.today = BEFORE
        town = factories.MunicipalityFactory()
        self.serial = next(SERIAL)
        self.programmes = {
            "plain": programme_of(
                town, f"sm-plain-{self.serial}", requires_application=False, household_max=HOUSEHOLD_MAX["plain"]
            ),
            "granted": programme_of(
                town, f"sm-granted-{self.serial}", requires_application=True, household_max=HOUSEHOLD_MAX["granted"]
            ),
        }
        self.households = [factories.VisitorFactory(), factories.VisitorFactory()]
        self.clients = [client_for(v) for v in self.households]
        self.staff = client_for(factories.StaffFactory(municipality=town))
        self.units = [
            factories.UnitFactory(facility=factories.FacilityFactory(municipality=town), price_yen=price, count=3)
            for price in (4725, 2675, 6000)
        ]
        self.bookings: list[tuple[int, int]] = []  # (household, booking id)
        self.claims: list[tuple[int, int]] = []  # (household, claim id)
        # What each frozen claim totalled when it was frozen (submitted, or reported): a later figure is never more.
        self.frozen_total: dict[int, int] = {}
        self.status: dict[int, str] = {}  # claim id -> status, as last shown
        self.shown: dict[int, dict] = {}  # claim id -> the claim, as last shown

    # --- helpers -----------------------------------------------------------------------------------------------

    def pick(self, items, index):
        return items[index % len(items)]

    def choose(self, index, *statuses):
        """One of the claims whose status (as last shown) is one of `statuses`: steps act where they can, so that
        a few steps reach a claim's later life; None when there is none."""
        candidates = [(h, c) for h, c in self.claims if self.status.get(c) in statuses]
        return self.pick(candidates, index) if candidates else None

    def claim_json(self, household, claim_id):
        response = self.clients[household].get(f"/api/v1/claims/{claim_id}/")
        assert response.status_code == 200, response.content
        return response.json()

    def post(self, client, path, body=None, **kwargs):
        response = client.post(path, body or {}, format=kwargs.get("format", "json"))
        assert response.status_code < 500, response.content
        return response

    # --- steps -------------------------------------------------------------------------------------------------

    @rule(
        household=st.integers(0, 1),
        unit=st.integers(0, 2),
        offset=st.integers(0, 2),
        nights=st.integers(1, 2),
        adults=st.integers(1, 2),
    )
    def book(self, household, unit, offset, nights, adults):
        check_in = FIRST + timedelta(days=offset)
        response = self.post(
            self.clients[household],
            "/api/v1/bookings/",
            {
                "unit": self.units[unit].id,
                "check_in": str(check_in),
                "check_out": str(check_in + timedelta(days=nights)),
                "adults": adults,
                "children": 0,
                "infants": 0,
            },
        )
        if response.status_code == 201:
            self.bookings.append((household, response.json()["id"]))

    @precondition(lambda self: self.bookings)
    @rule(index=st.integers(0, 30))
    def cancel(self, index):
        """The visitor cancels a stay, most often one whose claim is granted, submitted or approved."""
        claimed = {
            claim["booking"] for claim in self.shown.values() if claim["status"] in {"granted", "submitted", "approved"}
        }
        household, booking_id = self.pick([b for b in self.bookings if b[1] in claimed] or self.bookings, index)
        self.post(self.clients[household], f"/api/v1/bookings/{booking_id}/cancel/")

    @precondition(lambda self: self.bookings)
    @rule(index=st.integers(0, 30))
    def shorten(self, index):
        """The operator takes the last night off a stay of two nights or more (as a change at the desk would)."""
        _, booking_id = self.pick(self.bookings, index)
        booking = Booking.objects.get(id=booking_id)
        if not booking.is_active or (booking.check_out - booking.check_in).days < 2 or self.today >= booking.check_in:
            return
        with transaction.atomic():
            BookingLine.objects.filter(booking=booking, date=booking.check_out - timedelta(days=1)).delete()
            Booking.objects.filter(id=booking_id).update(check_out=booking.check_out - timedelta(days=1))
            # What the bookings app tells the apps above it of a change of dates.
            hooks.booking_changed(booking_id=booking_id, actor=booking.visitor)

    @precondition(lambda self: self.bookings)
    @rule(index=st.integers(0, 30), which=st.sampled_from(["plain", "granted"]))
    def create_claim(self, index, which):
        household, booking_id = self.pick(self.bookings, index)
        response = self.post(
            self.clients[household],
            "/api/v1/claims/",
            {"booking": booking_id, "programme": self.programmes[which].code},
        )
        if response.status_code == 201:
            self.claims.append((household, response.json()["id"]))

    @precondition(lambda self: self.claims)
    @rule(
        index=st.integers(0, 30),
        category=st.sampled_from(CATEGORIES),
        day=st.integers(0, 2),
        amount=st.sampled_from([1234, 3000, 8170]),
        with_receipt=st.booleans(),
    )
    def add_line(self, index, category, day, amount, with_receipt):
        chosen = self.choose(index, "draft", "granted")
        if chosen is None:
            return
        household, claim_id = chosen
        booking = Booking.objects.get(claims__id=claim_id)
        on = booking.check_in + timedelta(days=day % ((booking.check_out - booking.check_in).days + 1))
        body = {"category": category, "date": str(on), "amount_yen": amount, "persons": 1}
        if with_receipt or self.status[claim_id] == "granted":
            body["receipt"] = receipt()
        response = self.clients[household].post(f"/api/v1/claims/{claim_id}/lines/", body, format="multipart")
        assert response.status_code < 500, response.content

    @precondition(lambda self: self.claims)
    @rule(index=st.integers(0, 30), line=st.integers(0, 9))
    def remove_line(self, index, line):
        chosen = self.choose(index, "draft", "granted")
        if chosen is None:
            return
        household, claim_id = chosen
        lines = self.claim_json(household, claim_id)["lines"]
        if lines:
            response = self.clients[household].delete(
                f"/api/v1/claims/{claim_id}/lines/{self.pick(lines, line)['id']}/"
            )
            assert response.status_code < 500, response.content

    def _visitor_action(self, index, action, *statuses):
        chosen = self.choose(index, *statuses)
        if chosen is None:
            return None, None
        household, claim_id = chosen
        before = self.claim_json(household, claim_id)
        response = self.post(self.clients[household], f"/api/v1/claims/{claim_id}/{action}/")
        return before, response

    def _staff_action(self, index, action, *statuses, body=None):
        chosen = self.choose(index, *statuses)
        if chosen is None:
            return None, None
        household, claim_id = chosen
        before = self.claim_json(household, claim_id)
        response = self.post(self.staff, f"/api/v1/claims/{claim_id}/{action}/", body)
        return before, response

    @precondition(lambda self: self.claims)
    @rule(index=st.integers(0, 30))
    def apply(self, index):
        self._visitor_action(index, "apply", "draft")

    @precondition(lambda self: self.claims)
    @rule(index=st.integers(0, 30))
    def grant(self, index):
        self._staff_action(index, "grant", "applied")

    @precondition(lambda self: self.claims)
    @rule(index=st.integers(0, 30))
    def refuse(self, index):
        self._staff_action(index, "refuse", "applied", "granted", body={"reason": "予算超過"})

    @precondition(lambda self: self.claims)
    @rule(index=st.integers(0, 30))
    def submit(self, index):
        """A submission (or a report) pays what the claim showed just before it, unless a limit ran out."""
        before, response = self._visitor_action(index, "submit", "draft", "granted")
        if response is None or response.status_code != 200:
            return
        after = response.json()
        self.frozen_total[after["id"]] = after["total_reimbursable_yen"]
        if before["status"] == "granted":
            shown = {line["id"]: line["reimbursable_yen"] for line in before["lines"] if not line["planned"]}
            paid = {line["id"]: line["reimbursable_yen"] for line in after["lines"] if not line["planned"]}
            self.check("report", paid == shown, (before, after))
            self.check("report", after["total_reimbursable_yen"] == before["total_reimbursable_yen"], (before, after))

    @precondition(lambda self: set(self.status.values()) & {"granted", "approved"})
    @rule(index=st.integers(0, 30))
    def report(self, index):
        """After the stays (once a claim waits for them): time passes, then the claim's visitor submits (a report,
        for a granted claim)."""
        self.today = AFTER
        self.submit(index)

    @precondition(lambda self: self.claims)
    @rule(index=st.integers(0, 30), line=st.integers(0, 9))
    def disallow(self, index, line):
        chosen = self.choose(index, "submitted")
        if chosen is None:
            return
        household, claim_id = chosen
        lines = self.claim_json(household, claim_id)["lines"]
        if lines:
            target = self.pick(lines, line)
            self.post(self.staff, f"/api/v1/claims/{claim_id}/lines/{target['id']}/disallow/", {"reason": "宛名が違う"})

    @precondition(lambda self: self.claims)
    @rule(index=st.integers(0, 30))
    def approve(self, index):
        self._staff_action(index, "approve", "submitted")

    @precondition(lambda self: self.claims)
    @rule(index=st.integers(0, 30))
    def pay(self, index):
        self._staff_action(index, "mark-paid", "approved")

    @rule(which=st.sampled_from(["plain", "granted"]), category=st.sampled_from(["lodging", *CATEGORIES]))
    def edit_programme(self, which, category):
        """Staff lower a cap of a programme (to half, or from the actual cost to ¥2,000)."""
        rule_ = CategoryRule.objects.get(programme=self.programmes[which], category=category)
        rule_.cap_yen = 2000 if rule_.cap_yen is None else rule_.cap_yen // 2 // UNIT * UNIT
        rule_.save()

    # --- what must hold after every step ----------------------------------------------------------------------

    def shown_claims(self):
        """Every claim of both households as its visitor reads them now, one page each."""
        shown = []
        for household, client in enumerate(self.clients):
            response = client.get("/api/v1/claims/", {"page_size": 100})
            assert response.status_code == 200, response.content
            shown += [(household, claim) for claim in response.json()["results"]]
        return shown

    def lodging_of(self, claim) -> int:
        """The lodging a frozen claim fixed, night by night."""
        return sum(ClaimDay.objects.filter(claim_id=claim["id"]).values_list("lodging_yen", flat=True))

    @invariant()
    def figures_hold(self):
        claims = self.shown_claims()
        self.status = {claim["id"]: claim["status"] for _, claim in claims}
        self.shown = {claim["id"]: claim for _, claim in claims}
        bookings = {b.id: b for b in Booking.objects.filter(id__in=[claim["booking"] for _, claim in claims])}
        limits = {
            p.code: p.max_amount_per_household_per_fy
            for p in Programme.objects.filter(id__in=[p.id for p in self.programmes.values()])
        }
        approved = defaultdict(int)
        committed = defaultdict(int)
        per_date = defaultdict(int)
        days = defaultdict(set)
        for owner, claim in claims:
            code, status = claim["programme"], claim["status"]
            total, lodging = claim["total_reimbursable_yen"], claim["lodging_reimbursable_yen"]
            counted = [x for x in claim["lines"] if not x["disallowed_reason"]]
            self.check("rounding", total % UNIT == 0, claim)
            # Rule 37: the lodging shown is the smaller of the lodging and the total after the cuts and rounding.
            self.check("lodging", 0 <= lodging <= total, claim)
            self.check("total", total <= lodging + sum(x["reimbursable_yen"] for x in counted), claim)
            if claim["id"] in self.frozen_total and status in {"submitted", "approved", "paid"}:
                # A frozen claim recomputed from its frozen figures: its lines (less the disallowed ones) and its
                # lodging, rounded, never above what it was frozen at.
                raw = self.lodging_of(claim) + sum(x["reimbursable_yen"] for x in counted)
                self.check("recomputed", total == min(raw - raw % UNIT, self.frozen_total[claim["id"]]), claim)
            if status in {"approved", "paid"}:
                approved[code] += claim["approved_amount_yen"]
            if status in COMMITTING:
                committed[(owner, code)] += (
                    claim["approved_amount_yen"]
                    if status in {"approved", "paid"}
                    else claim["granted_amount_yen"]
                    if status == "granted"
                    else total
                )
                days[(owner, code)] |= set(claim["eligible_dates"])
            if status in LIVE:
                for x in counted:
                    per_date[(owner, code, x["category"], x["date"])] += x["reimbursable_yen"]
            if status in COMMITTING:
                booking = bookings[claim["booking"]]
                self.check("cancelled", booking.is_active, claim)
                if status == "paid":
                    self.check("completed", self.today >= booking.check_out, claim)
        for code, amount in approved.items():
            self.check("budget", amount <= BUDGET, (code, amount))
        for (owner, code), amount in committed.items():
            self.check("household", amount <= limits[code], (owner, code, amount))
        for (owner, code, category, day), paid in per_date.items():
            # Caps only ever go down (edit_programme): every figure was computed under at most the first cap.
            if CAPS[category] is not None:
                self.check("caps", paid <= CAPS[category], (owner, code, category, day, paid))
        for (owner, code), taken in days.items():
            self.check("days", len(taken) <= MAX_DAYS, (owner, code, sorted(taken)))

    # Which of the checks run: all of them here; a narrower set finds how soon one rule alone is broken.
    CHECKS = frozenset(
        {"rounding", "lodging", "total", "recomputed", "budget", "household", "caps", "days", "cancelled"}
        | {"completed", "report"}
    )

    def check(self, name: str, holds: bool, detail) -> None:
        if name in self.CHECKS:
            assert holds, f"{name}: {detail}"


@pytest.fixture
def machine_clock(monkeypatch):
    """One clock for the bookings and the claim services, moved by the machine's `report` step."""
    holder = {}

    def today():
        machine = holder.get("machine")
        return machine.today if machine is not None else BEFORE

    monkeypatch.setattr("bookings.selectors.today", today)
    monkeypatch.setattr(services, "today", today)
    return holder


def test_claims_through_their_whole_life(machine_clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    class Machine(ClaimLife):
        def __init__(self):
            super().__init__()
            machine_clock["machine"] = self

    run_state_machine_as_test(Machine, settings=SETTINGS)
