"""Pure subsidy arithmetic (spec rules 1-7, lodging and expense lines): dataclasses in, dataclasses out, no DB."""
from collections import defaultdict
from collections.abc import Set as AbstractSet
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
    max_days_per_group: int
    rules: tuple[Rule, ...]
    min_nights: int | None = None
    max_party_size: int | None = None
    rounding_unit_yen: int = 1

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
class Stay:
    """One active booking of the group: its dates, and its frozen dates if a submitted claim fixed them."""

    key: object
    dates: tuple[date, ...]
    frozen_dates: frozenset[date] | None = None


@dataclass(frozen=True)
class Line:
    key: object
    category: str
    date: date
    amount_yen: int
    persons: int = 1
    disallowed: bool = False


@dataclass
class LineResult:
    reimbursable_yen: int = 0
    reason: str = ""


@dataclass
class Allocation:
    eligible_dates: dict = field(default_factory=dict)  # stay key -> sorted list of dates
    days_remaining: int = 0  # after every stay of the group
    open_days: int = 0  # R of rule 4: the limit less the frozen dates
    given_by_start: list = field(default_factory=list)  # (first date of a stay, dates rule 5 gave it)

    def remaining_after(self, first_date: date) -> int:
        """Days left once the stays starting no later than `first_date` have theirs: earlier stays get days first,
        so this is what the group still has after that booking, whatever it books later."""
        taken = set().union(*(dates for first, dates in self.given_by_start if first <= first_date))
        return self.open_days - len(taken)


def allocate(*, max_days: int, stays: list[Stay], frozen: frozenset[date] = frozenset()) -> Allocation:
    """Rules 3-6: frozen dates stay put; the other stays share what is left, earliest dates first.

    `frozen` is the group's F: the dates of its submitted and approved claims, including those whose booking is
    not among `stays` (a cancelled booking keeps the days its claim froze)."""
    frozen = frozenset(frozen).union(*(s.frozen_dates for s in stays if s.frozen_dates is not None))
    remaining = max(0, max_days - len(frozen))
    open_dates = sorted({d for s in stays if s.frozen_dates is None for d in s.dates} - frozen)
    given = set(open_dates[:remaining])
    result = Allocation(days_remaining=remaining - len(given), open_days=remaining)
    for stay in stays:
        if stay.frozen_dates is not None:
            chosen: AbstractSet[date] = stay.frozen_dates
        else:
            chosen = given.intersection(stay.dates)
            if stay.dates:
                result.given_by_start.append((min(stay.dates), chosen))
        result.eligible_dates[stay.key] = sorted(chosen)
    return result


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


def eligible_nights(eligible_dates) -> list[date]:
    """Rule 7: a night d→d+1 counts when both d and d+1 are eligible dates of the booking."""
    dates = set(eligible_dates)
    return sorted(d for d in dates if date.fromordinal(d.toordinal() + 1) in dates)


def lodging(*, terms: Terms, party: Party, nights: list[tuple[date, int]], eligible_dates) -> int:
    """Sum over eligible nights of min(share of the night's price, the party's cap)."""
    rule = terms.rule(LODGING)
    if rule is None:
        return 0
    cap = party_cap(rule, counted_party(party, terms.max_party_size))
    counted = set(eligible_nights(eligible_dates))
    return sum(_capped(_share(rule, price), cap) for night, price in nights if night in counted)


def expense_lines(*, terms: Terms, party: Party, lines: list[Line], eligible_dates) -> dict[object, LineResult]:
    """Per category and date: min(sum of amounts, cap × m), shared out over the lines in order."""
    eligible = set(eligible_dates)
    size = counted_party(party, terms.max_party_size).size
    results = {line.key: LineResult() for line in lines}
    groups: dict[tuple[str, date], list[Line]] = defaultdict(list)
    for line in lines:
        if line.disallowed:
            results[line.key].reason = "disallowed"
        elif line.date not in eligible:
            results[line.key].reason = "day_limit"
        else:
            groups[(line.category, line.date)].append(line)
    for (category, _day), group in groups.items():
        rule = terms.rule(category)
        if rule is None:
            continue
        persons = min(sum(line.persons for line in group), size)
        cap = None if rule.cap_yen is None else rule.cap_yen * (persons if rule.basis in PER_PERSON_BASES else 1)
        left = _capped(_share(rule, sum(line.amount_yen for line in group)), cap)
        for line in group:
            paid = min(line.amount_yen, left)
            results[line.key].reimbursable_yen = paid
            left -= paid
    return results


def total(*, terms: Terms, amounts: list[int], household_left: int | None = None) -> int:
    """The claim's total: summed, limited by what the household may still receive, rounded down to the unit."""
    value = sum(amounts)
    if household_left is not None:
        value = min(value, max(0, household_left))
    return value - value % terms.rounding_unit_yen
