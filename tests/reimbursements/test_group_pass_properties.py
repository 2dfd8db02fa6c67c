"""Properties of the group pass (pure core) over random groups of bookings and random programme settings: the
household maximum, the budget and the day and night limits hold; no estimate pays more than its nights' prices and
caps allow; the figures depend on the stays' dates and frozen claims, not on the order they were booked in."""

import random
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from reimbursements.estimates import calculation
from reimbursements.estimates.calculation import Frozen, Member, Party, Presence, Rule, Terms

START = date(2026, 12, 1)

terms_strategy = st.builds(
    lambda cap, child, share, days, nights, household, party, unit: Terms(
        max_days_per_group=days,
        max_nights_per_group=nights,
        max_amount_per_household=household,
        max_party_size=party,
        rounding_unit_yen=unit,
        rules=(Rule("lodging", "person_night", cap, cap_child_yen=child, cost_share_percent=share),),
    ),
    cap=st.none() | st.integers(0, 10_000),
    child=st.none() | st.integers(0, 5_000),
    share=st.none() | st.integers(1, 100),
    days=st.none() | st.integers(0, 12),
    nights=st.none() | st.integers(0, 10),
    household=st.none() | st.integers(0, 60_000),
    party=st.none() | st.integers(1, 4),
    unit=st.sampled_from([1, 100]),
)

# (offset of check-in, nights (0: a one-date day pass), adults, children, price a night); offsets kept distinct.
stays_strategy = st.lists(
    st.tuples(st.integers(0, 25), st.integers(0, 4), st.integers(1, 3), st.integers(0, 2), st.integers(0, 20_000)),
    min_size=1,
    max_size=5,
    unique_by=lambda raw: raw[0],
)


def members_of(raw, keys) -> list[Member]:
    members = []
    for key, (offset, nights, adults, children, price) in zip(keys, raw, strict=True):
        check_in = START + timedelta(days=offset)
        kind = calculation.STAY if nights else calculation.DAY_PASS
        dates = tuple(check_in + timedelta(days=i) for i in range(nights + 1))
        members.append(
            Member(
                key=key,
                order=(check_in, 0, key),
                kind=kind,
                dates=dates,
                nights=tuple((d, price) for d in dates[:-1]),
                party=Party(adults, children),
            )
        )
    return members


def presence_of(members) -> list[Presence]:
    return [
        Presence(kind=m.kind, dates=m.dates, night_dates=tuple(n for n, _ in m.nights), party=m.party)
        for m in members
        if m.frozen is None
    ]


def run(terms, members, budget_left, presence):
    return calculation.group_pass(terms=terms, members=members, presence=presence, budget_left=budget_left)


def freeze(member: Member, result) -> Member:
    """The member as its submitted claim left it: dates, nights and figures fixed."""
    return replace(
        member,
        frozen=Frozen(
            dates=frozenset(result.eligible_dates),
            nights=tuple(sorted(result.night_lodging.items())),
            lodging_yen=result.lodging_yen,
            total_yen=result.total_yen,
            committed_yen=result.total_yen,
            reasons=tuple(result.reasons),
        ),
    )


@settings(max_examples=150, deadline=None)
@given(
    terms=terms_strategy,
    raw=stays_strategy,
    budget=st.none() | st.integers(0, 80_000),
    frozen_index=st.none() | st.integers(0, 4),
    seed=st.integers(0, 10_000),
)
def test_group_pass_limits_and_order(terms, raw, budget, frozen_index, seed):
    keys = list(range(1, len(raw) + 1))
    members = members_of(raw, keys)
    presence = presence_of(members)
    if frozen_index is not None and frozen_index < len(members):
        first = run(terms, members, budget, presence)
        target = members[frozen_index]
        if not target.refused and first[target.key].eligible_dates:
            members[frozen_index] = freeze(target, first[target.key])
    results = run(terms, members, budget, presence)

    # The household maximum and the budget: the group's estimates together stay within them.
    totals = sum(r.total_yen for r in results.values())
    if terms.max_amount_per_household is not None:
        assert totals <= max(terms.max_amount_per_household, sum(m.frozen.committed_yen for m in members if m.frozen))
    if budget is not None:
        assert totals <= max(budget, sum(m.frozen.committed_yen for m in members if m.frozen))

    # The day and night limits, each date and night counted once for the group.
    frozen_dates = set().union(*(m.frozen.dates for m in members if m.frozen))
    frozen_nights = {n for m in members if m.frozen for n, _ in m.frozen.nights}
    all_dates = set().union(*(set(r.eligible_dates) for r in results.values()))
    all_nights = set().union(*(set(r.eligible_nights) for r in results.values()))
    if terms.max_days_per_group is not None:
        assert len(all_dates) <= max(terms.max_days_per_group, len(frozen_dates))
    if terms.max_nights_per_group is not None:
        assert len(all_nights) <= max(terms.max_nights_per_group, len(frozen_nights))

    # No estimate pays more than its nights' prices and its party's caps allow.
    rule = terms.rule("lodging")
    for m in members:
        result = results[m.key]
        assert result.total_yen >= 0 and (result.days_remaining or 0) >= 0 and (result.nights_remaining or 0) >= 0
        if m.frozen:
            continue
        prices = dict(m.nights)
        assert set(result.eligible_dates) <= set(m.dates)
        party_cap = calculation.party_cap(rule, calculation.counted_party(m.party, terms.max_party_size))
        allowed = 0
        for night in result.eligible_nights:
            share = prices[night] if rule.cost_share_percent is None else prices[night] * rule.cost_share_percent // 100
            allowed += share if party_cap is None else min(share, party_cap)
            assert result.night_lodging[night] <= prices[night]
        assert result.lodging_yen <= allowed
        assert result.total_yen <= allowed
        if m.kind == calculation.DAY_PASS:
            assert result.eligible_nights == [] and result.lodging_yen == 0

    # The order the bookings were made in (their ids and the list's order) changes nothing.
    shuffled_keys = keys[:]
    random.Random(seed).shuffle(shuffled_keys)
    renamed = {old: new for old, new in zip(keys, shuffled_keys, strict=True)}
    again_members = [replace(m, key=renamed[m.key], order=(m.order[0], 0, renamed[m.key])) for m in members]
    random.Random(seed + 1).shuffle(again_members)
    again = run(terms, again_members, budget, presence)
    for key in keys:
        assert again[renamed[key]] == results[key]
