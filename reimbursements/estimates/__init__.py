"""The estimate engine: every figure of every estimate and claim, recomputed from the household's whole state.

Four parts: `loader` reads the household's history (its bookings live, cancelled and shortened, its claims in every
status with their lines, grants, disallowed lines and frozen days, the programmes' rules and budgets) in a fixed
number of queries, the only database code here; `rules` holds the pure eligibility rules of docs/subsidies.md;
`calculation` the pure arithmetic of the group pass; `presentation` the estimates and claim figures as the API
shows them. `compute` is the one entry point: a quote, a page of bookings, and claims in any status all go
through it, and no service computes a total from another total."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bookings.models import Booking
from reimbursements.models import Claim

from . import loader, presentation, rules
from .calculation import MemberResult, Party
from .rules import QUOTE, GroupHistory, StayFacts


@dataclass(frozen=True)
class Quote:
    """A stay not booked yet (`visitor` may be None: anonymous)."""

    visitor: Any
    unit: Any
    kind: str
    dates: list[date]
    nights: list[tuple[date, int]]
    adults: int
    children: int
    infants: int


@dataclass
class Figures:
    """What `compute` answers: each booking's `reimbursement` and `reimbursements` by booking id, the quote's, and
    each claim's figures by claim id."""

    bookings: dict[int, dict] = field(default_factory=dict)
    quote: dict | None = None
    claims: dict[int, MemberResult] = field(default_factory=dict)


def compute(*, bookings=(), quote: Quote | None = None, claims=(), reports=()) -> Figures:
    """Every figure of the estimates of `bookings` and of `quote`, and of `claims` (whatever their status), from one
    read of their households' history; the granted claims named in `reports` (by id) as their reports, being
    submitted. A claim whose lines were not loaded gets them from the same reads, ready for the figures to be
    written onto them (`presentation.apply_figures`)."""
    figures = Figures()
    bookings, claims = list(bookings), list(claims)
    if bookings:
        figures.bookings = _booking_estimates(bookings)
    if quote is not None:
        figures.quote = _quote_estimates(quote)
    if claims:
        figures.claims = _claim_figures(claims, set(reports))
    return figures


def _booking_estimates(bookings: list[Booking]) -> dict[int, dict]:
    """Which programmes may cover the bookings is asked first; when none may, that is the only query (rule 16's
    empty estimate needs the visitor's declared home, nothing of the history)."""
    outlines = {b.id: loader.outline(b) for b in bookings}
    programmes = loader.programmes_for(towns={o.municipality_id for o in outlines.values()}, booking_ids=list(outlines))
    covering = loader.covering_of(programmes, outlines.values())
    visitor_ids = {b.visitor_id for b in bookings}
    visitors = [b.visitor for b in bookings if Booking.visitor.is_cached(b)]
    if not covering:
        history = GroupHistory(programmes=programmes)
        loader.load_homes(history, visitor_ids, visitors)
        return {b.id: presentation.estimates_of(history, outlines[b.id]) for b in bookings}
    history, targets = loader.load_history(
        visitor_ids=visitor_ids,
        extra_booking_ids=list(outlines),
        visitors=visitors,
        programmes=programmes,
        covering=covering,
    )
    loader.load_requirements(history, [targets[b.id] for b in bookings])
    return {b.id: presentation.estimates_of(history, targets[b.id]) for b in bookings}


def _quote_estimates(quote: Quote) -> dict:
    visitor = quote.visitor
    visitor_id = visitor.id if visitor is not None and visitor.is_authenticated else None
    target = StayFacts(
        key=QUOTE,
        municipality_id=quote.unit.facility.municipality_id,
        kind=quote.kind,
        check_in=min(quote.dates),
        dates=tuple(sorted(set(quote.dates))),
        nights=list(quote.nights),
        party=Party(quote.adults, quote.children, quote.infants),
        visitor_id=visitor_id,
    )
    programmes = loader.programmes_for(towns={target.municipality_id}, booking_ids=[])
    covering = loader.covering_of(programmes, [target])
    visitor_ids = {visitor_id} if visitor_id else set()
    visitors = [visitor] if visitor_id else []
    if covering:
        history, _ = loader.load_history(
            visitor_ids=visitor_ids, visitors=visitors, programmes=programmes, covering=covering
        )
    else:
        history = GroupHistory(programmes=programmes)
        loader.load_homes(history, visitor_ids, visitors)
    return presentation.estimates_of(history, target)


def _claim_figures(claims: list[Claim], reports: set) -> dict[int, MemberResult]:
    monthly = [c for c in claims if c.is_monthly]
    stays = [c for c in claims if not c.is_monthly]
    figures = _monthly_figures(monthly) if monthly else {}
    if stays:
        figures.update(_stay_claim_figures(stays, reports))
    return figures


def _monthly_figures(claims: list[Claim]) -> dict[int, MemberResult]:
    """A monthly programme's claims (rules 45-50): each from its month's lines, the person's other months and what
    the budget of the month's fiscal year has committed."""
    history = loader.load_monthly(
        visitor_ids={c.visitor_id for c in claims}, programme_ids={c.programme_id for c in claims}
    )
    figures = {}
    for claim in claims:
        facts = history.claims.get(claim.id)
        if facts is None:
            # Not live (withdrawn, rejected): its figures are those it ended with.
            continue
        if "lines" not in getattr(claim, "_prefetched_objects_cache", {}):
            loader.cache_related(claim, "lines", history.rows[claim.id].lines.all())
        figures[claim.id] = rules.monthly_claim_result(history, history.programmes[claim.programme_id], facts)
    return figures


def _stay_claim_figures(claims: list[Claim], reports: set) -> dict[int, MemberResult]:
    history, targets = loader.load_history(
        visitor_ids={c.visitor_id for c in claims},
        extra_booking_ids=[c.booking_id for c in claims],
        visitors=[c.visitor for c in claims if Claim.visitor.is_cached(c)],
        programme_ids={c.programme_id for c in claims},
    )
    programmes = {p.id: p for p in history.programmes}
    figures = {}
    for claim in claims:
        loaded = history.claims.get(claim.id)
        if loaded is not None and "lines" not in getattr(claim, "_prefetched_objects_cache", {}):
            loader.cache_related(claim, "lines", loaded.lines.all())
        programme = programmes.get(claim.programme_id) or claim.programme
        if programme.id not in programmes:
            history.programmes.append(programme)
            programmes[programme.id] = programme
        facts = history.live.get(claim.booking_id)
        if facts is None or facts.id != claim.id or claim.booking_id is None:
            # Not live (withdrawn, rejected, refused, cancelled): its figures are those it ended with.
            continue
        figures[claim.id] = rules.claim_result(
            history, programme, facts, targets[claim.booking_id], report=claim.id in reports
        )
        figures[claim.id].terms = facts.terms_under(programme)
    return figures
