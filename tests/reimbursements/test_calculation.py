"""Properties of the pure subsidy arithmetic (the group pass), whatever the programme and the group's trips."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from reimbursements.estimates import calculation
from reimbursements.estimates.calculation import Frozen, Line, Member, Party, Presence, Rule, Terms

START = date(2026, 12, 1)

stays = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 10), st.booleans()), min_size=1, max_size=5)


def frozen_claim(dates) -> Frozen:
    return Frozen(dates=frozenset(dates), nights=(), lodging_yen=0, total_yen=0, committed_yen=0)


def member(key, dates, *, frozen=None, nights=(), party=None, lines=()) -> Member:
    party = party or Party(1)
    kind = calculation.STAY if nights else calculation.DAY_PASS
    return Member(
        key=key,
        order=(min(dates) if dates else START, 0, key),
        kind=kind,
        dates=tuple(dates),
        nights=tuple(nights),
        party=party,
        lines=tuple(lines),
        frozen=frozen,
    )


def build(raw):
    """Stays from (offset, length, frozen) triples; frozen ones keep a prefix of their dates, as a past claim did."""
    result, taken = [], set()
    for key, (offset, length, frozen) in enumerate(raw):
        dates = tuple(START + timedelta(days=offset + i) for i in range(length))
        claim = None
        if frozen:
            kept = [d for d in dates[:2] if d not in taken]
            taken |= set(kept)
            claim = frozen_claim(kept) if kept else None
        result.append(member(key, dates if claim is None else tuple(sorted(claim.dates)), frozen=claim))
    return result


def days_pass(max_days, group):
    return calculation.group_pass(terms=Terms(max_days_per_group=max_days, rules=()), members=group)


@given(raw=stays, max_days=st.integers(0, 10))
def test_group_days_never_exceed_the_limit_beyond_what_was_frozen(raw, max_days):
    group = build(raw)
    results = days_pass(max_days, group)
    frozen = set().union(*(m.frozen.dates for m in group if m.frozen is not None))
    given_out = set().union(*(set(r.eligible_dates) for r in results.values()))
    assert len(given_out) <= max(max_days, len(frozen))
    assert len(given_out - frozen) + len(frozen) <= max(max_days, len(frozen))
    for m in group:
        assert results[m.key].days_remaining >= 0
        assert set(results[m.key].eligible_dates) <= set(m.dates)


@given(
    prices=st.lists(st.integers(0, 100_000), min_size=1, max_size=10),
    cap=st.none() | st.integers(0, 20_000),
    share=st.none() | st.integers(1, 100),
    adults=st.integers(1, 6),
    children=st.integers(0, 4),
)
def test_lodging_never_exceeds_the_price_or_the_cap(prices, cap, share, adults, children):
    terms = Terms(max_days_per_group=30, rules=(Rule("lodging", "person_night", cap, cost_share_percent=share),))
    nights = [(START + timedelta(days=i), price) for i, price in enumerate(prices)]
    dates = [START + timedelta(days=i) for i in range(len(prices) + 1)]
    party = Party(adults, children)
    stay = member("stay", dates, nights=nights, party=party)
    presence = [
        Presence(kind=calculation.STAY, dates=tuple(dates), night_dates=tuple(n for n, _ in nights), party=party)
    ]
    paid = calculation.group_pass(terms=terms, members=[stay], presence=presence)["stay"].lodging_yen
    assert 0 <= paid <= sum(prices)
    if cap is not None:
        assert paid <= cap * party.size * len(prices)


@given(
    amounts=st.lists(st.tuples(st.integers(1, 50_000), st.integers(1, 5), st.integers(0, 3)), max_size=8),
    cap=st.none() | st.integers(0, 20_000),
    basis=st.sampled_from(["day", "person_day"]),
)
def test_lines_never_pay_more_than_their_amount(amounts, cap, basis):
    terms = Terms(max_days_per_group=6, rules=(Rule("taxi", basis, cap),))
    lines = [
        Line(key=i, category="taxi", date=START + timedelta(days=d), amount_yen=a, persons=p)
        for i, (a, p, d) in enumerate(amounts)
    ]
    desk = member("desk", [START], party=Party(2, 1), lines=lines)
    presence = [Presence(kind=calculation.DAY_PASS, dates=(START,), night_dates=(), party=Party(2, 1))]
    results = calculation.group_pass(terms=terms, members=[desk], presence=presence)["desk"].lines
    for line in lines:
        paid = results[line.key].reimbursable_yen
        assert 0 <= paid <= line.amount_yen
        if line.date != START:
            assert paid == 0 and results[line.key].reason == "day_limit"
    if cap is not None:
        assert sum(r.reimbursable_yen for r in results.values()) <= cap * (3 if basis == "person_day" else 1)


@given(
    prices=st.lists(st.integers(0, 20_000), min_size=1, max_size=6),
    unit=st.sampled_from([1, 10, 100, 1000]),
    household=st.none() | st.integers(0, 200_000),
)
def test_total_is_rounded_down_and_within_the_household_maximum(prices, unit, household):
    terms = Terms(
        max_days_per_group=None,
        rules=(Rule("lodging", "night", None),),
        rounding_unit_yen=unit,
        max_amount_per_household=household,
    )
    nights = [(START + timedelta(days=i), price) for i, price in enumerate(prices)]
    stay = member("stay", [START + timedelta(days=i) for i in range(len(prices) + 1)], nights=nights)
    value = calculation.group_pass(terms=terms, members=[stay])["stay"].total_yen
    assert value % unit == 0 and 0 <= value <= sum(prices)
    if household is not None:
        assert value <= household


def test_party_beyond_the_maximum_size_is_not_counted():
    rule = Rule("lodging", "person_night", 3000)
    assert calculation.party_cap(rule, calculation.counted_party(Party(2, 3), 4)) == 12000


@given(raw=stays, max_days=st.integers(0, 10), elsewhere=st.integers(0, 8))
def test_days_frozen_by_stays_no_longer_listed_still_count(raw, max_days, elsewhere):
    """A claim whose booking was cancelled keeps its frozen dates (rule 3): they limit what the others get."""
    group = [member(m.key, m.dates) for m in build(raw)]
    frozen = [START - timedelta(days=1 + i) for i in range(elsewhere)]
    cancelled = member("cancelled", frozen, frozen=frozen_claim(frozen)) if frozen else None
    results = days_pass(max_days, group + ([cancelled] if cancelled else []))
    given_out = set().union(*(set(results[m.key].eligible_dates) for m in group))
    assert not given_out & set(frozen)
    assert len(given_out) <= max(0, max_days - len(frozen))


def test_days_remaining_after_a_booking_ignore_later_ones():
    first = member("first", [START + timedelta(days=i) for i in range(4)])
    later = member("later", [START + timedelta(days=20), START + timedelta(days=21)])
    results = days_pass(6, [first, later])
    assert results["first"].days_remaining == 2
    assert results["later"].days_remaining == 0
