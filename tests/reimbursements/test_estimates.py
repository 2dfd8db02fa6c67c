"""The estimate functions the bookings API calls: quotes, bulk estimates in fixed queries, database constraints."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from bookings.models import Booking
from reimbursements import estimates, services
from reimbursements.estimates import loader, presentation
from reimbursements.models import CategoryRule, Claim, ClaimDay, Programme
from tests import factories
from tests.reimbursements.factories import CategoryRuleFactory, ProgrammeFactory, make_booking, saku_programme
from tests.reimbursements.helpers import book, booking_detail

pytestmark = pytest.mark.django_db


def estimate_for_quote(**stay) -> dict:
    """The quote's `reimbursement` (the first of its estimates)."""
    return estimates.compute(quote=estimates.Quote(**stay)).quote["reimbursement"]


def estimate_sets_for_bookings(*, bookings) -> dict:
    return estimates.compute(bookings=bookings).bookings


def estimates_for_bookings(*, bookings) -> dict:
    return {key: value["reimbursement"] for key, value in estimate_sets_for_bookings(bookings=bookings).items()}


@pytest.fixture
def programme(saku):
    return saku_programme()


def test_quote_counts_as_one_more_booking_of_the_group(programme, visitor):
    make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4))
    unit = factories.UnitFactory()
    dates = [date(2026, 12, 10) + timedelta(days=i) for i in range(4)]
    body = estimate_for_quote(
        visitor=visitor,
        unit=unit,
        kind="stay",
        dates=dates,
        nights=[(d, 5000) for d in dates[:-1]],
        adults=1,
        children=0,
        infants=0,
    )
    assert (body["eligible_days"], body["eligible_nights"], body["lodging_reimbursable_yen"]) == (2, 1, 4000)
    assert body["group_days_remaining"] == 0


def test_anonymous_quote_has_no_history(programme):
    dates = [date(2026, 12, 10), date(2026, 12, 11)]
    body = estimate_for_quote(
        visitor=None,
        unit=factories.UnitFactory(),
        kind="stay",
        dates=dates,
        nights=[(dates[0], 6500)],
        adults=1,
        children=0,
        infants=0,
    )
    assert body["eligible"] is True and body["lodging_reimbursable_yen"] == 4000


def test_bulk_estimates_cost_a_fixed_number_of_queries(programme, django_assert_num_queries):
    bookings = []
    for n in range(6):
        visitor = factories.VisitorFactory()
        for week in range(2):
            start = date(2026, 12, 1) + timedelta(days=7 * week + n)
            bookings.append(make_booking(visitor=visitor, check_in=start, check_out=start + timedelta(days=2)))
    # Which programmes may cover them, those with their rules and budgets, the bookings with their lines, the
    # claims with theirs.
    with django_assert_num_queries(4):
        estimates = estimates_for_bookings(bookings=bookings)
    assert len(estimates) == 12
    assert all(e["eligible"] for e in estimates.values())


def test_a_group_with_frozen_and_draft_claims_costs_the_same_four_queries(programme, django_assert_num_queries):
    visitor = factories.VisitorFactory()
    first = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    services.claim_submit(claim=services.claim_create(visitor=visitor, booking_id=first.id), actor=visitor)
    second = make_booking(visitor=visitor, check_in=date(2026, 12, 10), check_out=date(2026, 12, 11))
    services.claim_create(visitor=visitor, booking_id=second.id)
    later = make_booking(visitor=visitor, check_in=date(2026, 12, 20), check_out=date(2026, 12, 25))

    with django_assert_num_queries(4):
        estimate = estimates_for_bookings(bookings=[later])[later.id]

    # Six days per group: the submission froze three (12-01 to 12-03), the draft holds two; one is left.
    assert (estimate["stay_days"], estimate["eligible_days"], estimate["group_days_remaining"]) == (6, 1, 0)


def test_a_date_cannot_be_frozen_twice_for_a_group(programme, visitor):
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 2))
    claim = Claim.objects.create(booking=booking, visitor=visitor, programme=programme, status="submitted")
    ClaimDay.objects.create(claim=claim, visitor=visitor, programme=programme, date=date(2026, 12, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimDay.objects.create(claim=claim, visitor=visitor, programme=programme, date=date(2026, 12, 1))


def test_one_live_claim_per_booking_is_a_database_rule(programme, visitor):
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 2))
    Claim.objects.create(booking=booking, visitor=visitor, programme=programme, status="submitted")
    Claim.objects.create(booking=booking, visitor=visitor, programme=programme, status="rejected")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(booking=booking, visitor=visitor, programme=programme, status="draft")


@pytest.mark.parametrize("change", [{"cost_share_percent": 101}])
def test_category_rule_constraints(programme, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryRule.objects.filter(programme=programme, category="taxi").update(**change)


def test_programme_window_must_be_ordered(programme):
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(id=programme.id).update(valid_until=date(2026, 1, 1))


def test_demo_seed_is_idempotent(programme):
    from reimbursements import demo

    demo.seed()
    assert Programme.objects.count() == 1 and CategoryRule.objects.count() == 7


def test_days_remaining_are_counted_after_each_booking(programme, booking_clock, visitor_client):
    """`group_days_remaining` is what the group has left after this booking: a later trip does not lower it."""
    unit = factories.UnitFactory()
    first = book(visitor_client, unit, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4))
    assert first["reimbursement"]["group_days_remaining"] == 2
    later = book(visitor_client, unit, check_in=date(2026, 12, 20), check_out=date(2026, 12, 22))
    assert (later["reimbursement"]["eligible_days"], later["reimbursement"]["group_days_remaining"]) == (2, 0)
    assert booking_detail(visitor_client, first["id"])["reimbursement"]["group_days_remaining"] == 2


# --- what an estimate reads: the covering programmes first, then only what their group pass sees ------------------


def test_a_booking_no_programme_covers_reads_only_the_programmes(programme, visitor, django_assert_num_queries):
    elsewhere = factories.matsue()
    for week in range(5):
        start = date(2026, 12, 1) + timedelta(days=7 * week)
        make_booking(visitor=visitor, check_in=start, check_out=start + timedelta(days=2), municipality=elsewhere)
    booking = make_booking(
        visitor=visitor, check_in=date(2027, 2, 1), check_out=date(2027, 2, 3), municipality=elsewhere
    )

    with django_assert_num_queries(1):
        estimates = estimate_sets_for_bookings(bookings=[booking])[booking.id]

    assert estimates["reimbursements"] == []
    assert estimates["reimbursement"]["programme"] is None
    assert estimates["reimbursement"]["reasons"] == ["outside_programme_area"]
    assert estimates["reimbursement"]["requirements"] == [{"code": "home_municipality", "met": True}]


def test_a_booking_outside_every_window_reads_only_the_programmes(programme, visitor, django_assert_num_queries):
    make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    booking = make_booking(visitor=visitor, check_in=date(2027, 4, 2), check_out=date(2027, 4, 4))

    # Which programmes may cover it, then the town's programme (its window is the nearest, and named).
    with django_assert_num_queries(2):
        estimate = estimates_for_bookings(bookings=[booking])[booking.id]

    assert (estimate["programme"], estimate["reasons"]) == (programme.code, ["outside_validity_window"])


def test_a_quote_no_programme_covers_reads_only_the_programmes(programme, visitor, django_assert_num_queries):
    make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    unit = factories.UnitFactory(facility=factories.FacilityFactory(municipality=factories.matsue()))
    dates = [date(2026, 12, 10), date(2026, 12, 11)]

    with django_assert_num_queries(1):
        body = estimate_for_quote(
            visitor=visitor,
            unit=unit,
            kind="stay",
            dates=dates,
            nights=[(dates[0], 6500)],
            adults=1,
            children=0,
            infants=0,
        )

    assert body["reasons"] == ["outside_programme_area"]


def test_a_booking_with_a_live_claim_under_a_retired_programme_is_still_covered(programme, visitor):
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    services.claim_create(visitor=visitor, booking_id=booking.id)
    Programme.objects.filter(id=programme.id).update(is_active=False)

    estimates = estimate_sets_for_bookings(bookings=[booking])[booking.id]

    assert [e["programme"] for e in estimates["reimbursements"]] == [programme.code]
    assert estimates["reimbursement"]["eligible"] is True


def _whole_history_estimates(bookings):
    """The estimates as they were computed before the reads were bounded: from the groups' whole history."""
    history, targets = loader.load_history(
        visitor_ids={b.visitor_id for b in bookings}, extra_booking_ids=[b.id for b in bookings]
    )
    loader.load_requirements(history, [targets[b.id] for b in bookings])
    return {b.id: presentation.estimates_of(history, targets[b.id]) for b in bookings}


def test_a_covered_booking_reads_only_the_history_its_programmes_see(programme, visitor, monkeypatch):
    """Bookings in another town, under another programme (one with a submitted claim), change nothing of Saku's
    figures: they are not read, and the estimates equal those computed from the whole history."""
    other_town = factories.matsue()
    other = ProgrammeFactory(municipality=other_town, max_days_per_group=3)
    CategoryRuleFactory(programme=other)
    elsewhere = [
        make_booking(
            visitor=visitor,
            check_in=date(2026, 11, 1 + 7 * n),
            check_out=date(2026, 11, 3 + 7 * n),
            municipality=other_town,
        )
        for n in range(3)
    ]
    services.claim_submit(claim=services.claim_create(visitor=visitor, booking_id=elsewhere[0].id), actor=visitor)
    saku_stays = [
        make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4), adults=2),
        make_booking(
            visitor=visitor, kind=Booking.Kind.DAY_PASS, check_in=date(2026, 12, 2), dates=[date(2026, 12, 2)]
        ),
    ]
    submitted = services.claim_create(visitor=visitor, booking_id=saku_stays[0].id)
    services.claim_submit(claim=submitted, actor=visitor)
    target = make_booking(visitor=visitor, check_in=date(2026, 12, 10), check_out=date(2026, 12, 14))
    read = []
    facts_of = loader.facts_of
    monkeypatch.setattr(loader, "facts_of", lambda booking: read.append(booking.id) or facts_of(booking))

    estimates = estimate_sets_for_bookings(bookings=[target])

    assert sorted(read) == sorted([*(b.id for b in saku_stays), target.id])
    assert estimates == _whole_history_estimates([target])
    # Six days per group: the submitted claim froze four (12-01 to 12-04), so two are left for the target.
    assert (
        estimates[target.id]["reimbursement"]["eligible_days"],
        estimates[target.id]["reimbursement"]["group_days_remaining"],
    ) == (2, 0)


def test_bounded_reads_give_the_whole_history_figures_for_a_page_of_two_towns(programme, visitor):
    """A page of bookings in two covered towns (and one in a town without a programme): each estimate equals the
    one computed from the whole history."""
    other_town = factories.matsue()
    other = ProgrammeFactory(municipality=other_town, max_days_per_group=3, max_amount_per_household_per_fy=10000)
    CategoryRuleFactory(programme=other)
    page = [
        make_booking(visitor=visitor, check_in=date(2026, 11, 1), check_out=date(2026, 11, 5), municipality=other_town),
        make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3)),
        make_booking(visitor=visitor, check_in=date(2026, 12, 8), check_out=date(2026, 12, 12)),
        make_booking(
            visitor=visitor,
            check_in=date(2026, 12, 20),
            check_out=date(2026, 12, 22),
            municipality=factories.MunicipalityFactory(),
        ),
    ]
    services.claim_create(visitor=visitor, booking_id=page[1].id)

    estimates = estimate_sets_for_bookings(bookings=page)

    assert estimates == _whole_history_estimates(page)
    assert [estimates[b.id]["reimbursement"]["eligible"] for b in page] == [True, True, True, False]
