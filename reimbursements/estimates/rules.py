"""The pure eligibility rules of the estimate engine (docs/subsidies.md, rules 1-40; monthly programmes 41-52): which programmes cover a stay,
who may receive them, and the group pass of a household's stays and claims under one programme, with the report
of a granted claim and the refiguring of a frozen one. No database: the loader hands the household's history in."""

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date

from reimbursements.models import Claim, Programme

from . import calculation
from .calculation import Frozen, Line, LineResult, Member, MemberResult, MonthTerms, Party, Presence, Rule, Terms

OUTSIDE_PROGRAMME_AREA = "outside_programme_area"
OUTSIDE_VALIDITY_WINDOW = "outside_validity_window"
BELOW_MIN_NIGHTS = "below_min_nights"
DAY_LIMIT_REACHED = calculation.DAY_LIMIT_REACHED
NIGHT_LIMIT_REACHED = calculation.NIGHT_LIMIT_REACHED
CLAIM_LIMIT_REACHED = "claim_limit_reached"
BUDGET_EXHAUSTED = calculation.BUDGET_EXHAUSTED
RESIDENT_OF_PROGRAMME_AREA = "resident_of_programme_area"
CLAIMED_UNDER_OTHER_PROGRAMME = "claimed_under_other_programme"
BOOKING_CANCELLED = "booking_cancelled"
HOUSEHOLD_LIMIT = calculation.HOUSEHOLD_LIMIT
BUDGET_LOW = calculation.BUDGET_LOW
# A report cut to the amount granted on the application.
GRANT_LIMIT = "grant_limit"
# Rule 38: the refusing codes make `eligible` false; the cutting ones (last two) leave it true.
REFUSING_REASONS = [
    OUTSIDE_PROGRAMME_AREA,
    OUTSIDE_VALIDITY_WINDOW,
    BELOW_MIN_NIGHTS,
    DAY_LIMIT_REACHED,
    NIGHT_LIMIT_REACHED,
    CLAIM_LIMIT_REACHED,
    BUDGET_EXHAUSTED,
    RESIDENT_OF_PROGRAMME_AREA,
    CLAIMED_UNDER_OTHER_PROGRAMME,
    BOOKING_CANCELLED,
]
REASON_CODES = [*REFUSING_REASONS, HOUSEHOLD_LIMIT, BUDGET_LOW]
# A claim void because its booking was cancelled after it was granted, submitted or approved.
STAY_CANCELLED = "stay_cancelled"
CLAIM_REASON_CODES = [
    *REASON_CODES,
    GRANT_LIMIT,
    STAY_CANCELLED,
    calculation.MONTHLY_LIMIT,
    calculation.LIFETIME_LIMIT,
]
# `planned`: a line planned before the stay, which the report does not pay (only receipted lines are).
PLANNED = "planned"
LINE_REASON_CODES = [
    "",
    calculation.DAY_LIMIT,
    calculation.DAY_CAP_USED,
    calculation.PERSONS_CAPPED,
    calculation.DISALLOWED,
    PLANNED,
    calculation.ALLOWANCE_DEDUCTED,
    calculation.COMMUTER_PASS_EXCLUDED,
    calculation.CATEGORY_EXCLUDED,
    calculation.NOT_COUNTED,
]
HOME_MUNICIPALITY = "home_municipality"
CONSULTATION = "consultation"
SURVEY = "survey"
REQUIREMENT_CODES = [HOME_MUNICIPALITY, CONSULTATION, SURVEY]


def terms_of(programme: Programme) -> Terms:
    rules = tuple(
        Rule(
            category=r.category,
            basis=r.basis,
            cap_yen=r.cap_yen,
            cap_child_yen=r.cap_child_yen,
            cap_infant_yen=r.cap_infant_yen,
            cost_share_percent=r.cost_share_percent,
        )
        for r in programme.categories.all()
    )
    return Terms(
        max_days_per_group=programme.max_days_per_group,
        rules=rules,
        min_nights=programme.min_nights,
        max_party_size=programme.max_party_size,
        rounding_unit_yen=programme.rounding_unit_yen,
        max_nights_per_group=programme.max_nights_per_group,
        max_amount_per_household=programme.max_amount_per_household_per_fy,
    )


def terms_as_json(terms: Terms) -> dict:
    """The terms as a claim stores them when it freezes (`Claim.frozen_terms`)."""
    return asdict(terms)


def terms_from_json(stored: dict) -> Terms:
    """The terms a claim stored when it froze; fields the terms no longer have are left out."""
    known = {f.name for f in fields(Terms)} - {"rules"}
    rule_fields = {f.name for f in fields(Rule)}
    rules = tuple(Rule(**{k: v for k, v in rule.items() if k in rule_fields}) for rule in stored.get("rules", ()))
    return Terms(rules=rules, **{k: v for k, v in stored.items() if k in known})


# --- the household's history, as the loader hands it in -------------------------------------------------------------

QUOTE = "quote"


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
    visitor_id: int | None = None
    check_out: date | None = None
    created_on: date | None = None  # the booking's creation (Japan time); None for a quote

    @property
    def order(self) -> tuple:
        """Rule 26: check-in, then booking id; a quote after the bookings of its check-in date."""
        return (self.check_in, 1, 0) if self.key == QUOTE else (self.check_in, 0, self.key)

    def presence(self) -> Presence:
        return Presence(
            kind=self.kind, dates=self.dates, night_dates=tuple(n for n, _ in self.nights), party=self.party
        )


@dataclass
class ClaimFacts:
    """A live claim as the rules need it: its lines (a frozen claim's with what each was paid), what it froze, and
    what is stored of it (its status, grant, and each line's figure and reason)."""

    id: int
    visitor_id: int
    booking_id: int
    programme_id: int
    check_in: date
    lines: tuple[Line, ...]
    frozen: Frozen | None
    applied_on: date | None = None
    status: str = Claim.Status.DRAFT
    granted_yen: int | None = None
    planned: frozenset = frozenset()  # the keys of the lines planned before the stay (no receipt)
    stored: dict = field(default_factory=dict)  # line key -> (reimbursable_yen, reason) as stored
    terms: Terms | None = None  # the programme's terms when the claim froze (None: not frozen, or frozen before)

    def terms_under(self, programme: Programme) -> Terms:
        """The terms its figures follow: those it froze with, else the programme's as they are now."""
        return self.terms if self.terms is not None else terms_of(programme)

    @property
    def reported(self) -> bool:
        """A granted claim with a receipt: its report is being made, and shows what it would pay now (rule 14)."""
        return self.status == Claim.Status.GRANTED and any(line.key not in self.planned for line in self.lines)


@dataclass
class Home:
    code: str = ""
    prefecture: str = ""


@dataclass
class GroupHistory:
    stays: dict = field(default_factory=lambda: defaultdict(list))  # visitor id -> [StayFacts] (active)
    live: dict = field(default_factory=dict)  # booking id -> ClaimFacts of its live claim
    frozen: dict = field(default_factory=lambda: defaultdict(list))  # (visitor, programme id) -> [ClaimFacts]
    homes: dict = field(default_factory=dict)  # visitor id -> Home
    programmes: list = field(default_factory=list)
    claims: dict = field(default_factory=dict)  # claim id -> Claim (live), with its lines
    targets: dict = field(default_factory=dict)  # booking id -> StayFacts of every booking read
    claim_facts: dict = field(default_factory=dict)  # claim id -> ClaimFacts (live)
    committed: dict = field(default_factory=dict)  # programme id -> yen its frozen claims commit (all groups)
    passes: dict = field(default_factory=dict)
    consultations: dict = field(default_factory=dict)  # (visitor, municipality, start, end) -> attended
    surveys: dict = field(default_factory=dict)  # booking id -> answered


# --- who may receive it, and which programmes cover a stay ----------------------------------------------------------


def resident_of_programme_area(programme: Programme, home: Home) -> bool:
    """Rule 19. Without a declared home municipality the rule counts as met (the requirement of rule 20 is not)."""
    if not home.code or programme.residence_rule == Programme.ResidenceRule.ANY:
        return False
    if programme.residence_rule == Programme.ResidenceRule.OUTSIDE_PREFECTURE:
        # The first two digits of a local-government code are the prefecture's.
        return home.code[:2] == programme.municipality.code[:2]
    return home.code == programme.municipality.code


def requirements_of(
    home: Home, *, programme: Programme | None = None, consulted: bool = False, surveyed: bool = False
) -> list[dict]:
    """Rule 20's list: the declared home always; a consultation and the survey where the programme asks for them."""
    items = [{"code": HOME_MUNICIPALITY, "met": bool(home.code)}]
    if programme is not None and programme.requires_consultation:
        items.append({"code": CONSULTATION, "met": consulted})
    if programme is not None and programme.requires_survey:
        items.append({"code": SURVEY, "met": surveyed})
    return items


def consultation_query(programme: Programme, stay: StayFacts, applied_on: date | None) -> tuple:
    """A consultation counts between the application (or, without one, the booking's creation) and check-out."""
    return (stay.visitor_id, programme.municipality_id, applied_on or stay.created_on, stay.check_out)


def applied_on(history: GroupHistory, programme: Programme, stay: StayFacts) -> date | None:
    live = history.live.get(stay.key)
    return live.applied_on if live is not None and live.programme_id == programme.id else None


def requirements(history: GroupHistory, programme: Programme, target: StayFacts, home: Home) -> list[dict]:
    if target.key == QUOTE:
        return requirements_of(home, programme=programme)
    query = consultation_query(programme, target, applied_on(history, programme, target))
    return requirements_of(
        home,
        programme=programme,
        consulted=bool(history.consultations.get(query)),
        surveyed=bool(history.surveys.get(target.key)),
    )


def in_window(programme: Programme, check_in: date) -> bool:
    return programme.valid_from <= check_in <= programme.valid_until


def covers(programme: Programme, stay: StayFacts, live: ClaimFacts | None) -> bool:
    """Rule 15: an active programme of the facility's town whose window holds the check-in, or the programme of the
    booking's live claim."""
    if live is not None and live.programme_id == programme.id:
        return True
    return (
        programme.is_active
        and programme.municipality_id == stay.municipality_id
        and in_window(programme, stay.check_in)
    )


def below_min_nights(programme: Programme, stay: StayFacts) -> bool:
    """A stay shorter than the programme's minimum; a day pass has no nights, so it is below any minimum."""
    return programme.min_nights is not None and programme.min_nights > 0 and len(stay.nights) < programme.min_nights


# --- the group pass --------------------------------------------------------------------------------------------


def _frozen_member(programme: Programme, claim: ClaimFacts, preview: MemberResult | None = None) -> Member:
    """A frozen claim in a pass: its stored figures take their share of every limit first; a report being made
    (`preview`), with the figures it would pay now."""
    assert claim.frozen is not None
    lines = claim.lines
    if preview is not None:
        lines = tuple(replace(line, paid_yen=preview.lines[line.key].reimbursable_yen) for line in claim.lines)
    return Member(
        key=claim.booking_id,
        order=(claim.check_in, 0, claim.booking_id),
        kind="",
        dates=tuple(sorted(claim.frozen.dates)),
        nights=(),
        party=Party(0),
        fiscal_year=programme.fiscal_year_of(claim.check_in),
        lines=lines,
        frozen=claim.frozen,
    )


def group_pass_of(
    history: GroupHistory, programme: Programme, *, visitor_id, extra: StayFacts | None = None
) -> dict[object, MemberResult]:
    """The figures of every stay of the group under the programme (cached per group, programme and extra stay).
    `extra` is a quote, or a cancelled booking whose own estimate is asked for."""
    cache_key = (visitor_id, programme.id, extra.key if extra is not None else None)
    if cache_key in history.passes:
        return history.passes[cache_key]
    terms = terms_of(programme)
    home = history.homes.get(visitor_id, Home())
    resident = resident_of_programme_area(programme, home)
    stays = [
        s
        for s in history.stays.get(visitor_id, [])
        if s.municipality_id == programme.municipality_id
        or getattr(history.live.get(s.key), "programme_id", None) == programme.id
    ]
    if extra is not None and extra.key not in {s.key for s in stays}:
        stays.append(extra)
    frozen_claims = history.frozen.get((visitor_id, programme.id), [])
    frozen_bookings = {c.booking_id for c in frozen_claims}
    claims_per_year = Counter(programme.fiscal_year_of(c.check_in) for c in frozen_claims)

    # A report being made counts with what it would pay now, not with what was stored of it.
    previews = reports_of(history, programme, visitor_id=visitor_id)
    members = [_frozen_member(programme, c, previews.get(c.id)) for c in frozen_claims]
    for stay in stays:
        if stay.key in frozen_bookings:
            continue
        live = history.live.get(stay.key)
        if not covers(programme, stay, live):
            continue
        year = programme.fiscal_year_of(stay.check_in)
        refused = []
        if not stay.active:
            refused.append(BOOKING_CANCELLED)
        if live is not None and live.programme_id != programme.id:
            refused.append(CLAIMED_UNDER_OTHER_PROGRAMME)
        if resident:
            refused.append(RESIDENT_OF_PROGRAMME_AREA)
        if below_min_nights(programme, stay):
            refused.append(BELOW_MIN_NIGHTS)
        if programme.max_claims_per_fy is not None and claims_per_year[year] >= programme.max_claims_per_fy:
            refused.append(CLAIM_LIMIT_REACHED)
        own_lines = live.lines if live is not None and live.programme_id == programme.id else ()
        members.append(
            Member(
                key=stay.key,
                order=stay.order,
                kind=stay.kind,
                dates=stay.dates,
                nights=tuple(stay.nights),
                party=stay.party,
                fiscal_year=year,
                lines=own_lines,
                refused=tuple(refused),
            )
        )
    budget_left = None
    if programme.budget_yen is not None:
        own = sum(c.frozen.committed_yen for c in frozen_claims)
        budget_left = max(0, programme.budget_yen - (history.committed.get(programme.id, 0) - own))
    results = calculation.group_pass(
        terms=terms, members=members, budget_left=budget_left, presence=[s.presence() for s in stays if s.active]
    )
    history.passes[cache_key] = results
    return results


# --- a claim's figures, whatever its status -------------------------------------------------------------------------


def _rounded(value: int, unit: int) -> int:
    return value - value % unit


def reports_of(history: GroupHistory, programme: Programme, *, visitor_id) -> dict[int, MemberResult]:
    """The reports being made (granted claims with a receipt) of the household under the programme, by claim id, in
    the order of rule 26: each shares each date's caps with the frozen claims and the reports before it."""
    cache_key = ("reports", visitor_id, programme.id)
    if cache_key not in history.passes:
        previews: dict[int, MemberResult] = {}
        history.passes[cache_key] = previews
        reported = [c for c in history.frozen.get((visitor_id, programme.id), []) if c.reported]
        for claim in sorted(reported, key=lambda c: (c.check_in, c.booking_id)):
            target = history.targets.get(claim.booking_id)
            if target is not None:
                previews[claim.id] = report_pass(history, programme, claim, target, previews=previews)
    return history.passes[cache_key]


def report_pass(
    history: GroupHistory,
    programme: Programme,
    claim: ClaimFacts,
    target: StayFacts,
    *,
    previews: dict[int, MemberResult] | None = None,
) -> MemberResult:
    """Rule 14: a granted claim's report (実績報告) pays its receipted lines on the granted dates, each date's caps
    shared with every other claim of the household under the programme (their frozen figures count first), plus
    the lodging the grant froze night by night; rounded, then cut to the grant (`grant_limit`). The grant already
    settled the household's days, nights, maximum and the budget, so those limits are not applied again. The caps
    and the rounding are the programme's as they were when the claim was granted."""
    grant = claim.frozen
    assert grant is not None  # a granted claim froze its days
    granted_terms = claim.terms_under(programme)
    terms = replace(
        granted_terms,
        max_days_per_group=None,
        max_nights_per_group=None,
        max_amount_per_household=None,
        rounding_unit_yen=1,
    )
    receipts = tuple(replace(line, paid_yen=None) for line in claim.lines if line.key not in claim.planned)
    member = Member(
        key=claim.booking_id,
        order=target.order,
        kind=target.kind,
        dates=tuple(sorted(grant.dates)),
        nights=(),
        party=target.party,
        fiscal_year=programme.fiscal_year_of(target.check_in),
        lines=receipts,
    )
    if previews is None:
        order = (claim.check_in, claim.booking_id)
        previews = {
            other.id: preview
            for other_id, preview in reports_of(history, programme, visitor_id=claim.visitor_id).items()
            for other in [history.claim_facts[other_id]]
            if (other.check_in, other.booking_id) < order
        }
    # The household's other frozen claims; of the reports being made, only those before this one (rule 26).
    others = [
        _frozen_member(programme, other, previews.get(other.id))
        for other in history.frozen.get((claim.visitor_id, programme.id), [])
        if other.id != claim.id and (not other.reported or other.id in previews)
    ]
    stays = [
        s
        for s in history.stays.get(claim.visitor_id, [])
        if s.municipality_id == programme.municipality_id and s.active
    ]
    passed = calculation.group_pass(terms=terms, members=[member, *others], presence=[s.presence() for s in stays])
    result = passed[claim.booking_id]
    for key in claim.planned:
        result.lines[key] = LineResult(0, PLANNED)
    result.eligible, result.reasons = True, []
    result.eligible_dates, result.eligible_nights = sorted(grant.dates), [night for night, _ in grant.nights]
    result.night_lodging = dict(grant.nights)
    result.lodging_yen = sum(paid for _, paid in grant.nights)
    total = _rounded(
        result.lodging_yen + sum(r.reimbursable_yen for r in result.lines.values()),
        granted_terms.rounding_unit_yen,
    )
    granted = claim.granted_yen or 0
    if total > granted:
        total = granted
        result.reasons.append(GRANT_LIMIT)
    result.total_yen = total
    return result


def refigure_frozen(programme: Programme, claim: ClaimFacts, target: StayFacts) -> MemberResult:
    """A submitted, approved or paid claim from what it froze (rule 3): its nights' lodging and its lines' figures,
    less the lines staff disallowed and whatever the stay no longer holds (a night or date its booking gave up),
    rounded as a whole (by the rounding it froze with) and never above the total it was frozen at, whose cuts
    (household maximum, budget, grant) still hold. Never arithmetic on a total: a line taken out is taken out before
    the rounding and the cuts."""
    frozen = claim.frozen
    assert frozen is not None
    held_dates = set(target.dates) if target.active else set()
    held_nights = {night for night, _ in target.nights} if target.active else set()
    result = MemberResult(eligible=True, reasons=list(frozen.reasons))
    result.eligible_dates = sorted(d for d in frozen.dates if d in held_dates)
    result.night_lodging = {night: paid for night, paid in frozen.nights if night in held_nights}
    result.eligible_nights = sorted(result.night_lodging)
    result.lodging_yen = sum(result.night_lodging.values())
    for line in claim.lines:
        paid, reason = claim.stored.get(line.key, (line.paid_yen or 0, ""))
        if line.disallowed:
            result.lines[line.key] = LineResult(0, calculation.DISALLOWED)
        elif line.key in claim.planned:
            result.lines[line.key] = LineResult(0, PLANNED)
        elif line.date not in held_dates:
            result.lines[line.key] = LineResult(0, calculation.DAY_LIMIT)
        else:
            result.lines[line.key] = LineResult(paid, reason)
    raw = result.lodging_yen + sum(r.reimbursable_yen for r in result.lines.values())
    result.total_yen = min(_rounded(raw, claim.terms_under(programme).rounding_unit_yen), frozen.total_yen)
    return result


def stored_result(claim: ClaimFacts) -> MemberResult:
    """A granted claim without a receipt (yet, or any more) shows its grant as frozen: its total is the grant, not
    the figure of a report it stopped making."""
    frozen = claim.frozen
    assert frozen is not None
    result = MemberResult(eligible=True, reasons=[r for r in frozen.reasons if r != GRANT_LIMIT])
    result.eligible_dates, result.eligible_nights = sorted(frozen.dates), [night for night, _ in frozen.nights]
    result.night_lodging = dict(frozen.nights)
    result.lodging_yen = sum(paid for _, paid in frozen.nights)
    result.lines = {key: LineResult(*figure) for key, figure in claim.stored.items()}
    result.total_yen = frozen.total_yen if claim.granted_yen is None else claim.granted_yen
    return result


def claim_result(
    history: GroupHistory, programme: Programme, claim: ClaimFacts, target: StayFacts, *, report: bool = False
) -> MemberResult:
    """Every figure of one live claim, by its status: a draft or an application through the group pass (rule 32:
    the same figures as its booking's estimate); a granted claim its grant, or its report once it has a receipt;
    a submitted, approved or paid claim refigured from what it froze. `report`: a granted claim's report being
    submitted, with or without receipts."""
    if claim.frozen is None:
        results = group_pass_of(
            history, programme, visitor_id=claim.visitor_id, extra=None if target.active else target
        )
        return results.get(claim.booking_id, MemberResult(reasons=[BOOKING_CANCELLED]))
    if claim.status == Claim.Status.GRANTED:
        if claim.reported and not report:
            return reports_of(history, programme, visitor_id=claim.visitor_id)[claim.id]
        return report_pass(history, programme, claim, target) if report else stored_result(claim)
    return refigure_frozen(programme, claim, target)


# --- monthly programmes (rules 41-52) -------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it has fewer days)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def month_of(day: date) -> date:
    return day.replace(day=1)


def age_on(birth_date: date, day: date) -> int:
    """Full years lived on `day` (a person born on 29 February ages on 1 March in other years)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def certification_deadline(programme: Programme, move_date: date) -> date | None:
    """Rule 42: the last day to apply for certification; None: no window."""
    if programme.certification_window_months is None:
        return None
    return add_months(move_date, programme.certification_window_months)


def certification_period(programme: Programme, certified_on: date) -> tuple[date, date]:
    """Rule 44: the first and last month paid (first days of months), from the month after certification."""
    first = add_months(month_of(certified_on), programme.first_month_offset)
    return first, add_months(first, max(1, programme.period_months or 1) - 1)


def month_terms(programme: Programme) -> MonthTerms:
    return MonthTerms(
        counted=tuple(programme.counted_categories or ()),
        deducted=tuple(programme.deducted_categories or ()),
        excluded=tuple(programme.excluded_categories or ()),
        share_percent=programme.share_percent if programme.share_percent is not None else 100,
        monthly_cap_yen=programme.monthly_cap_yen,
        lifetime_cap_yen=programme.lifetime_cap_yen,
        rounding_unit_yen=programme.rounding_unit_yen,
    )


@dataclass
class MonthClaimFacts:
    """A live claim of a monthly programme as the rules need it: its month, its lines, what it froze."""

    id: int
    visitor_id: int
    programme_id: int
    month: date
    lines: tuple[Line, ...]
    frozen: Frozen | None


@dataclass
class MonthlyHistory:
    """What the loader reads for monthly claims: the programmes, the live monthly claims of the people under them,
    and what the frozen claims commit of each programme's budget per fiscal year."""

    programmes: dict = field(default_factory=dict)  # programme id -> Programme
    claims: dict = field(default_factory=dict)  # claim id -> MonthClaimFacts (live)
    rows: dict = field(default_factory=dict)  # claim id -> Claim (live), with its lines
    committed: dict = field(default_factory=dict)  # (programme id, fiscal year) -> yen (every person)


def lifetime_used(history: MonthlyHistory, programme: Programme, claim: MonthClaimFacts) -> int:
    """Rule 49: what the person's other frozen months under the programme commit."""
    return sum(
        other.frozen.committed_yen
        for other in history.claims.values()
        if other.frozen is not None
        and other.id != claim.id
        and other.visitor_id == claim.visitor_id
        and other.programme_id == programme.id
    )


def monthly_claim_result(history: MonthlyHistory, programme: Programme, claim: MonthClaimFacts) -> MemberResult:
    """Every figure of one monthly claim: a draft's from its lines, the person's lifetime cap and the budget of
    its month's fiscal year (rule 50: every other claim frozen under the programme commits first); a frozen
    claim's refigured from its lines, never above what it froze (a disallowed line comes out before the caps)."""
    terms = month_terms(programme)
    if claim.frozen is not None:
        result = calculation.month_pass(
            terms=replace(terms, lifetime_cap_yen=None), lines=claim.lines, ceiling=claim.frozen.total_yen
        )
        result.reasons = list(claim.frozen.reasons)
        return result
    budget_left = None
    if programme.budget_yen is not None:
        year = programme.fiscal_year_of(claim.month)
        budget_left = max(0, programme.budget_yen - history.committed.get((programme.id, year), 0))
    return calculation.month_pass(
        terms=terms, lines=claim.lines, lifetime_used=lifetime_used(history, programme, claim), budget_left=budget_left
    )
