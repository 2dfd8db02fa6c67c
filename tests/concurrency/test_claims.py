"""Claims raced through a live server on PostgreSQL: the group's day, night, claim and household limits and the
programme's budget hold."""

from datetime import date, timedelta

import pytest
import requests
from django.db.models import Sum
from rest_framework_simplejwt.tokens import RefreshToken

from bookings.models import Booking
from facilities.models import Facility
from reimbursements import selectors, services
from reimbursements.models import CategoryRule, Claim, ClaimDay, Programme
from tests import factories
from tests.concurrency.conftest import REQUEST_SECONDS, pause_after, pause_before, race
from tests.reimbursements.factories import CategoryRuleFactory, ProgrammeFactory, make_booking, saku_programme
from tests.reimbursements.monthly import certified_person, drafted_month, monthly_programme

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def headers(user):
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def post_all(live_server, calls) -> list[int]:
    """Sends the (user, path) POSTs at the same moment; returns their status codes in order. Each racer mints its
    own token, as a client of its own would."""

    def post(user, path):
        return lambda: (
            requests.post(f"{live_server.url}{path}", headers=headers(user), timeout=REQUEST_SECONDS).status_code
        )

    return race([post(user, path) for user, path in calls])


def without_locks(monkeypatch, parties=2):
    """Submissions without the group and programme locks, each reading before any writes."""
    monkeypatch.setattr(services, "_lock_group", lambda visitor_id: None)
    monkeypatch.setattr(services, "_lock_programme", lambda programme_id: Programme.objects.get(id=programme_id))
    pause_after(monkeypatch, services, "_figures", parties)


# --- the group's day limit ------------------------------------------------------------------------------------------


def overlapping_claims():
    """A stay 12-01→12-04 (4 dates) and day passes on 12-04…12-06 of one group: 6 distinct dates, limit 6. The
    shared date 12-04 is frozen by both claims and counted once (spec rule 29)."""
    saku_programme()
    visitor = factories.VisitorFactory()
    stay = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4))
    desk = factories.UnitFactory(facility=factories.FacilityFactory(kind=Facility.Kind.COWORKING), price_yen=1500)
    passes = make_booking(
        visitor=visitor,
        unit=desk,
        kind=Booking.Kind.DAY_PASS,
        check_in=None,
        dates=[date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 6)],
    )
    claims = [services.claim_create(visitor=visitor, booking_id=b.id) for b in (stay, passes)]
    return visitor, [(visitor, f"/api/v1/claims/{c.id}/submit/") for c in claims]


def test_two_claims_of_a_group_submitted_at_once_share_the_day_limit(live_server, monkeypatch):
    visitor, calls = overlapping_claims()
    pause_before(monkeypatch, services, "_lock_group", 2)
    assert post_all(live_server, calls) == [200, 200]
    days = set(ClaimDay.objects.filter(visitor=visitor).values_list("date", flat=True))
    assert len(days) == 6


# --- the claims per fiscal year ---------------------------------------------------------------------------------------


def two_trips_one_claim_allowed():
    programme = saku_programme()
    Programme.objects.filter(id=programme.id).update(max_claims_per_fy=1)
    visitor = factories.VisitorFactory()
    trips = [
        make_booking(visitor=visitor, check_in=date(2026, 12, d), check_out=date(2026, 12, d + 1)) for d in (1, 10)
    ]
    claims = [services.claim_create(visitor=visitor, booking_id=b.id) for b in trips]
    return visitor, [(visitor, f"/api/v1/claims/{c.id}/submit/") for c in claims]


def test_two_submissions_at_once_respect_the_claims_per_year(live_server, monkeypatch):
    visitor, calls = two_trips_one_claim_allowed()
    pause_before(monkeypatch, services, "_lock_group", 2)
    assert sorted(post_all(live_server, calls)) == [200, 409]
    assert Claim.objects.filter(visitor=visitor, status="submitted").count() == 1


def test_control_without_the_group_lock_both_claims_get_through(live_server, monkeypatch):
    visitor, calls = two_trips_one_claim_allowed()
    without_locks(monkeypatch)
    assert post_all(live_server, calls) == [200, 200]
    assert Claim.objects.filter(visitor=visitor, status="submitted").count() == 2


# --- the budget -------------------------------------------------------------------------------------------------------


def two_claims_budget_for_one():
    programme = saku_programme()
    staff = factories.StaffFactory(municipality=programme.municipality)
    calls = []
    for _ in range(2):
        visitor = factories.VisitorFactory()
        booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
        claim = services.claim_submit(
            claim=services.claim_create(visitor=visitor, booking_id=booking.id), actor=visitor
        )
        calls.append((staff, f"/api/v1/claims/{claim.id}/approve/"))
    Programme.objects.filter(id=programme.id).update(budget_yen=claim.total_reimbursable_yen + 1000)
    return programme, calls


def approved_total(programme):
    return Claim.objects.filter(programme=programme, status="approved").aggregate(t=Sum("approved_amount_yen"))["t"]


def test_two_approvals_at_once_never_exceed_the_budget(live_server, monkeypatch):
    programme, calls = two_claims_budget_for_one()
    pause_before(monkeypatch, services, "_lock_programme", 2)
    assert sorted(post_all(live_server, calls)) == [200, 409]
    assert approved_total(programme) <= Programme.objects.get(id=programme.id).budget_yen


def test_control_without_the_programme_lock_the_budget_is_exceeded(live_server, monkeypatch):
    programme, calls = two_claims_budget_for_one()
    monkeypatch.setattr(services, "_lock_programme", lambda programme_id: Programme.objects.get(id=programme_id))
    pause_after(monkeypatch, services, "_budget_spent", 2)
    assert post_all(live_server, calls) == [200, 200]
    assert approved_total(programme) > Programme.objects.get(id=programme.id).budget_yen


# --- twenty submissions of one group: household maximum, days and nights ----------------------------------------------

RACERS = 20


def one_group_twenty_drafts():
    """20 two-date stays of one group, drafted before the programme took its day (10), night (4) and household
    (¥25,000) limits: together they ask for 40 dates, 20 nights and ¥140,000."""
    programme = ProgrammeFactory(max_days_per_group=None)
    CategoryRuleFactory(programme=programme, category="lodging", basis=CategoryRule.Basis.PERSON_NIGHT, cap_yen=7000)
    visitor = factories.VisitorFactory()
    unit = factories.UnitFactory(
        facility=factories.FacilityFactory(municipality=programme.municipality), price_yen=9000
    )
    claims = []
    for n in range(RACERS):
        start = date(2026, 11, 1) + timedelta(days=3 * n)
        booking = make_booking(
            visitor=visitor, unit=unit, check_in=start, check_out=start + timedelta(days=1), price=9000
        )
        claims.append(services.claim_create(visitor=visitor, booking_id=booking.id))
    Programme.objects.filter(id=programme.id).update(
        max_days_per_group=10, max_nights_per_group=4, max_amount_per_household_per_fy=25000
    )
    return programme, visitor, [(visitor, f"/api/v1/claims/{c.id}/submit/") for c in claims]


def test_twenty_submissions_of_a_group_keep_its_limits(live_server, monkeypatch):
    """Within a group every submission computes its share with the same pass over the group's stays, so without
    the lock they mostly agree too; the group lock's control is the claims-per-year race above."""
    programme, visitor, calls = one_group_twenty_drafts()
    pause_before(monkeypatch, services, "_lock_group", RACERS)
    codes = post_all(live_server, calls)
    assert set(codes) <= {200, 409} and 200 in codes
    frozen = Claim.objects.filter(visitor=visitor, status__in=Claim.FROZEN_STATUSES)
    assert 0 < frozen.aggregate(t=Sum("total_reimbursable_yen"))["t"] <= 25000
    days = ClaimDay.objects.filter(visitor=visitor, programme=programme)
    assert 0 < len(set(days.values_list("date", flat=True))) <= 10
    assert 0 < len(set(days.filter(night=True).values_list("date", flat=True))) <= 4


# --- twenty groups racing for one budget ------------------------------------------------------------------------------


def twenty_groups_one_budget():
    """20 groups with an ¥8,000 draft each; the budget holds six and a quarter of them."""
    programme = saku_programme()
    Programme.objects.filter(id=programme.id).update(budget_yen=50000)
    calls = []
    for _ in range(RACERS):
        visitor = factories.VisitorFactory()
        booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
        calls.append(
            (visitor, f"/api/v1/claims/{services.claim_create(visitor=visitor, booking_id=booking.id).id}/submit/")
        )
    return programme, calls


def committed(programme) -> int:
    return sum(
        selectors.committed_yen(c) for c in Claim.objects.filter(programme=programme, status__in=Claim.FROZEN_STATUSES)
    )


def test_twenty_groups_never_commit_more_than_the_budget(live_server, monkeypatch):
    programme, calls = twenty_groups_one_budget()
    pause_before(monkeypatch, services, "_lock_programme", RACERS)
    codes = post_all(live_server, calls)
    assert sorted(codes) == [200] * 7 + [409] * 13
    assert committed(programme) == 50000
    cut = Claim.objects.get(programme=programme, status="submitted", total_reimbursable_yen=2000)
    assert cut.reasons == ["budget_low"]


def test_control_without_the_programme_lock_the_budget_is_overcommitted(live_server, monkeypatch):
    programme, calls = twenty_groups_one_budget()
    without_locks(monkeypatch, parties=RACERS)
    assert post_all(live_server, calls) == [200] * RACERS
    assert committed(programme) > 50000


# --- twenty grants racing for one budget (programmes requiring an application) -----------------------------------------


def twenty_applications_one_budget(monkeypatch):
    """20 groups with an ¥8,000 application each, under a programme requiring applications; the budget holds six
    and a quarter of them. Staff grant all twenty at once."""
    monkeypatch.setattr(services, "today", lambda: date(2026, 11, 1))
    programme = saku_programme()
    Programme.objects.filter(id=programme.id).update(
        budget_yen=50000, requires_application=True, application_deadline_days=7
    )
    staff = factories.StaffFactory(municipality=programme.municipality)
    calls = []
    for _ in range(RACERS):
        visitor = factories.VisitorFactory()
        booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
        claim = services.claim_apply(claim=services.claim_create(visitor=visitor, booking_id=booking.id), actor=visitor)
        calls.append((staff, f"/api/v1/claims/{claim.id}/grant/"))
    return programme, calls


def test_twenty_grants_never_commit_more_than_the_budget(live_server, monkeypatch):
    programme, calls = twenty_applications_one_budget(monkeypatch)
    pause_before(monkeypatch, services, "_lock_programme", RACERS)
    codes = post_all(live_server, calls)
    assert sorted(codes) == [200] * 7 + [409] * 13
    assert committed(programme) == 50000
    granted = Claim.objects.filter(programme=programme, status="granted")
    assert sorted(c.granted_amount_yen for c in granted) == [2000] + [8000] * 6
    assert Claim.objects.filter(programme=programme, status="applied").count() == 13
    assert ClaimDay.objects.filter(programme=programme).count() == 7 * 3


def test_control_without_the_locks_grants_overcommit_the_budget(live_server, monkeypatch):
    programme, calls = twenty_applications_one_budget(monkeypatch)
    without_locks(monkeypatch, parties=RACERS)
    assert post_all(live_server, calls) == [200] * RACERS
    assert committed(programme) > 50000


# --- twenty people racing for a monthly programme's budget of the fiscal year ------------------------------------------


def twenty_people_one_monthly_budget():
    """20 certified people with an ¥8,000 month each (June 2026: fiscal 2026); the year's budget holds six and a
    quarter of them. A month of fiscal 2027 already committed does not count against it."""
    programme = monthly_programme(budget_yen=50000)
    staff = factories.StaffFactory(municipality=programme.municipality)
    calls = []
    for _ in range(RACERS):
        person = certified_person(programme, staff)
        claim = drafted_month(person, programme, date(2026, 6, 1), tickets=(16000,))
        calls.append((person, f"/api/v1/claims/{claim.id}/submit/"))
    other = certified_person(programme, staff, certified_on=date(2027, 3, 10))
    services.claim_submit(claim=drafted_month(other, programme, date(2027, 4, 1), tickets=(40000,)), actor=other)
    return programme, calls


def committed_in(programme, year_start: date) -> int:
    claims = Claim.objects.filter(
        programme=programme,
        status__in=Claim.FROZEN_STATUSES,
        month__gte=year_start,
        month__lt=year_start.replace(year=year_start.year + 1),
    )
    return sum(selectors.committed_yen(c) for c in claims)


def test_twenty_monthly_submissions_never_commit_more_than_the_year_budget(live_server, monkeypatch):
    programme, calls = twenty_people_one_monthly_budget()
    pause_before(monkeypatch, services, "_lock_programme", RACERS)
    codes = post_all(live_server, calls)
    assert sorted(codes) == [200] * 7 + [409] * 13
    assert committed_in(programme, date(2026, 4, 1)) == 50000
    cut = Claim.objects.get(
        programme=programme, month=date(2026, 6, 1), status="submitted", total_reimbursable_yen=2000
    )
    assert cut.reasons == ["budget_low"]
    assert committed_in(programme, date(2027, 4, 1)) == 20000


def test_control_without_the_programme_lock_a_monthly_budget_is_overcommitted(live_server, monkeypatch):
    programme, calls = twenty_people_one_monthly_budget()
    without_locks(monkeypatch, parties=RACERS)
    assert post_all(live_server, calls) == [200] * RACERS
    assert committed_in(programme, date(2026, 4, 1)) > 50000
