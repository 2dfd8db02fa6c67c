"""A dated search's prices: each bookable unit of a page of results priced for the stay, as a quote would price
it, with the best subsidy estimate of the visitor asking (facilities.hooks.units_priced).

The units come already narrowed by the search (active, fit for the party, open and not sold out on every date);
the unit's own rules are checked here as a quote checks them (stays.stay_resolve, no query), a unit that refuses
the stay is left out, and the prices of every unit are read in one query (their overrides)."""

from collections import defaultdict
from datetime import date

from django.db.models import Q

from facilities.models import Unit

from . import hooks, stays
from .errors import InvalidStay
from .models import Booking, PriceOverride


def _overrides(units: list[Unit], first: date, last: date) -> dict[int, stays.UnitRules]:
    """stays.unit_rules' price overrides for several units in one query (closed units never reach a dated
    search's page, so closures are not read)."""
    rules: dict[int, stays.UnitRules] = defaultdict(lambda: stays.UnitRules([], []))
    rows = PriceOverride.objects.filter(
        Q(unit__in=[unit.pk for unit in units]), start_date__lte=last, end_date__gte=first
    ).order_by("unit_id", "start_date", "id")
    for row in rows:
        rules[row.unit_id].overrides.append(stays.override_rule(row))
    return rules


def units_priced(
    *, units, check_in: date, check_out: date, adults: int, children: int, infants: int, visitor
) -> dict[int, dict]:
    """{unit id: {"total_yen", "total_reimbursable_yen"}} for the units a quote would accept for this stay
    (coworking units: a day pass for each date of [check_in, check_out)). `total_reimbursable_yen` is the best
    estimate's total for `visitor` (a signed-in visitor; null for anyone else)."""
    resolved = []
    for unit in units:
        try:
            resolved.append(
                stays.stay_resolve(
                    unit=unit,
                    check_in=check_in,
                    check_out=check_out,
                    dates=None,
                    adults=adults,
                    children=children,
                    infants=infants,
                )
            )
        except InvalidStay:
            continue
    if not resolved:
        return {}
    first = min(stay.dates[0] for stay in resolved)
    last = max(stay.dates[-1] for stay in resolved)
    rules = _overrides([stay.unit for stay in resolved], first, last)
    priced = {}
    for stay in resolved:
        lines = stays.prices_for(unit=stay.unit, dates=stay.dates, rules=rules[stay.unit.pk])
        reimbursable = None
        if visitor is not None:
            estimates = hooks.estimate_for_quote(
                visitor=visitor,
                unit=stay.unit,
                kind=stay.kind,
                dates=list(stay.calendar_dates()),
                nights=lines if stay.kind == Booking.Kind.STAY else [],
                adults=stay.adults,
                children=stay.children,
                infants=stay.infants,
            )
            best = estimates.get("reimbursement")
            reimbursable = best["total_reimbursable_yen"] if best else None
        priced[stay.unit.pk] = {
            "total_yen": sum(price for _day, price in lines),
            "total_reimbursable_yen": reimbursable,
        }
    return priced
