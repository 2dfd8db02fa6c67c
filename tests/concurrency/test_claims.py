"""Claims raced through a live server on PostgreSQL: the group's day and claim limits and the budget hold."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import requests
from django.db.models import Sum
from rest_framework_simplejwt.tokens import RefreshToken

from bookings.models import Booking
from facilities.models import Facility
from reimbursements import selectors, services
from reimbursements.models import Claim, ClaimDay, Programme
from tests import factories
from tests.reimbursements.factories import make_booking, saku_programme

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def headers(user):
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def race(live_server, calls) -> list[int]:
    """Sends the (user, path) POSTs at the same moment; returns their status codes in order."""
    def post(call):
        user, path = call
        return requests.post(f"{live_server.url}{path}", headers=headers(user), timeout=30).status_code

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(post, calls))


def barrier_before(monkeypatch, module, name, parties=2):
    """Makes both requests reach `module.name` before either goes on (so they are truly concurrent there)."""
    barrier = threading.Barrier(parties, timeout=10)
    original = getattr(module, name)

    def wrapped(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


def barrier_after(monkeypatch, module, name, parties=2):
    """Makes both requests finish reading with `module.name` before either writes."""
    barrier = threading.Barrier(parties, timeout=10)
    original = getattr(module, name)

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(module, name, wrapped)


def without_group_lock(monkeypatch):
    monkeypatch.setattr(services, "_lock_group", lambda visitor_id: None)
    barrier_after(monkeypatch, selectors, "claim_eligible_dates")


# --- the group's day limit ------------------------------------------------------------------------------------------

def overlapping_claims():
    """A stay 12-01→12-04 (4 dates) and day passes on 12-04…12-06 of one group: 6 distinct dates, limit 6."""
    saku_programme()
    visitor = factories.VisitorFactory()
    stay = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4))
    desk = factories.UnitFactory(facility=factories.FacilityFactory(kind=Facility.Kind.COWORKING), price_yen=1500)
    passes = make_booking(visitor=visitor, unit=desk, kind=Booking.Kind.DAY_PASS, check_in=None,
                          dates=[date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 6)])
    claims = [services.claim_create(visitor=visitor, booking_id=b.id) for b in (stay, passes)]
    return visitor, [(visitor, f"/api/v1/claims/{c.id}/submit/") for c in claims]


def test_two_claims_of_a_group_submitted_at_once_share_the_day_limit(live_server, monkeypatch):
    visitor, calls = overlapping_claims()
    barrier_before(monkeypatch, services, "_lock_group")
    assert race(live_server, calls) == [200, 200]
    days = list(ClaimDay.objects.filter(visitor=visitor).values_list("date", flat=True))
    assert len(days) == 6 == len(set(days))


def test_control_without_the_group_lock_both_claim_the_shared_date(live_server, monkeypatch):
    """Both submissions read the group before either writes and both freeze 12-04: only the unique date
    constraint stops the second, so the submission above could not both succeed without the lock."""
    visitor, calls = overlapping_claims()
    without_group_lock(monkeypatch)
    assert sorted(race(live_server, calls)) == [200, 409]


# --- the claims per fiscal year ---------------------------------------------------------------------------------------

def two_trips_one_claim_allowed():
    programme = saku_programme()
    Programme.objects.filter(id=programme.id).update(max_claims_per_fy=1)
    visitor = factories.VisitorFactory()
    trips = [make_booking(visitor=visitor, check_in=date(2026, 12, d), check_out=date(2026, 12, d + 1))
             for d in (1, 10)]
    claims = [services.claim_create(visitor=visitor, booking_id=b.id) for b in trips]
    return visitor, [(visitor, f"/api/v1/claims/{c.id}/submit/") for c in claims]


def test_two_submissions_at_once_respect_the_claims_per_year(live_server, monkeypatch):
    visitor, calls = two_trips_one_claim_allowed()
    barrier_before(monkeypatch, services, "_lock_group")
    assert sorted(race(live_server, calls)) == [200, 409]
    assert Claim.objects.filter(visitor=visitor, status="submitted").count() == 1


def test_control_without_the_group_lock_both_claims_get_through(live_server, monkeypatch):
    visitor, calls = two_trips_one_claim_allowed()
    without_group_lock(monkeypatch)
    assert race(live_server, calls) == [200, 200]
    assert Claim.objects.filter(visitor=visitor, status="submitted").count() == 2


# --- the budget -------------------------------------------------------------------------------------------------------

def two_claims_budget_for_one():
    programme = saku_programme()
    staff = factories.StaffFactory(municipality=programme.municipality)
    calls = []
    for _ in range(2):
        visitor = factories.VisitorFactory()
        booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
        claim = services.claim_submit(claim=services.claim_create(visitor=visitor, booking_id=booking.id),
                                      actor=visitor)
        calls.append((staff, f"/api/v1/claims/{claim.id}/approve/"))
    Programme.objects.filter(id=programme.id).update(budget_yen=claim.total_reimbursable_yen + 1000)
    return programme, calls


def approved_total(programme):
    return Claim.objects.filter(programme=programme, status="approved").aggregate(t=Sum("approved_amount_yen"))["t"]


def test_two_approvals_at_once_never_exceed_the_budget(live_server, monkeypatch):
    programme, calls = two_claims_budget_for_one()
    barrier_before(monkeypatch, services, "_lock_programme")
    assert sorted(race(live_server, calls)) == [200, 409]
    assert approved_total(programme) <= Programme.objects.get(id=programme.id).budget_yen


def test_control_without_the_programme_lock_the_budget_is_exceeded(live_server, monkeypatch):
    programme, calls = two_claims_budget_for_one()
    monkeypatch.setattr(services, "_lock_programme", lambda programme_id: Programme.objects.get(id=programme_id))
    barrier_after(monkeypatch, services, "_budget_spent")
    assert race(live_server, calls) == [200, 200]
    assert approved_total(programme) > Programme.objects.get(id=programme.id).budget_yen
