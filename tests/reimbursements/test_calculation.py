"""Properties of the pure subsidy arithmetic, whatever the programme and the group's trips."""
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from reimbursements import calculation
from reimbursements.calculation import Line, Party, Rule, Stay, Terms

START = date(2026, 12, 1)

stays = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 10), st.booleans()), min_size=1, max_size=5
)


def build(raw):
    """Stays from (offset, length, frozen) triples; frozen ones keep a prefix of their dates, as a past claim did."""
    result, taken = [], set()
    for key, (offset, length, frozen) in enumerate(raw):
        dates = tuple(START + timedelta(days=offset + i) for i in range(length))
        frozen_dates = None
        if frozen:
            frozen_dates = frozenset(d for d in dates[:2] if d not in taken)
            taken |= frozen_dates
        result.append(Stay(key=key, dates=dates, frozen_dates=frozen_dates))
    return result


@given(raw=stays, max_days=st.integers(0, 10))
def test_group_days_never_exceed_the_limit_beyond_what_was_frozen(raw, max_days):
    group = build(raw)
    allocation = calculation.allocate(max_days=max_days, stays=group)
    frozen = set().union(*(s.frozen_dates for s in group if s.frozen_dates is not None))
    given_out = set().union(*map(set, allocation.eligible_dates.values()))
    assert len(given_out) <= max(max_days, len(frozen))
    assert len(given_out - frozen) + len(frozen) <= max(max_days, len(frozen))
    assert allocation.days_remaining >= 0
    for stay in group:
        assert set(allocation.eligible_dates[stay.key]) <= set(stay.dates)


@given(prices=st.lists(st.integers(0, 100_000), min_size=1, max_size=10), cap=st.none() | st.integers(0, 20_000),
       share=st.none() | st.integers(1, 100), adults=st.integers(1, 6), children=st.integers(0, 4))
def test_lodging_never_exceeds_the_price_or_the_cap(prices, cap, share, adults, children):
    terms = Terms(max_days_per_group=30, rules=(Rule("lodging", "person_night", cap, cost_share_percent=share),))
    nights = [(START + timedelta(days=i), price) for i, price in enumerate(prices)]
    dates = [START + timedelta(days=i) for i in range(len(prices) + 1)]
    party = Party(adults, children)
    paid = calculation.lodging(terms=terms, party=party, nights=nights, eligible_dates=dates)
    assert 0 <= paid <= sum(prices)
    if cap is not None:
        assert paid <= cap * party.size * len(prices)


@given(amounts=st.lists(st.tuples(st.integers(1, 50_000), st.integers(1, 5), st.integers(0, 3)), max_size=8),
       cap=st.none() | st.integers(0, 20_000), basis=st.sampled_from(["day", "person_day"]))
def test_lines_never_pay_more_than_their_amount(amounts, cap, basis):
    terms = Terms(max_days_per_group=6, rules=(Rule("taxi", basis, cap),))
    lines = [Line(key=i, category="taxi", date=START + timedelta(days=d), amount_yen=a, persons=p)
             for i, (a, p, d) in enumerate(amounts)]
    results = calculation.expense_lines(terms=terms, party=Party(2, 1), lines=lines, eligible_dates=[START])
    for line in lines:
        paid = results[line.key].reimbursable_yen
        assert 0 <= paid <= line.amount_yen
        if line.date != START:
            assert paid == 0 and results[line.key].reason == "day_limit"


@given(amounts=st.lists(st.integers(0, 100_000), max_size=6), unit=st.sampled_from([1, 10, 100, 1000]),
       left=st.none() | st.integers(0, 200_000))
def test_total_is_rounded_down_and_within_the_household_maximum(amounts, unit, left):
    value = calculation.total(terms=Terms(max_days_per_group=6, rules=(), rounding_unit_yen=unit), amounts=amounts,
                              household_left=left)
    assert value % unit == 0 and 0 <= value <= sum(amounts)
    if left is not None:
        assert value <= left


def test_party_beyond_the_maximum_size_is_not_counted():
    rule = Rule("lodging", "person_night", 3000)
    assert calculation.party_cap(rule, calculation.counted_party(Party(2, 3), 4)) == 12000


@given(raw=stays, max_days=st.integers(0, 10), elsewhere=st.integers(0, 8))
def test_days_frozen_by_stays_no_longer_listed_still_count(raw, max_days, elsewhere):
    """A claim whose booking was cancelled keeps its frozen dates in F (rule 3): they limit what the others get."""
    group = [Stay(key=s.key, dates=s.dates) for s in build(raw)]
    frozen = frozenset(START - timedelta(days=1 + i) for i in range(elsewhere))
    allocation = calculation.allocate(max_days=max_days, stays=group, frozen=frozen)
    given_out = set().union(*map(set, allocation.eligible_dates.values()))
    assert not given_out & frozen
    assert len(given_out) <= max(0, max_days - len(frozen))


def test_days_remaining_after_a_booking_ignore_later_ones():
    first = Stay(key="first", dates=tuple(START + timedelta(days=i) for i in range(4)))
    later = Stay(key="later", dates=(START + timedelta(days=20), START + timedelta(days=21)))
    allocation = calculation.allocate(max_days=6, stays=[first, later])
    assert allocation.remaining_after(START) == 2
    assert allocation.remaining_after(START + timedelta(days=20)) == 0
    assert allocation.days_remaining == 0
