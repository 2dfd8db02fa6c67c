"""Pure subsidy arithmetic (spec rules 1-40): dataclasses in, dataclasses out, no DB.

`group_pass` is the one function every estimate, draft claim and submission goes through: it walks a group's
stays under one programme in the order of rule 26 and hands out days, nights, the group's caps per date and night,
the household maximum and the budget."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

PER_NIGHT_BASES = ("person_night", "night")
PER_PERSON_BASES = ("person_night", "person_day")
LODGING = "lodging"


@dataclass(frozen=True)
class Rule:
    category: str
    basis: str
    cap_yen: int | None
    cap_child_yen: int | None = None
    cap_infant_yen: int | None = None
    cost_share_percent: int | None = None


@dataclass(frozen=True)
class Terms:
    max_days_per_group: int | None
    rules: tuple[Rule, ...]
    min_nights: int | None = None
    max_party_size: int | None = None
    rounding_unit_yen: int = 1
    max_nights_per_group: int | None = None
    max_amount_per_household: int | None = None

    def rule(self, category: str) -> Rule | None:
        return next((r for r in self.rules if r.category == category), None)


@dataclass(frozen=True)
class Party:
    adults: int
    children: int = 0
    infants: int = 0

    @property
    def size(self) -> int:
        return self.adults + self.children + self.infants


@dataclass(frozen=True)
class Line:
    key: int  # the expense line's id
    category: str
    date: date
    amount_yen: int
    persons: int = 1
    disallowed: bool = False
    # The age bands the line states (rule 23); None: its persons are filled in adults first.
    adults: int | None = None
    children: int | None = None
    infants: int | None = None
    # A frozen claim's line: what it was paid when the claim was submitted (never recomputed).
    paid_yen: int | None = None


@dataclass
class LineResult:
    reimbursable_yen: int = 0
    reason: str = ""


def counted_party(party: Party, max_party_size: int | None) -> Party:
    """Persons beyond the programme's maximum party size do not count; adults are counted first."""
    if max_party_size is None or party.size <= max_party_size:
        return party
    adults = min(party.adults, max_party_size)
    children = min(party.children, max_party_size - adults)
    return Party(adults, children, max_party_size - adults - children)


def party_cap(rule: Rule, party: Party) -> int | None:
    """The cap for the whole party per night or per day; None means the actual cost."""
    if rule.cap_yen is None:
        return None
    if rule.basis not in PER_PERSON_BASES:
        return rule.cap_yen
    child = rule.cap_yen if rule.cap_child_yen is None else rule.cap_child_yen
    infant = rule.cap_yen if rule.cap_infant_yen is None else rule.cap_infant_yen
    return party.adults * rule.cap_yen + party.children * child + party.infants * infant


def _share(rule: Rule, amount: int) -> int:
    return amount if rule.cost_share_percent is None else amount * rule.cost_share_percent // 100


def _capped(value: int, cap: int | None) -> int:
    return value if cap is None else min(value, cap)


# --- the group pass (Part 2) -------------------------------------------------------------------------------------

STAY, DAY_PASS = "stay", "day_pass"
DAY_LIMIT_REACHED = "day_limit_reached"
NIGHT_LIMIT_REACHED = "night_limit_reached"
HOUSEHOLD_LIMIT = "household_limit"
BUDGET_LOW = "budget_low"
BUDGET_EXHAUSTED = "budget_exhausted"
DAY_LIMIT, DAY_CAP_USED, PERSONS_CAPPED, DISALLOWED = "day_limit", "day_cap_used", "persons_capped", "disallowed"


def _next(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def _previous(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def _add(a: Party, b: Party) -> Party:
    return Party(a.adults + b.adults, a.children + b.children, a.infants + b.infants)


@dataclass(frozen=True)
class Presence:
    """A booking whose party counts towards the group's persons (rule 22): every active one in the town."""

    kind: str
    dates: tuple[date, ...]
    night_dates: tuple[date, ...]
    party: Party


@dataclass(frozen=True)
class Frozen:
    """What a submitted, approved or paid claim fixed: its dates, its nights with the lodging each paid, the amount
    it commits (approved amount, or the total while submitted) and its reasons. Never recomputed."""

    dates: frozenset
    nights: tuple[tuple[date, int], ...]
    lodging_yen: int
    total_yen: int
    committed_yen: int
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Member:
    """One booking (or quote) of the group under the programme."""

    key: object
    order: tuple  # rule 26: check-in, then booking id (a quote after the bookings of its check-in date)
    kind: str
    dates: tuple[date, ...]
    nights: tuple[tuple[date, int], ...]  # (night d→d+1, price the booking charges for it)
    party: Party
    fiscal_year: int = 0
    lines: tuple[Line, ...] = ()  # its live claim's lines (a frozen claim's carry `paid_yen`)
    frozen: Frozen | None = None
    refused: tuple[str, ...] = ()  # reasons found before the pass (area, window, minimum nights, residence...)


@dataclass
class MemberResult:
    eligible: bool = False
    reasons: list = field(default_factory=list)
    eligible_dates: list = field(default_factory=list)
    eligible_nights: list = field(default_factory=list)
    night_lodging: dict = field(default_factory=dict)  # night -> lodging paid for it
    lodging_yen: int = 0  # the sum of the nights, before the household and budget cuts and the rounding
    lines: dict = field(default_factory=dict)  # line key -> LineResult
    total_yen: int = 0  # after the cuts and the rounding
    days_remaining: int | None = None
    nights_remaining: int | None = None
    terms: Terms | None = None  # a claim's: the terms its figures follow (what it freezes with)

    @property
    def lodging_shown_yen(self) -> int:
        """Rule 37: the smaller of the lodging and the total after the cuts (rounded when it is the whole total)."""
        return min(self.lodging_yen, self.total_yen)


class _GroupPersons:
    """Rule 22: the group's persons on a night (all its stays holding it, added up) and on a date (the larger of the
    nights around it; else the largest day-pass party), counted up to `max_party_size`, adults first."""

    def __init__(self, presence, max_party_size):
        self.max_party_size = max_party_size
        self.nights: dict[date, Party] = {}
        self.passes: dict[date, list[Party]] = defaultdict(list)
        for p in presence:
            if p.kind == STAY:
                for night in p.night_dates:
                    self.nights[night] = _add(self.nights.get(night, Party(0)), p.party)
            else:
                for day in p.dates:
                    self.passes[day].append(p.party)

    def on_night(self, night: date) -> Party:
        return counted_party(self.nights.get(night, Party(0)), self.max_party_size)

    def on_date(self, day: date, rule: Rule) -> Party:
        candidates = [self.nights[n] for n in (_previous(day), day) if n in self.nights]
        if not candidates:
            candidates = self.passes.get(day, [])
        if not candidates:
            return Party(0)
        counted = [counted_party(c, self.max_party_size) for c in candidates]
        # The larger number of persons counts; between equal numbers, the one giving the larger cap (rule 35).
        return max(counted, key=lambda c: (c.size, party_cap(rule, c) or 0))


def _fill(explicit: Party, unstated: int, group: Party) -> Party:
    """Rule 23: travellers in the age bands, each band at most the group's count in it; unstated persons adults
    first."""
    bands = [
        min(explicit.adults, group.adults),
        min(explicit.children, group.children),
        min(explicit.infants, group.infants),
    ]
    for i, room in enumerate((group.adults, group.children, group.infants)):
        taken = max(0, min(unstated, room - bands[i]))
        bands[i] += taken
        unstated -= taken
    return Party(*bands)


def _line_bands(line: Line) -> tuple[Party, int]:
    if line.adults is None and line.children is None and line.infants is None:
        return Party(0), line.persons
    return Party(line.adults or 0, line.children or 0, line.infants or 0), 0


def _line_cap(rule: Rule, travellers: Party) -> int | None:
    if rule.cap_yen is None:
        return None
    if rule.basis in PER_PERSON_BASES:
        return party_cap(rule, travellers)
    return rule.cap_yen


@dataclass
class _DateCategory:
    """What the group's lines of one category on one date have claimed so far (rules 30, 34)."""

    amount: int = 0
    paid: int = 0
    explicit: Party = Party(0)
    unstated: int = 0


def _eligibility(terms: Terms, members: list[Member]):
    """Days (Part 1 rules 3-7, 29) and nights (rules 24, 36) for every member taking part."""
    frozen_members = [(m, m.frozen) for m in members if m.frozen is not None]
    open_members = [m for m in members if m.frozen is None and not m.refused]
    frozen_dates = set().union(*(f.dates for _, f in frozen_members))
    frozen_nights = {night for _, f in frozen_members for night, _ in f.nights}
    dates: dict = {}
    nights: dict = {}
    given_dates: dict = {}
    given_nights: dict = {}
    for m, f in frozen_members:
        dates[m.key] = sorted(f.dates)
        nights[m.key] = sorted(night for night, _ in f.nights)

    days_open = None
    if terms.max_days_per_group is not None:
        days_open = max(0, terms.max_days_per_group - len(frozen_dates))
        pool = sorted({d for m in open_members for d in m.dates} - frozen_dates)
        handed = set(pool[:days_open])
        for m in open_members:
            dates[m.key] = sorted(set(m.dates) & (handed | frozen_dates))
            given_dates[m.key] = set(m.dates) & handed
    else:
        for m in open_members:
            dates[m.key] = sorted(set(m.dates))

    candidates = {}
    for m in open_members:
        own = set(dates[m.key])
        candidates[m.key] = [n for n, _ in m.nights if n in own and _next(n) in own] if m.kind == STAY else []
    nights_open = None
    if terms.max_nights_per_group is not None:
        nights_open = max(0, terms.max_nights_per_group - len(frozen_nights))
        pool = sorted({n for m in open_members for n in candidates[m.key]} - frozen_nights)
        handed = set(pool[:nights_open])
        for m in open_members:
            nights[m.key] = [n for n in candidates[m.key] if n in handed or n in frozen_nights]
            given_nights[m.key] = set(candidates[m.key]) & handed
        if terms.max_days_per_group is None:
            # Under a nights limit alone, a stay's dates are those its nights touch; a day pass's, those of the
            # group's stays.
            for m in open_members:
                if m.kind == STAY:
                    dates[m.key] = sorted({d for n in nights[m.key] for d in (n, _next(n))})
            stay_dates = frozen_dates.union(*(dates[m.key] for m in open_members if m.kind == STAY))
            for m in open_members:
                if m.kind != STAY:
                    dates[m.key] = sorted(set(m.dates) & stay_dates)
    else:
        for m in open_members:
            nights[m.key] = candidates[m.key]
    return dates, nights, given_dates, given_nights, days_open, nights_open


def _remaining(open_total, given: dict, members, first: date | None):
    """What the group has left once the stays starting no later than `first` have theirs: earlier stays get days
    first, so this is what is left after that booking, whatever is booked later."""
    if open_total is None:
        return None
    taken = set()
    for m in members:
        if m.key in given and (first is None or (m.dates and min(m.dates) <= first)):
            taken |= given[m.key]
    return max(0, open_total - len(taken))


def group_pass(
    *, terms: Terms, members: list[Member], presence: Sequence[Presence] = (), budget_left: int | None = None
) -> dict[object, MemberResult]:
    """Every member's figures, in one pass over the group's stays in the order of rule 26.

    `budget_left` is what the programme's budget has left for this group (the budget less what other groups'
    claims commit); None: no budget."""
    persons = _GroupPersons(presence, terms.max_party_size)
    dates, nights, given_dates, given_nights, days_open, nights_open = _eligibility(terms, members)
    results = {m.key: MemberResult() for m in members}
    for m in members:
        first = min(m.dates) if m.dates else None
        results[m.key].days_remaining = _remaining(days_open, given_dates, members, first)
        results[m.key].nights_remaining = _remaining(nights_open, given_nights, members, first)

    lodging_rule = terms.rule(LODGING)
    night_used: dict[date, int] = defaultdict(int)
    categories: dict[tuple[str, date], _DateCategory] = defaultdict(_DateCategory)
    household_used: dict[int, int] = defaultdict(int)
    budget_used = 0

    # Frozen claims first: their stored figures take their share of every limit.
    frozen = sorted((m for m in members if m.frozen is not None), key=lambda m: m.order)
    for m in frozen:
        fixed = m.frozen
        assert fixed is not None  # only members with a frozen claim are in `frozen`
        result = results[m.key]
        result.eligible, result.reasons = True, list(fixed.reasons)
        result.eligible_dates, result.eligible_nights = dates[m.key], nights[m.key]
        result.night_lodging = dict(fixed.nights)
        result.lodging_yen, result.total_yen = fixed.lodging_yen, fixed.committed_yen
        for night, paid in fixed.nights:
            night_used[night] += paid
        claim_dates = fixed.dates
        for line in sorted(m.lines, key=lambda line: line.key):
            result.lines[line.key] = LineResult(line.paid_yen or 0, "")
            if line.disallowed or line.date not in claim_dates:
                continue
            state = categories[(line.category, line.date)]
            explicit, unstated = _line_bands(line)
            state.amount += line.amount_yen
            state.paid += line.paid_yen or 0
            state.explicit, state.unstated = _add(state.explicit, explicit), state.unstated + unstated
        household_used[m.fiscal_year] += fixed.committed_yen
        budget_used += fixed.committed_yen

    for m in sorted((m for m in members if m.frozen is None), key=lambda m: m.order):
        result = results[m.key]
        if m.refused:
            result.reasons = list(m.refused)
            for line in m.lines:
                result.lines[line.key] = LineResult(0, DISALLOWED if line.disallowed else DAY_LIMIT)
            continue
        result.eligible_dates, result.eligible_nights = dates[m.key], nights[m.key]
        if not result.eligible_dates:
            limited_by_days = terms.max_days_per_group is not None
            result.reasons = [DAY_LIMIT_REACHED if limited_by_days else NIGHT_LIMIT_REACHED]
            for line in m.lines:
                result.lines[line.key] = LineResult(0, DISALLOWED if line.disallowed else DAY_LIMIT)
            continue

        # Lodging: each night min(share of its price, the party's cap, what the group's cap has left).
        prices = dict(m.nights)
        if lodging_rule is not None:
            own_cap = party_cap(lodging_rule, counted_party(m.party, terms.max_party_size))
            for night in result.eligible_nights:
                group_cap = party_cap(lodging_rule, persons.on_night(night))
                paid = _share(lodging_rule, prices[night])
                if own_cap is not None and group_cap is not None:  # both come from the same rule's cap
                    paid = min(paid, own_cap, max(0, group_cap - night_used[night]))
                night_used[night] += paid
                result.night_lodging[night] = paid
        result.lodging_yen = sum(result.night_lodging.values())

        # Lines: per category and date, in claim order then line order, each up to what the group's cap has left.
        eligible = set(result.eligible_dates)
        for line in sorted(m.lines, key=lambda line: line.key):
            rule = terms.rule(line.category)
            if line.disallowed:
                result.lines[line.key] = LineResult(0, DISALLOWED)
                continue
            if line.date not in eligible or rule is None:
                result.lines[line.key] = LineResult(0, DAY_LIMIT)
                continue
            group = persons.on_date(line.date, rule)
            state = categories[(line.category, line.date)]
            explicit, unstated = _line_bands(line)
            before = _fill(state.explicit, state.unstated, group)
            state.explicit, state.unstated = _add(state.explicit, explicit), state.unstated + unstated
            travellers = _fill(state.explicit, state.unstated, group)
            state.amount += line.amount_yen
            limit = _capped(_share(rule, state.amount), _line_cap(rule, travellers))
            paid = max(0, min(line.amount_yen, limit - state.paid))
            state.paid += paid
            alone = _capped(_share(rule, line.amount_yen), _line_cap(rule, _fill(explicit, unstated, group)))
            reason = ""
            if paid < alone:
                reason = DAY_CAP_USED
            elif travellers.size - before.size < line.persons:
                reason = PERSONS_CAPPED
            result.lines[line.key] = LineResult(paid, reason)

        value = result.lodging_yen + sum(r.reimbursable_yen for r in result.lines.values())
        if terms.max_amount_per_household is not None:
            left = max(0, terms.max_amount_per_household - household_used[m.fiscal_year])
            if value > left:
                value = left
                result.reasons.append(HOUSEHOLD_LIMIT)
        if budget_left is not None:
            left = max(0, budget_left - budget_used)
            if left == 0:
                value = 0
                result.reasons.append(BUDGET_EXHAUSTED)
            elif value > left:
                value = left
                result.reasons.append(BUDGET_LOW)
        value -= value % terms.rounding_unit_yen
        result.total_yen = value
        result.eligible = BUDGET_EXHAUSTED not in result.reasons
        household_used[m.fiscal_year] += value
        budget_used += value
    return results


# --- monthly programmes (rules 45-50) --------------------------------------------------------------------------------

MONTHLY_LIMIT = "monthly_limit"
LIFETIME_LIMIT = "lifetime_limit"
ALLOWANCE_DEDUCTED = "allowance_deducted"
COMMUTER_PASS_EXCLUDED = "commuter_pass_excluded"
CATEGORY_EXCLUDED = "category_excluded"
NOT_COUNTED = "not_counted"


@dataclass(frozen=True)
class MonthTerms:
    """A monthly programme's arithmetic: the categories that make the cost, those taken off it and those paid
    nothing; the share of the cost, the caps and the rounding."""

    counted: tuple[str, ...]
    deducted: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    share_percent: int = 100
    monthly_cap_yen: int | None = None
    lifetime_cap_yen: int | None = None
    rounding_unit_yen: int = 1


def _excluded_reason(category: str) -> str:
    return COMMUTER_PASS_EXCLUDED if category == "commuter_pass" else CATEGORY_EXCLUDED


def month_pass(
    *,
    terms: MonthTerms,
    lines: Sequence[Line],
    lifetime_used: int = 0,
    budget_left: int | None = None,
    ceiling: int | None = None,
) -> MemberResult:
    """One month's figures (rules 45-50): the month's cost is its counted lines less its deducted ones (never below
    0); the programme pays its share of the cost, at most the monthly cap, at most what the person's lifetime cap
    has left after `lifetime_used` (the other months' commitments), at most what the budget of the month's fiscal
    year has left (`budget_left`; None: no budget), rounded down to the unit. `ceiling`: a frozen month refigured
    never pays more than it was frozen at. The total is spread over the counted lines in their order."""
    result = MemberResult(eligible=True)
    counted: list[Line] = []
    cost = 0
    for line in sorted(lines, key=lambda line: line.key):
        if line.disallowed:
            result.lines[line.key] = LineResult(0, DISALLOWED)
        elif line.category in terms.excluded:
            result.lines[line.key] = LineResult(0, _excluded_reason(line.category))
        elif line.category in terms.deducted:
            cost -= line.amount_yen
            result.lines[line.key] = LineResult(0, ALLOWANCE_DEDUCTED)
        elif line.category in terms.counted:
            cost += line.amount_yen
            counted.append(line)
        else:
            result.lines[line.key] = LineResult(0, NOT_COUNTED)
    value = max(0, cost) * terms.share_percent // 100
    if terms.monthly_cap_yen is not None and value > terms.monthly_cap_yen:
        value = terms.monthly_cap_yen
        result.reasons.append(MONTHLY_LIMIT)
    if terms.lifetime_cap_yen is not None:
        left = max(0, terms.lifetime_cap_yen - lifetime_used)
        if value > left:
            value = left
            result.reasons.append(LIFETIME_LIMIT)
    if budget_left is not None:
        if budget_left == 0:
            value = 0
            result.reasons.append(BUDGET_EXHAUSTED)
        elif value > budget_left:
            value = budget_left
            result.reasons.append(BUDGET_LOW)
    value -= value % terms.rounding_unit_yen
    if ceiling is not None:
        value = min(value, ceiling)
    result.total_yen = value
    result.eligible = BUDGET_EXHAUSTED not in result.reasons
    remaining = value
    for line in counted:
        paid = min(line.amount_yen, remaining)
        remaining -= paid
        result.lines[line.key] = LineResult(paid, "")
    return result
