"""The demo history of Saku (seed_demo): the figures its staff see, and a second run that duplicates nothing."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from bookings.models import Booking
from outcomes.models import Move, Survey
from reimbursements.models import Claim, ClaimDay
from tests.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_saku_staff_see_the_demo_figures_and_a_second_run_changes_nothing():
    seed()
    counts = [model.objects.count() for model in (User, Booking, Claim, ClaimDay, Survey, Move)]
    seed()
    assert [model.objects.count() for model in (User, Booking, Claim, ClaimDay, Survey, Move)] == counts

    staff = client_for(User.objects.get(email="staff@demo.otameshi.jp"))
    previous = staff.get("/api/v1/kpis/", {"programme": "saku-trial-stay-2025"}).json()
    assert (previous["budget_yen"], previous["budget_committed_yen"], previous["budget_left_yen"]) == (
        2_000_000,
        73_500,
        1_926_500,
    )
    assert previous["fiscal_years"] == [
        {
            "fiscal_year": 2025,
            "households_paid": 7,
            "households_approved": 0,
            "stays": 7,
            "days": 29,
            "nights": 23,
            "yen_approved": 73_500,
            "yen_paid": 73_500,
            "yen_granted": 0,
            "survey_answers": {"within_a_year": 2, "later": 2, "undecided": 1, "no": 2, "total": 7},
            "households_moved": 3,
            "conversion_rate": 0.4286,
            "median_days_to_move": 224.0,
            "certified_people": 0,
            "active_months": 0,
        }
    ]

    current = staff.get("/api/v1/kpis/", {"programme": "saku-trial-stay-2026"}).json()
    # The submitted claim commits its total too (¥6,000), as submissions are checked against the budget.
    assert (current["budget_yen"], current["budget_committed_yen"], current["budget_left_yen"]) == (None, 77_500, None)
    assert current["fiscal_years"] == [
        {
            "fiscal_year": 2026,
            "households_paid": 4,
            "households_approved": 1,
            "stays": 6,
            "days": 26,
            "nights": 21,
            "yen_approved": 71_500,
            "yen_paid": 62_500,
            "yen_granted": 0,
            "survey_answers": {"within_a_year": 2, "later": 1, "undecided": 2, "no": 0, "total": 5},
            "households_moved": 2,
            "conversion_rate": 0.5000,
            "median_days_to_move": 239.5,
            "certified_people": 0,
            "active_months": 0,
        }
    ]

    # Four of the ten households paid for a stay moved (the demo commuter aside); one more reported a move the staff have yet to confirm.
    paid = set(
        Claim.objects.filter(status=Claim.Status.PAID, booking__isnull=False).values_list("visitor_id", flat=True)
    )
    assert len(paid) == 10
    assert Move.objects.filter(confirmed_at__isnull=False, visitor_id__in=paid).count() == 4
    pending = staff.get("/api/v1/moves/").json()["results"]
    assert [move["confirmed"] for move in pending].count(False) == 1
