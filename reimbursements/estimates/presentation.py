"""The presentation of the engine's figures: the estimate of each programme for a quote or booking (rule 16's
order, its empty estimate), and a claim's figures copied onto the claim and its lines."""

from bookings.models import Booking
from reimbursements.models import Claim, ExpenseLine, Programme

from . import calculation
from .calculation import MemberResult, Party, Terms
from .rules import (
    BOOKING_CANCELLED,
    OUTSIDE_PROGRAMME_AREA,
    OUTSIDE_VALIDITY_WINDOW,
    QUOTE,
    REFUSING_REASONS,
    GroupHistory,
    Home,
    StayFacts,
    covers,
    group_pass_of,
    requirements,
    requirements_of,
    terms_of,
)

# --- the estimate -----------------------------------------------------------------------------------------------------


def _caps(terms: Terms, party: Party) -> list[dict]:
    counted = calculation.counted_party(party, terms.max_party_size)
    caps = []
    for rule in terms.rules:
        key = "per_night_cap_yen" if rule.basis in calculation.PER_NIGHT_BASES else "per_day_cap_yen"
        caps.append(
            {
                "category": rule.category,
                "basis": rule.basis,
                "cap_yen": rule.cap_yen,
                key: calculation.party_cap(rule, counted),
            }
        )
    return caps


def _empty(programme: Programme | None, reasons: list[str], home: Home) -> dict:
    """Rule 16's estimate when no programme covers the booking."""
    return {
        "programme": programme.code if programme else None,
        "programme_name": programme.localized("name") if programme else None,
        "eligible": False,
        "reasons": reasons,
        "stay_days": 0,
        "eligible_days": 0,
        "eligible_nights": 0,
        "max_days_per_group": programme.max_days_per_group if programme else 0,
        "group_days_remaining": 0,
        "max_nights_per_group": programme.max_nights_per_group if programme else None,
        "group_nights_remaining": 0 if programme and programme.max_nights_per_group is not None else None,
        "caps": [],
        "lodging_reimbursable_yen": 0,
        "total_reimbursable_yen": 0,
        "requirements": requirements_of(home),
    }


def _estimate(
    programme: Programme, target: StayFacts, result: MemberResult, home: Home, requirements: list[dict]
) -> dict:
    terms = terms_of(programme)
    reasons = list(result.reasons)
    eligible = result.eligible
    if not target.active:
        reasons, eligible = [BOOKING_CANCELLED], False
    shown = eligible or not (set(reasons) & set(REFUSING_REASONS))
    return {
        "programme": programme.code,
        "programme_name": programme.localized("name"),
        "eligible": eligible,
        "reasons": reasons,
        "stay_days": len(target.dates),
        "eligible_days": len(result.eligible_dates) if shown else 0,
        # Rule 31: a day pass has no nights.
        "eligible_nights": len(result.eligible_nights) if shown and target.kind == Booking.Kind.STAY else 0,
        "max_days_per_group": programme.max_days_per_group,
        "group_days_remaining": result.days_remaining,
        "max_nights_per_group": programme.max_nights_per_group,
        "group_nights_remaining": result.nights_remaining,
        "caps": _caps(terms, target.party),
        "lodging_reimbursable_yen": result.lodging_shown_yen if shown else 0,
        "total_reimbursable_yen": result.total_yen if shown else 0,
        "requirements": requirements,
    }


def _sort_key(estimate: dict, claimed_under: str | None) -> tuple:
    """Rule 16: the programme of the live claim first, then eligible, then the larger total, then the code."""
    return (
        estimate["programme"] != claimed_under,
        not estimate["eligible"],
        -estimate["total_reimbursable_yen"],
        estimate["programme"],
    )


def estimates_of(history: GroupHistory, target: StayFacts) -> dict:
    """`reimbursements` (one estimate per covering programme, in rule 16's order) and `reimbursement`, its first
    entry or the empty estimate of rule 16."""
    visitor_id = target.visitor_id
    home = history.homes.get(visitor_id, Home())
    live = history.live.get(target.key)
    covering = [p for p in history.programmes if covers(p, target, live)]
    extra = target if (target.key == QUOTE or not target.active) else None
    estimates = []
    for programme in covering:
        results = group_pass_of(history, programme, visitor_id=visitor_id, extra=extra)
        estimates.append(
            _estimate(programme, target, results[target.key], home, requirements(history, programme, target, home))
        )
    by_code = {p.id: p.code for p in history.programmes}
    claimed_under = by_code.get(live.programme_id) if live is not None else None
    estimates.sort(key=lambda e: _sort_key(e, claimed_under))
    if estimates:
        return {"reimbursement": estimates[0], "reimbursements": estimates}
    town = [p for p in history.programmes if p.is_active and p.municipality_id == target.municipality_id]
    if not town:
        return {"reimbursement": _empty(None, [OUTSIDE_PROGRAMME_AREA], home), "reimbursements": []}

    def distance(p):
        return max((p.valid_from - target.check_in).days, (target.check_in - p.valid_until).days, 0)

    nearest = min(town, key=lambda p: (distance(p), p.code))
    return {"reimbursement": _empty(nearest, [OUTSIDE_VALIDITY_WINDOW], home), "reimbursements": []}


# --- a claim ------------------------------------------------------------------------------------------------------


def apply_figures(claim: Claim, result: MemberResult, lines=None) -> list[ExpenseLine]:
    """Copies the pass's figures onto the claim and its (prefetched) lines, or onto `lines`; returns the lines."""
    lines = list(claim.lines.all()) if lines is None else lines
    for line in lines:
        line_result = result.lines.get(line.id)
        if line_result is not None:
            line.reimbursable_yen, line.reason = line_result.reimbursable_yen, line_result.reason
    # Rule 37: the lodging shown is the smaller of the lodging and the total after the cuts and the rounding, as an
    # estimate shows it.
    claim.lodging_reimbursable_yen = result.lodging_shown_yen
    claim.total_reimbursable_yen = result.total_yen
    claim.reasons = list(result.reasons)
    return lines
