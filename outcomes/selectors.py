"""Reads of outcomes: a booking's survey, the answers and moves staff see, and the figures a town reports."""

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min, QuerySet

from bookings.errors import BookingNotFound
from bookings.models import Booking
from bookings.selectors import parse_id
from reimbursements.estimates.rules import add_months
from reimbursements.models import Certification, Claim, ClaimDay, Programme

from .errors import MoveNotFound, SurveyNotFound
from .models import Move, Survey

# The conversion rate is a share with four decimal places ("0.4000"); the median days one place ("123.5").
RATE_PLACES = Decimal("0.0001")
DAYS_PLACES = Decimal("0.1")


def survey_answered(*, booking_id: int) -> bool:
    """Registered into reimbursements' `survey_answered` hook (a programme's `survey` requirement)."""
    return Survey.objects.filter(booking_id=booking_id).exists()


def move_confirmed(*, visitor_id: int, municipality_id: int, moved_on: date) -> bool:
    """Registered into reimbursements' `move_confirmed` hook (a monthly programme's certification, rule 42)."""
    return Move.objects.filter(
        visitor_id=visitor_id, municipality_id=municipality_id, moved_on=moved_on, confirmed_at__isnull=False
    ).exists()


def booking_of_visitor(*, user, booking_id) -> Booking:
    booking_id = parse_id(booking_id)
    booking = (
        Booking.objects.filter(id=booking_id, visitor=user).select_related("unit__facility").first()
        if booking_id
        else None
    )
    if booking is None:
        raise BookingNotFound()
    return booking


def survey_get(*, user, booking_id) -> Survey:
    """The survey of a booking: its visitor's, or one of the town's bookings for its staff."""
    booking_id = parse_id(booking_id)
    surveys = Survey.objects.filter(booking_id=booking_id) if booking_id else Survey.objects.none()
    if user.is_visitor:
        if not Booking.objects.filter(id=booking_id, visitor=user).exists():
            raise BookingNotFound()
        surveys = surveys.filter(visitor=user)
    else:
        if not Booking.objects.filter(id=booking_id, unit__facility__municipality_id=user.municipality_id).exists():
            raise BookingNotFound()
    survey = surveys.first()
    if survey is None:
        raise SurveyNotFound()
    return survey


def _programme_bookings(programme: Programme) -> QuerySet[Booking]:
    """The bookings a programme covers: in its town, checking in within its window."""
    return Booking.objects.filter(
        unit__facility__municipality_id=programme.municipality_id,
        check_in__gte=programme.valid_from,
        check_in__lte=programme.valid_until,
    )


def survey_list_for_programme(*, programme: Programme) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(booking__in=_programme_bookings(programme))
        .select_related("booking")
        .order_by("-answered_at", "-id")
    )


def move_list(*, user) -> QuerySet[Move]:
    """A visitor's own moves; a staff member's town's."""
    moves = Move.objects.select_related("municipality")
    if user.is_visitor:
        return moves.filter(visitor=user)
    if user.is_municipal_staff:
        return moves.filter(municipality_id=user.municipality_id)
    return moves.none()


def move_get_for_staff(*, user, move_id) -> Move:
    move_id = parse_id(move_id)
    move = move_list(user=user).filter(id=move_id).first() if move_id else None
    if move is None:
        raise MoveNotFound()
    return move


# --- the figures a town reports --------------------------------------------------------------------------------


def fiscal_years_of(programme: Programme) -> list[int]:
    last = programme.valid_until
    if programme.is_monthly:
        # The last month a person moving on the last day counted may be paid (rules 42 and 44).
        last = add_months(
            last,
            (programme.certification_window_months or 0)
            + programme.first_month_offset
            + (programme.period_months or 1),
        )
    return list(range(programme.fiscal_year_of(programme.valid_from), programme.fiscal_year_of(last) + 1))


@dataclass
class _Year:
    paid: set = field(default_factory=set)
    approved: set = field(default_factory=set)
    stays: set = field(default_factory=set)
    days: int = 0
    nights: int = 0
    yen_approved: int = 0
    yen_paid: int = 0
    yen_granted: int = 0
    intentions: dict = field(default_factory=lambda: {choice: 0 for choice in Survey.Intention.values})


def _rounded(value, places: Decimal) -> str:
    return str(Decimal(value).quantize(places, rounding=ROUND_HALF_UP))


def programme_kpis(*, programme: Programme, fiscal_year: int | None = None) -> dict:
    """The programme's figures per fiscal year (a claim's and a survey's year is their booking's check-in's).

    Five queries whatever the history's size: the programme's claims, their frozen days, the households' first
    paid stay in the town, the town's confirmed moves, and the surveys of the programme's bookings."""
    S = Claim.Status
    years = fiscal_years_of(programme)
    if fiscal_year is not None:
        years = [fiscal_year]
    if programme.is_monthly:
        return _monthly_kpis(programme, years)
    figures = {year: _Year() for year in years}
    fy = programme.fiscal_year_of

    claims = list(
        Claim.objects.filter(programme=programme).values_list(
            "id",
            "visitor_id",
            "booking_id",
            "status",
            "approved_amount_yen",
            "booking__check_in",
            "total_reimbursable_yen",
            "granted_amount_yen",
            "booking__kind",
            "booking__check_out",
        )
    )
    committed = 0
    # Each frozen claim's fiscal year, and the first day after its stay's nights (None: a day pass has none).
    frozen_claims: dict[int, tuple[_Year, date | None]] = {}
    for claim in claims:
        claim_id, visitor_id, booking_id, status, approved_yen, check_in, total_yen, granted_yen = claim[:8]
        kind, check_out = claim[8:]
        year = figures.get(fy(check_in))
        if status in Claim.FROZEN_STATUSES:
            # What the budget check of submissions and grants counts (spec rule 37).
            committed += total_yen if approved_yen is None else approved_yen
            if year is not None:
                frozen_claims[claim_id] = (year, check_out if kind == Booking.Kind.STAY else None)
        if year is None:
            continue
        if status in Claim.LIVE_STATUSES:
            year.stays.add(booking_id)
        if granted_yen is not None and status in Claim.FROZEN_STATUSES:
            year.yen_granted += granted_yen
        if status in (S.APPROVED, S.PAID):
            year.yen_approved += approved_yen or 0
        if status == S.APPROVED:
            year.approved.add(visitor_id)
        if status == S.PAID:
            year.paid.add(visitor_id)
            year.yen_paid += approved_yen or 0

    # A frozen day is a night of the stay when the stay goes on after it (check-out day is a day, not a night).
    # The programme's days are read alone (its index) and matched to the claims read above: joining them to
    # their claims and bookings in SQL made the planner scan every claim of every programme.
    for claim_id, day in ClaimDay.objects.filter(programme=programme).values_list("claim_id", "date").order_by():
        frozen = frozen_claims.get(claim_id)
        if frozen is not None:
            year, nights_end = frozen
            year.days += 1
            year.nights += nights_end is not None and day < nights_end

    # A move counts for every programme of the town the household was paid by; it is a conversion when it comes
    # on or after the household's first paid stay in the town.
    paid_households = set().union(*(year.paid for year in figures.values())) if figures else set()
    first_stays = dict(
        Claim.objects.filter(
            programme__municipality_id=programme.municipality_id, status=S.PAID, visitor_id__in=paid_households
        )
        .values("visitor_id")
        .annotate(first=Min("booking__check_in"))
        .values_list("visitor_id", "first")
    )
    moved_on: dict[int, date] = {}
    for visitor_id, day in (
        Move.objects.filter(
            municipality_id=programme.municipality_id, confirmed_at__isnull=False, visitor_id__in=paid_households
        )
        .order_by("moved_on")
        .values_list("visitor_id", "moved_on")
    ):
        if day >= first_stays[visitor_id] and visitor_id not in moved_on:
            moved_on[visitor_id] = day

    surveys = Survey.objects.filter(booking__in=_programme_bookings(programme)).values_list(
        "intention", "booking__check_in"
    )
    for intention, check_in in surveys:
        year = figures.get(fy(check_in))
        if year is not None:
            year.intentions[intention] += 1

    result_years = []
    for year_number, year in figures.items():
        moved = sorted(visitor for visitor in year.paid if visitor in moved_on)
        waits = [(moved_on[visitor] - first_stays[visitor]).days for visitor in moved]
        result_years.append(
            {
                "fiscal_year": year_number,
                "households_paid": len(year.paid),
                "households_approved": len(year.approved),
                "stays": len(year.stays),
                "days": year.days,
                "nights": year.nights,
                "yen_approved": year.yen_approved,
                "yen_paid": year.yen_paid,
                "yen_granted": year.yen_granted,
                "survey_answers": {**year.intentions, "total": sum(year.intentions.values())},
                "households_moved": len(moved),
                "conversion_rate": _rounded(Decimal(len(moved)) / len(year.paid), RATE_PLACES) if year.paid else None,
                "median_days_to_move": _rounded(statistics.median(waits), DAYS_PLACES) if waits else None,
                **NO_MONTHLY_FIGURES,
            }
        )
    budget = programme.budget_yen
    return {
        "programme": programme.code,
        "budget_yen": budget,
        "budget_committed_yen": committed,
        "budget_left_yen": max(0, budget - committed) if budget is not None else None,
        "fiscal_years": result_years,
    }


# --- monthly programmes' figures ----------------------------------------------------------------------------------

NO_MONTHLY_FIGURES = {"certified_people": 0, "active_months": 0}


def _monthly_kpis(programme: Programme, years: list[int]) -> dict:
    """A monthly programme's figures per fiscal year, beside the stays' (whose figures are 0 here): the people
    certified in the year, the months approved or paid (a month's year is its own), the yen approved and paid.
    Two queries."""
    S = Claim.Status
    fy = programme.fiscal_year_of
    figures = {year: _Year() for year in years}
    certified: dict[int, set] = {year: set() for year in years}
    for visitor_id, certified_on in Certification.objects.filter(
        programme=programme, certified_on__isnull=False
    ).values_list("visitor_id", "certified_on"):
        if fy(certified_on) in certified:
            certified[fy(certified_on)].add(visitor_id)
    months = {year: 0 for year in years}
    committed = 0
    rows = Claim.objects.filter(programme=programme, month__isnull=False).values_list(
        "visitor_id", "status", "month", "approved_amount_yen", "total_reimbursable_yen"
    )
    for visitor_id, status, month, approved_yen, total_yen in rows:
        if status in Claim.FROZEN_STATUSES:
            committed += approved_yen if approved_yen is not None else total_yen
        year = figures.get(fy(month))
        if year is None:
            continue
        if status in (S.APPROVED, S.PAID):
            months[fy(month)] += 1
            year.yen_approved += approved_yen or 0
        if status == S.APPROVED:
            year.approved.add(visitor_id)
        if status == S.PAID:
            year.paid.add(visitor_id)
            year.yen_paid += approved_yen or 0
    budget = programme.budget_yen
    return {
        "programme": programme.code,
        "budget_yen": budget,
        "budget_committed_yen": committed,
        "budget_left_yen": max(0, budget - committed) if budget is not None else None,
        "fiscal_years": [
            {
                "fiscal_year": number,
                "households_paid": len(year.paid),
                "households_approved": len(year.approved),
                "stays": 0,
                "days": 0,
                "nights": 0,
                "yen_approved": year.yen_approved,
                "yen_paid": year.yen_paid,
                "yen_granted": 0,
                "survey_answers": {**year.intentions, "total": 0},
                "households_moved": 0,
                "conversion_rate": None,
                "median_days_to_move": None,
                "certified_people": len(certified[number]),
                "active_months": months[number],
            }
            for number, year in figures.items()
        ],
    }
