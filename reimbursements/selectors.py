"""Reads for reimbursements: the `reimbursement` estimate every quote and booking carries, programmes, claims."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from bookings.models import Booking, BookingLine

from . import calculation
from .calculation import Party, Rule, Stay, Terms
from .errors import ClaimNotFound, LineNotFound, ProgrammeNotFound
from .models import Claim, ClaimDay, Programme

OUTSIDE_PROGRAMME_AREA = "outside_programme_area"
OUTSIDE_VALIDITY_WINDOW = "outside_validity_window"
BELOW_MIN_NIGHTS = "below_min_nights"
DAY_LIMIT_REACHED = "day_limit_reached"
RESIDENT_OF_PROGRAMME_AREA = "resident_of_programme_area"
BOOKING_CANCELLED = "booking_cancelled"
REASON_CODES = [OUTSIDE_PROGRAMME_AREA, OUTSIDE_VALIDITY_WINDOW, BELOW_MIN_NIGHTS, DAY_LIMIT_REACHED,
                RESIDENT_OF_PROGRAMME_AREA, BOOKING_CANCELLED]


# --- programmes -------------------------------------------------------------------------------------------------

def programme_list() -> QuerySet[Programme]:
    return Programme.objects.filter(is_active=True).select_related("municipality").prefetch_related("categories")


def programme_get(*, code: str) -> Programme:
    programme = programme_list().filter(code=code[:60]).first()
    if programme is None:
        raise ProgrammeNotFound()
    return programme


def terms_of(programme: Programme) -> Terms:
    rules = tuple(
        Rule(category=r.category, basis=r.basis, cap_yen=r.cap_yen, cap_child_yen=r.cap_child_yen,
             cap_infant_yen=r.cap_infant_yen, cost_share_percent=r.cost_share_percent)
        for r in programme.categories.all()
    )
    # The day limit became optional (empty: no limit), but the calculation still takes an int.
    return Terms(max_days_per_group=programme.max_days_per_group, rules=rules, min_nights=programme.min_nights,  # type: ignore[arg-type]
                 max_party_size=programme.max_party_size, rounding_unit_yen=programme.rounding_unit_yen)


# --- the group's history, loaded in bulk ----------------------------------------------------------------------------

@dataclass
class StayFacts:
    """What the estimate needs of one booking (or of a quote, which has no id)."""

    key: object
    municipality_id: int
    kind: str
    check_in: date
    dates: tuple[date, ...]
    nights: list[tuple[date, int]]
    party: Party
    active: bool = True


@dataclass
class GroupHistory:
    stays: dict = field(default_factory=lambda: defaultdict(list))  # visitor id -> [StayFacts] (active)
    # (booking id, programme id) -> the dates its submitted or approved claim froze (rule 6)
    frozen: dict = field(default_factory=lambda: defaultdict(set))
    # (visitor id, programme id) -> F of rule 3, whatever became of the bookings since (a cancelled one included)
    group_frozen: dict = field(default_factory=lambda: defaultdict(set))
    # visitor id -> [(booking id, programme id, check-in, amount)] of frozen claims, for per-fiscal-year limits
    claims: dict = field(default_factory=lambda: defaultdict(list))


def stay_dates(*, kind: str, check_in: date, check_out: date, line_dates: list[date]) -> tuple[date, ...]:
    """Rule 1: a stay's dates run from check-in to check-out inclusive; a day pass's are its pass dates."""
    if kind == Booking.Kind.DAY_PASS:
        return tuple(sorted(line_dates))
    return tuple(check_in + timedelta(days=i) for i in range((check_out - check_in).days + 1))


def facts_of(booking: Booking) -> StayFacts:
    lines = list(booking.lines.all())
    nights = [(line.date, line.price_yen) for line in lines] if booking.kind == Booking.Kind.STAY else []
    return StayFacts(
        key=booking.id, municipality_id=booking.unit.facility.municipality_id, kind=booking.kind,
        check_in=booking.check_in,
        dates=stay_dates(kind=booking.kind, check_in=booking.check_in, check_out=booking.check_out,
                         line_dates=[line.date for line in lines]),
        nights=nights, party=Party(booking.adults, booking.children, booking.infants), active=booking.is_active,
    )


def _load_history(*, visitor_ids: set[int], extra_booking_ids=()) -> tuple[GroupHistory, dict[int, StayFacts]]:
    """Three queries: the visitors' active bookings (and the listed ones) with lines, then frozen days and claims."""
    history = GroupHistory()
    targets: dict[int, StayFacts] = {}
    bookings = (
        Booking.objects.filter(Q(visitor_id__in=visitor_ids, status__in=Booking.ACTIVE_STATUSES)
                               | Q(id__in=list(extra_booking_ids)))
        .select_related("unit__facility")
        .prefetch_related(Prefetch("lines", queryset=BookingLine.objects.order_by("date")))
    )
    for booking in bookings:
        facts = facts_of(booking)
        targets[booking.id] = facts
        if facts.active:
            history.stays[booking.visitor_id].append(facts)
    if visitor_ids:
        for day in ClaimDay.objects.filter(visitor_id__in=visitor_ids, claim__status__in=Claim.FROZEN_STATUSES).values(
                "claim__booking_id", "visitor_id", "programme_id", "date"):
            history.frozen[(day["claim__booking_id"], day["programme_id"])].add(day["date"])
            history.group_frozen[(day["visitor_id"], day["programme_id"])].add(day["date"])
        for claim in Claim.objects.filter(visitor_id__in=visitor_ids, status__in=Claim.FROZEN_STATUSES).values(
                "visitor_id", "booking_id", "programme_id", "booking__check_in", "total_reimbursable_yen",
                "approved_amount_yen"):
            amount = claim["approved_amount_yen"]
            history.claims[claim["visitor_id"]].append((
                claim["booking_id"], claim["programme_id"], claim["booking__check_in"],
                claim["total_reimbursable_yen"] if amount is None else amount,
            ))
    return history, targets


# --- the estimate -----------------------------------------------------------------------------------------------------

def _empty(programme: Programme | None, reasons: list[str]) -> dict:
    return {
        "programme": programme.code if programme else None, "eligible": False, "reasons": reasons,
        "stay_days": 0, "eligible_days": 0, "eligible_nights": 0,
        "max_days_per_group": programme.max_days_per_group if programme else 0,
        "group_days_remaining": 0, "caps": [], "lodging_reimbursable_yen": 0,
    }


def _caps(terms: Terms, party: Party) -> list[dict]:
    counted = calculation.counted_party(party, terms.max_party_size)
    caps = []
    for rule in terms.rules:
        key = "per_night_cap_yen" if rule.basis in calculation.PER_NIGHT_BASES else "per_day_cap_yen"
        caps.append({"category": rule.category, "basis": rule.basis, "cap_yen": rule.cap_yen,
                     key: calculation.party_cap(rule, counted)})
    return caps


def programme_for(programmes, *, municipality_id: int, check_in: date) -> tuple[Programme | None, bool]:
    """The programme covering the facility's town, preferring one whose window holds the check-in date."""
    local = [p for p in programmes if p.municipality_id == municipality_id]
    for programme in local:
        if programme.valid_from <= check_in <= programme.valid_until:
            return programme, True
    return (local[0] if local else None), False


def _qualifies(programme: Programme, stay: StayFacts) -> bool:
    """Whether a stay of the group takes part in the allocation of the programme's days."""
    return (
        stay.municipality_id == programme.municipality_id
        and programme.valid_from <= stay.check_in <= programme.valid_until
        and not below_min_nights(programme, stay)
    )


def below_min_nights(programme: Programme, stay: StayFacts) -> bool:
    """A stay shorter than the programme's minimum; a day pass has no nights, so it is below any minimum."""
    return programme.min_nights is not None and len(stay.nights) < programme.min_nights


def household_left(programme: Programme, claims, *, check_in: date, exclude_booking=None) -> int | None:
    """What the household may still receive this fiscal year under the programme's maximum, if it has one."""
    if programme.max_amount_per_household_per_fy is None:
        return None
    year = programme.fiscal_year_of(check_in)
    used = sum(amount for booking_id, programme_id, claim_check_in, amount in claims
               if programme_id == programme.id and booking_id != exclude_booking
               and programme.fiscal_year_of(claim_check_in) == year)
    return max(0, programme.max_amount_per_household_per_fy - used)


def _allocate(programme: Programme, history: GroupHistory, *, visitor_id, group: list[StayFacts]):
    """Rules 3-6 for the group's stays in the programme. F comes from the frozen claim days themselves, so the days
    a claim froze stay counted even when its booking was cancelled later."""
    stays = [Stay(key=s.key, dates=s.dates,
                  frozen_dates=frozenset(history.frozen[(s.key, programme.id)])
                  if (s.key, programme.id) in history.frozen else None)
             for s in group]
    # The day limit became optional (empty: no limit), but the calculation still takes an int.
    return calculation.allocate(max_days=programme.max_days_per_group, stays=stays,  # type: ignore[arg-type]
                                frozen=frozenset(history.group_frozen.get((visitor_id, programme.id), ())))


def estimate(*, programmes, target: StayFacts, home_code: str, history: GroupHistory, visitor_id) -> dict:
    programme, in_window = programme_for(programmes, municipality_id=target.municipality_id, check_in=target.check_in)
    if programme is None:
        return _empty(None, [OUTSIDE_PROGRAMME_AREA])
    terms = terms_of(programme)
    reasons = []
    if not target.active:
        reasons.append(BOOKING_CANCELLED)
    if not in_window:
        reasons.append(OUTSIDE_VALIDITY_WINDOW)
    if home_code and home_code == programme.municipality.code:
        reasons.append(RESIDENT_OF_PROGRAMME_AREA)
    if below_min_nights(programme, target):
        reasons.append(BELOW_MIN_NIGHTS)

    group = [s for s in history.stays.get(visitor_id, []) if s.key != target.key and _qualifies(programme, s)]
    if not reasons:
        group.append(target)
    allocation = _allocate(programme, history, visitor_id=visitor_id, group=group)
    eligible_dates = allocation.eligible_dates.get(target.key, []) if not reasons else []
    if not reasons and not eligible_dates:
        reasons.append(DAY_LIMIT_REACHED)

    lodging = calculation.lodging(terms=terms, party=target.party, nights=target.nights, eligible_dates=eligible_dates)
    left = household_left(programme, history.claims.get(visitor_id, []), check_in=target.check_in,
                          exclude_booking=target.key)
    return {
        "programme": programme.code,
        "eligible": not reasons,
        "reasons": reasons,
        "stay_days": len(target.dates),
        "eligible_days": len(eligible_dates),
        "eligible_nights": len(calculation.eligible_nights(eligible_dates)),
        "max_days_per_group": programme.max_days_per_group,
        "group_days_remaining": allocation.remaining_after(min(target.dates)) if target.dates
        else allocation.days_remaining,
        "caps": _caps(terms, target.party),
        "lodging_reimbursable_yen": calculation.total(terms=terms, amounts=[lodging], household_left=left),
    }


def estimates_for_bookings(*, bookings) -> dict[int, dict]:
    """Estimate for each booking, keyed by booking id, in a fixed number of queries."""
    bookings = list(bookings)
    if not bookings:
        return {}
    visitor_ids = {b.visitor_id for b in bookings}
    homes = dict(User.objects.filter(id__in=visitor_ids).values_list("id", "home_municipality_code"))
    history, targets = _load_history(visitor_ids=visitor_ids, extra_booking_ids=[b.id for b in bookings])
    programmes = list(programme_list())
    return {
        b.id: estimate(programmes=programmes, target=targets[b.id], home_code=homes.get(b.visitor_id, ""),
                       history=history, visitor_id=b.visitor_id)
        for b in bookings
    }


def estimate_for_booking(*, booking: Booking) -> dict:
    return estimates_for_bookings(bookings=[booking])[booking.id]


def estimate_for_quote(*, visitor, unit, kind: str, dates: list[date], nights: list[tuple[date, int]],
                       adults: int, children: int, infants: int) -> dict | None:
    """Estimate for a stay that is not booked yet (`visitor` may be None for an anonymous quote)."""
    visitor_id = visitor.id if visitor is not None and visitor.is_authenticated else None
    history, _ = _load_history(visitor_ids={visitor_id} if visitor_id else set())
    target = StayFacts(
        key="quote", municipality_id=unit.facility.municipality_id, kind=kind, check_in=min(dates),
        dates=tuple(sorted(set(dates))), nights=list(nights), party=Party(adults, children, infants),
    )
    home = visitor.home_municipality_code if visitor_id else ""
    return estimate(programmes=list(programme_list()), target=target, home_code=home, history=history,
                    visitor_id=visitor_id)


# --- claims ----------------------------------------------------------------------------------------------------

def claim_eligible_dates(*, claim: Claim) -> list[date]:
    """A frozen claim's dates, or what the allocation would give its booking now (rules 5-6)."""
    if claim.is_frozen:
        return sorted(claim.days.values_list("date", flat=True))
    history, targets = _load_history(visitor_ids={claim.visitor_id}, extra_booking_ids=[claim.booking_id])
    target = targets[claim.booking_id]
    programme = claim.programme
    if not target.active:
        return []
    group = [s for s in history.stays.get(claim.visitor_id, []) if _qualifies(programme, s)]
    allocation = _allocate(programme, history, visitor_id=claim.visitor_id, group=group)
    return allocation.eligible_dates.get(claim.booking_id, [])


def claim_household_left(*, claim: Claim) -> int | None:
    history, _ = _load_history(visitor_ids={claim.visitor_id})
    return household_left(claim.programme, history.claims.get(claim.visitor_id, []),
                          check_in=claim.booking.check_in, exclude_booking=claim.booking_id)


def parse_id(value, error: type[Exception]) -> int:
    """A path id as an int, or the given not-found error for anything that cannot be one (too long included)."""
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise error()
    return int(text)


def _claims_base() -> QuerySet[Claim]:
    return Claim.objects.select_related("programme", "booking").prefetch_related("lines", "days")


def claim_list(*, user, status: str | None = None) -> QuerySet[Claim]:
    if user.is_municipal_staff:
        claims = _claims_base().filter(programme__municipality_id=user.municipality_id).exclude(
            status=Claim.Status.DRAFT)
    else:
        claims = _claims_base().filter(visitor=user)
    if status:
        claims = claims.filter(status=status)
    return claims


def claim_line_get(*, claim: Claim, line_id):
    line = claim.lines.filter(id=parse_id(line_id, LineNotFound)).first()
    if line is None:
        raise LineNotFound()
    return line


def claim_get(*, user, claim_id: int) -> Claim:
    claim = claim_list(user=user).filter(id=parse_id(claim_id, ClaimNotFound)).first()
    if claim is None:
        raise ClaimNotFound()
    return claim
