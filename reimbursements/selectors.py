"""Reads for reimbursements: the estimates every quote and booking carries, programmes, claims.

The group's history is loaded in bulk (a fixed number of queries whatever the number of bookings) and handed to
`calculation.group_pass`, the one function estimates, draft claims and submissions all go through."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from django.db import connection
from django.db.models import Aggregate, Exists, F, JSONField, Model, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone

from accounts.models import User
from backend.ids import parse_id
from backend.plain_sql import column, placeholders, table
from bookings.errors import BookingNotFound
from bookings.models import Booking
from bookings.stays import calendar_dates

from . import calculation, hooks
from .calculation import Frozen, Line, Member, MemberResult, Party, Presence, Rule, Terms
from .errors import ClaimNotFound, LineNotFound
from .models import Claim, ClaimDay, ClaimEvent, ExpenseLine, Programme

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
CLAIM_REASON_CODES = [*REASON_CODES, GRANT_LIMIT]
# `planned`: a line planned before the stay, which the report does not pay (only receipted lines are).
PLANNED = "planned"
LINE_REASON_CODES = [
    "",
    calculation.DAY_LIMIT,
    calculation.DAY_CAP_USED,
    calculation.PERSONS_CAPPED,
    calculation.DISALLOWED,
    PLANNED,
]
HOME_MUNICIPALITY = "home_municipality"
CONSULTATION = "consultation"
SURVEY = "survey"
REQUIREMENT_CODES = [HOME_MUNICIPALITY, CONSULTATION, SURVEY]


# --- programmes -------------------------------------------------------------------------------------------------

# A programme's code is a slug; anything else (a NUL byte, which PostgreSQL refuses in a query) names none.


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.filter(is_active=True).select_related("municipality").prefetch_related("categories")


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


# --- rows with their children, in one query ----------------------------------------------------------------------


def cache_related(instance: Model, relation: str, objects) -> None:
    """Makes `instance.<relation>.all()` answer `objects` without a query, as `prefetch_related` would."""
    queryset = getattr(instance, relation).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = queryset


def with_children(queryset: QuerySet, relation: str) -> list:
    """The rows of `queryset` with their `relation` (a reverse foreign key) read in the same query, where
    `prefetch_related` would take a second one: a LEFT JOIN gives one row per child (one with NULLs for a row
    without any), folded back into one instance per row with the children cached in the relation's order."""
    child = queryset.model._meta.get_field(relation).related_model
    names = [f.attname for f in child._meta.concrete_fields]
    aliases = [f"joined_{relation}_{name}" for name in names]
    ordering = [
        ("-" if name.startswith("-") else "") + f"joined_{relation}_{child._meta.get_field(name.lstrip('-')).attname}"
        for name in child._meta.ordering
    ]
    rows = queryset.annotate(**{a: F(f"{relation}__{n}") for a, n in zip(aliases, names, strict=True)}).order_by(
        *queryset.query.order_by, "pk", *ordering
    )
    parents: dict = {}
    children: dict = defaultdict(list)
    pk = names.index(child._meta.pk.attname)
    for row in rows:
        parent = parents.setdefault(row.pk, row)
        values = [getattr(row, alias) for alias in aliases]
        if values[pk] is not None:
            children[row.pk].append(child.from_db(queryset.db, names, values))
    for key, parent in parents.items():
        cache_related(parent, relation, children[key])
    return list(parents.values())


# --- the group's history, loaded in bulk ----------------------------------------------------------------------------

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
    id: int
    visitor_id: int
    booking_id: int
    programme_id: int
    check_in: date
    lines: tuple[Line, ...]
    frozen: Frozen | None
    applied_on: date | None = None


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
    committed: dict = field(default_factory=dict)  # programme id -> yen its frozen claims commit (all groups)
    passes: dict = field(default_factory=dict)
    consultations: dict = field(default_factory=dict)  # (visitor, municipality, start, end) -> attended
    surveys: dict = field(default_factory=dict)  # booking id -> answered


def facts_of(booking: Booking) -> StayFacts:
    lines = list(booking.lines.all())
    nights = [(line.date, line.price_yen) for line in lines] if booking.kind == Booking.Kind.STAY else []
    return StayFacts(
        key=booking.id,
        municipality_id=booking.unit.facility.municipality_id,
        kind=booking.kind,
        check_in=booking.check_in,
        # Rule 1: check-in to check-out inclusive, or the pass dates (the stay module's one definition).
        dates=calendar_dates(
            kind=booking.kind,
            check_in=booking.check_in,
            check_out=booking.check_out,
            dates=[line.date for line in lines],
        ),
        nights=nights,
        party=Party(booking.adults, booking.children, booking.infants),
        active=booking.is_active,
        visitor_id=booking.visitor_id,
        check_out=booking.check_out,
        created_on=timezone.localdate(booking.created_at) if booking.created_at else None,
    )


def line_of(line: ExpenseLine, *, frozen: bool) -> Line:
    return Line(
        key=line.id,
        category=line.category,
        date=line.date,
        amount_yen=line.amount_yen,
        persons=line.persons,
        disallowed=bool(line.disallowed_reason),
        adults=line.adults,
        children=line.children,
        infants=line.infants,
        paid_yen=line.reimbursable_yen if frozen else None,
    )


def committed_yen(claim: Claim) -> int:
    """Rule 37: approved and paid claims count with their approved amount, submitted ones with their total."""
    return claim.total_reimbursable_yen if claim.approved_amount_yen is None else claim.approved_amount_yen


class JSONList(Aggregate):
    """The aggregated values as one JSON array: json_group_array on SQLite, jsonb_agg on PostgreSQL."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def frozen_days() -> Subquery:
    """A claim's frozen days as a JSON list of {date, night, lodging_yen}, to read with the claim (None without)."""
    days = (
        ClaimDay.objects.filter(claim_id=OuterRef("pk"))
        .order_by()
        .values("claim_id")
        .annotate(days=JSONList(JSONObject(date="date", night="night", lodging_yen="lodging_yen")))
        .values("days")
    )
    return Subquery(days)


def _claim_facts(claim: Claim) -> ClaimFacts:
    frozen = None
    if claim.is_frozen:
        # (date, night?, lodging) of each frozen day, from the claim's `frozen_days()` annotation.
        days = [
            (date.fromisoformat(day["date"]), bool(day["night"]), day["lodging_yen"])
            for day in getattr(claim, "frozen_days", None) or []
        ]
        frozen = Frozen(
            dates=frozenset(day for day, _, _ in days),
            nights=tuple(sorted((day, lodging) for day, night, lodging in days if night)),
            lodging_yen=claim.lodging_reimbursable_yen,
            total_yen=claim.total_reimbursable_yen,
            committed_yen=committed_yen(claim),
            reasons=tuple(claim.reasons or ()),
        )
    return ClaimFacts(
        id=claim.id,
        visitor_id=claim.visitor_id,
        booking_id=claim.booking_id,
        programme_id=claim.programme_id,
        check_in=claim.booking.check_in,
        lines=tuple(line_of(line, frozen=frozen is not None) for line in claim.lines.all()),
        frozen=frozen,
        applied_on=timezone.localdate(claim.applied_at) if claim.applied_at else None,
    )


def programmes_with_terms(programmes: QuerySet[Programme]) -> list:
    """The programmes with their town, their category rules and, as `committed_yen`, what the claims frozen under
    each have committed of its budget (rule 37; None without any), all in one query."""
    committed = (
        Claim.objects.filter(programme_id=OuterRef("pk"), status__in=Claim.FROZEN_STATUSES)
        .order_by()
        .values("programme_id")
        .annotate(total=Sum(Coalesce("approved_amount_yen", "total_reimbursable_yen")))
        .values("total")
    )
    return with_children(
        programmes.annotate(committed_yen=Subquery(committed)).select_related("municipality").order_by("code"),
        "categories",
    )


def _load_homes(history: GroupHistory, visitor_ids: set, visitors=()) -> None:
    """The declared homes of the visitors, from the users given in `visitors`, the others in one query."""
    for user in visitors:
        if user.id in visitor_ids:
            history.homes[user.id] = Home(user.home_municipality_code or "", user.home_prefecture or "")
    unknown = visitor_ids - set(history.homes)
    if unknown:
        for user_id, code, prefecture in User.objects.filter(id__in=unknown).values_list(
            "id", "home_municipality_code", "home_prefecture"
        ):
            history.homes[user_id] = Home(code or "", prefecture or "")


def _load_history(
    *, visitor_ids: set, extra_booking_ids=(), visitors=(), programme_ids=None, programmes=None, covering=None
) -> tuple[GroupHistory, dict[int, StayFacts]]:
    """Three queries, whatever the size of the groups: the bookings with their lines, the live claims with their
    lines and frozen days, the programmes with their rules and what each budget has committed; one more for the
    homes of visitors not given in `visitors`. The programmes are the active ones and those of the live claims, or
    those of `programme_ids`.

    Given `programmes` (already read) and `covering` (those of them whose group pass is wanted), the programmes are
    not read again and only what those passes can see is: a pass under a programme looks at the group's active
    stays in its town or with a live claim under it, and at the group's live claims of those stays or under it
    (`_group_pass`), so the bookings read are those and the `extra_booking_ids`, and the claims those of the
    bookings' towns, under the covering programmes, or of the extra bookings."""
    history = GroupHistory()
    targets: dict[int, StayFacts] = {}
    visitor_ids = {v for v in visitor_ids if v is not None}
    _load_homes(history, visitor_ids, visitors)
    group = Q(visitor_id__in=visitor_ids, status__in=Booking.ACTIVE_STATUSES)
    claims_scope = Q()
    if covering is not None:
        towns = {p.municipality_id for p in covering}
        covering_ids = [p.id for p in covering]
        claimed = Claim.objects.filter(
            booking_id=OuterRef("pk"), programme_id__in=covering_ids, status__in=Claim.LIVE_STATUSES
        )
        group &= Q(unit__facility__municipality_id__in=towns) | Q(Exists(claimed))
        claims_scope = (
            Q(programme_id__in=covering_ids)
            | Q(booking__unit__facility__municipality_id__in=towns)
            | Q(booking_id__in=list(extra_booking_ids))
        )
    bookings = with_children(
        Booking.objects.filter(group | Q(id__in=list(extra_booking_ids))).select_related("unit__facility"),
        "lines",
    )
    for booking in bookings:
        facts = facts_of(booking)
        targets[booking.id] = facts
        if facts.active and booking.visitor_id in visitor_ids:
            history.stays[booking.visitor_id].append(facts)
    claim_programmes = set()
    if visitor_ids:
        claims = with_children(
            Claim.objects.filter(claims_scope, visitor_id__in=visitor_ids, status__in=Claim.LIVE_STATUSES)
            .annotate(frozen_days=frozen_days())
            .select_related("booking")
            .order_by("id"),
            "lines",
        )
        for claim in claims:
            claim_facts = _claim_facts(claim)
            history.live[claim.booking_id] = claim_facts
            history.claims[claim.id] = claim
            claim_programmes.add(claim.programme_id)
            if claim_facts.frozen is not None:
                history.frozen[(claim.visitor_id, claim.programme_id)].append(claim_facts)
    if programmes is not None:
        history.programmes = list(programmes)
    else:
        wanted = (
            Q(id__in=programme_ids) if programme_ids is not None else Q(is_active=True) | Q(id__in=claim_programmes)
        )
        history.programmes = programmes_with_terms(Programme.objects.filter(wanted))
    history.committed = {
        programme.id: programme.committed_yen
        for programme in history.programmes
        if programme.budget_yen is not None and programme.committed_yen is not None
    }
    return history, targets


def _programme_ids_for(*, towns: set, booking_ids: list) -> dict[int, bool]:
    """The ids of the programmes that may cover stays in `towns` (rule 15), each with whether one of `booking_ids`
    has a live claim under it: the towns' active programmes and those claims' programmes. Written out in SQL
    because every booking's and quote's answer asks it first and, in a town without a programme, asks nothing
    else: a short statement without the ORM's compiling (about a millisecond a query)."""
    p_id, c_programme = column(Programme, "id", "p"), column(Claim, "programme", "c")
    claimed, also, claimed_params = "0", "", []
    if booking_ids:
        live = (
            f"SELECT {c_programme} FROM {table(Claim)} c WHERE {column(Claim, 'booking', 'c')} IN "
            f"({placeholders(len(booking_ids))}) AND {column(Claim, 'status', 'c')} IN "
            f"({placeholders(len(Claim.LIVE_STATUSES))})"
        )
        claimed, also = f"EXISTS ({live} AND {c_programme} = {p_id})", f" OR {p_id} IN ({live})"
        claimed_params = [*booking_ids, *Claim.LIVE_STATUSES]
    sql = (
        f"SELECT {p_id}, {claimed} FROM {table(Programme)} p WHERE ({column(Programme, 'is_active', 'p')} = %s "
        f"AND {column(Programme, 'municipality', 'p')} IN ({placeholders(len(towns))})){also}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*claimed_params, True, *towns, *claimed_params])
        return {programme_id: bool(is_claimed) for programme_id, is_claimed in cursor.fetchall()}


def _programmes_for(*, towns: set, booking_ids: list) -> list:
    """The programmes that may cover stays in `towns` (rule 15): the towns' active ones, and those under which one
    of `booking_ids` has a live claim, marked `claimed`; with their rules and committed budget. Two queries, and
    only the first where there is none."""
    ids = _programme_ids_for(towns=towns, booking_ids=booking_ids)
    if not ids:
        return []
    programmes = programmes_with_terms(Programme.objects.filter(id__in=list(ids)))
    for programme in programmes:
        programme.claimed = ids[programme.id]
    return programmes


def _outline(booking: Booking) -> StayFacts:
    """What deciding coverage needs of a booking (its town, check-in, state), without reading its lines."""
    return StayFacts(
        key=booking.id,
        municipality_id=booking.unit.facility.municipality_id,
        kind=booking.kind,
        check_in=booking.check_in,
        dates=(),
        nights=[],
        party=Party(booking.adults, booking.children, booking.infants),
        active=booking.is_active,
        visitor_id=booking.visitor_id,
        check_out=booking.check_out,
    )


def _covering(programmes: list, stays) -> list:
    """The programmes covering at least one of `stays` by rule 15: by town and window, or by a live claim."""
    return [p for p in programmes if p.claimed or any(covers(p, stay, None) for stay in stays)]


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


def _applied_on(history: GroupHistory, programme: Programme, stay: StayFacts) -> date | None:
    live = history.live.get(stay.key)
    return live.applied_on if live is not None and live.programme_id == programme.id else None


def _load_requirements(history: GroupHistory, targets) -> None:
    """One bulk call per hook for every booking of a list (a quote has no booking: nothing is met yet)."""
    consultations, surveys = set(), set()
    for target in targets:
        if target.key == QUOTE:
            continue
        live = history.live.get(target.key)
        for programme in history.programmes:
            if not covers(programme, target, live):
                continue
            if programme.requires_consultation:
                consultations.add(consultation_query(programme, target, _applied_on(history, programme, target)))
            if programme.requires_survey:
                surveys.add(target.key)
    if consultations:
        history.consultations = dict(hooks.consultations_attended_bulk(queries=consultations))
    if surveys:
        history.surveys = dict(hooks.surveys_answered_bulk(booking_ids=surveys))


def _requirements(history: GroupHistory, programme: Programme, target: StayFacts, home: Home) -> list[dict]:
    if target.key == QUOTE:
        return requirements_of(home, programme=programme)
    query = consultation_query(programme, target, _applied_on(history, programme, target))
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


def _group_pass(
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

    members = [
        Member(
            key=c.booking_id,
            order=(c.check_in, 0, c.booking_id),
            kind="",
            dates=tuple(sorted(c.frozen.dates)),
            nights=(),
            party=Party(0),
            fiscal_year=programme.fiscal_year_of(c.check_in),
            lines=c.lines,
            frozen=c.frozen,
        )
        for c in frozen_claims
    ]
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
        results = _group_pass(history, programme, visitor_id=visitor_id, extra=extra)
        estimates.append(
            _estimate(programme, target, results[target.key], home, _requirements(history, programme, target, home))
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


def estimate_sets_for_bookings(*, bookings) -> dict[int, dict]:
    """For each booking (by id): its `reimbursement` and `reimbursements`, in a fixed number of queries. Which
    programmes may cover the bookings is asked first; when none may, that is the only query (rule 16's empty
    estimate needs the visitor's declared home, nothing of the history)."""
    bookings = list(bookings)
    if not bookings:
        return {}
    outlines = {b.id: _outline(b) for b in bookings}
    programmes = _programmes_for(towns={o.municipality_id for o in outlines.values()}, booking_ids=list(outlines))
    covering = _covering(programmes, outlines.values())
    visitor_ids = {b.visitor_id for b in bookings}
    visitors = [b.visitor for b in bookings if Booking.visitor.is_cached(b)]
    if not covering:
        history = GroupHistory(programmes=programmes)
        _load_homes(history, visitor_ids, visitors)
        return {b.id: estimates_of(history, outlines[b.id]) for b in bookings}
    history, targets = _load_history(
        visitor_ids=visitor_ids,
        extra_booking_ids=list(outlines),
        visitors=visitors,
        programmes=programmes,
        covering=covering,
    )
    _load_requirements(history, [targets[b.id] for b in bookings])
    return {b.id: estimates_of(history, targets[b.id]) for b in bookings}


def estimates_for_bookings(*, bookings) -> dict[int, dict]:
    """Each booking's `reimbursement` (the first of its estimates), by booking id."""
    return {key: value["reimbursement"] for key, value in estimate_sets_for_bookings(bookings=bookings).items()}


def estimate_for_booking(*, booking: Booking) -> dict:
    return estimates_for_bookings(bookings=[booking])[booking.id]


def estimate_for_visitor_booking(*, visitor, booking_id) -> dict:
    """The estimate of one of the visitor's own bookings; anyone else's is not found."""
    booking_pk = parse_id(booking_id)
    booking = (
        Booking.objects.filter(id=booking_pk, visitor=visitor).select_related("unit__facility").first()
        if booking_pk is not None
        else None
    )
    if booking is None:
        raise BookingNotFound()
    return estimate_for_booking(booking=booking)


def estimate_set_for_quote(
    *,
    visitor,
    unit,
    kind: str,
    dates: list[date],
    nights: list[tuple[date, int]],
    adults: int,
    children: int,
    infants: int,
) -> dict:
    """`reimbursement` and `reimbursements` for a stay not booked yet (`visitor` may be None: anonymous)."""
    visitor_id = visitor.id if visitor is not None and visitor.is_authenticated else None
    target = StayFacts(
        key=QUOTE,
        municipality_id=unit.facility.municipality_id,
        kind=kind,
        check_in=min(dates),
        dates=tuple(sorted(set(dates))),
        nights=list(nights),
        party=Party(adults, children, infants),
        visitor_id=visitor_id,
    )
    programmes = _programmes_for(towns={target.municipality_id}, booking_ids=[])
    covering = _covering(programmes, [target])
    visitor_ids = {visitor_id} if visitor_id else set()
    visitors = [visitor] if visitor_id else []
    if covering:
        history, _ = _load_history(visitor_ids=visitor_ids, visitors=visitors, programmes=programmes, covering=covering)
    else:
        history = GroupHistory(programmes=programmes)
        _load_homes(history, visitor_ids, visitors)
    return estimates_of(history, target)


def estimate_for_quote(**stay) -> dict:
    """The quote's `reimbursement` (the first of its estimates)."""
    return estimate_set_for_quote(**stay)["reimbursement"]


# --- claims ----------------------------------------------------------------------------------------------------


def claim_figures(*, claims) -> dict[int, MemberResult]:
    """What each claim's booking gets under the claim's programme now, by the group pass (rule 32: a draft's
    figures always agree with its booking's estimate), keyed by claim id. Loads every group once, and only the
    claims' programmes; a claim whose lines were not loaded gets them from the same reads (its group's live
    claims), ready for the figures to be written onto them."""
    claims = list(claims)
    if not claims:
        return {}
    history, targets = _load_history(
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
            cache_related(claim, "lines", loaded.lines.all())
        target = targets[claim.booking_id]
        programme = programmes.get(claim.programme_id) or claim.programme
        if programme.id not in programmes:
            history.programmes.append(programme)
            programmes[programme.id] = programme
        results = _group_pass(history, programme, visitor_id=claim.visitor_id, extra=None if target.active else target)
        figures[claim.id] = results.get(claim.booking_id, MemberResult(reasons=[BOOKING_CANCELLED]))
    return figures


def claim_result(*, claim: Claim) -> MemberResult:
    return claim_figures(claims=[claim])[claim.id]


def claims_with_current_figures(claims):
    """Draft claims get the figures of the group pass (rule 32), without writing; frozen ones keep their own."""
    claims = list(claims)
    drafts = [c for c in claims if c.status in (Claim.Status.DRAFT, Claim.Status.APPLIED)]
    for claim_id, result in claim_figures(claims=drafts).items():
        claim = next(c for c in drafts if c.id == claim_id)
        apply_figures(claim, result)
    return claims


def claim_requirements(*, claim: Claim, home: Home) -> list[dict]:
    """Rule 20's list for one claim's booking under its programme, asking the hooks directly."""
    programme, booking = claim.programme, claim.booking
    consulted = surveyed = False
    if programme.requires_consultation:
        start = timezone.localdate(claim.applied_at) if claim.applied_at else timezone.localdate(booking.created_at)
        consulted = bool(
            hooks.consultation_attended(
                visitor_id=claim.visitor_id,
                municipality_id=programme.municipality_id,
                start=start,
                end=booking.check_out,
            )
        )
    if programme.requires_survey:
        surveyed = bool(hooks.survey_answered(booking_id=booking.id))
    return requirements_of(home, programme=programme, consulted=consulted, surveyed=surveyed)


def report_result(*, claim: Claim) -> MemberResult:
    """A granted claim's report (実績報告): the receipted lines on the granted dates and nights, through the same
    group pass as every estimate. The grant already settled the group's days, nights, household maximum and the
    budget, so those limits are not applied again; the granted amount caps the total instead (`grant_limit`)."""
    history, targets = _load_history(
        visitor_ids={claim.visitor_id}, extra_booking_ids=[claim.booking_id], programme_ids={claim.programme_id}
    )
    programme = next((p for p in history.programmes if p.id == claim.programme_id), claim.programme)
    target = targets[claim.booking_id]
    loaded = history.claims.get(claim.id)
    if loaded is not None:
        # The granted claim's lines as the group's reads gave them, not read again.
        cache_related(claim, "lines", loaded.lines.all())
    live = history.live.get(claim.booking_id)
    grant = live.frozen if live is not None else None
    granted_nights = {night for night, _ in grant.nights} if grant is not None else set()
    terms = replace(
        terms_of(programme), max_days_per_group=None, max_nights_per_group=None, max_amount_per_household=None
    )
    member = Member(
        key=claim.booking_id,
        order=target.order,
        kind=target.kind,
        dates=tuple(sorted(grant.dates)) if grant is not None else (),
        nights=tuple((night, price) for night, price in target.nights if night in granted_nights),
        party=target.party,
        fiscal_year=programme.fiscal_year_of(target.check_in),
        lines=tuple(line_of(line, frozen=False) for line in claim.lines.all() if not line.planned),
    )
    stays = [s for s in history.stays.get(claim.visitor_id, []) if s.municipality_id == programme.municipality_id]
    result = calculation.group_pass(terms=terms, members=[member], presence=[s.presence() for s in stays])[
        claim.booking_id
    ]
    for line in claim.lines.all():
        if line.planned:
            result.lines[line.id] = calculation.LineResult(0, PLANNED)
    granted = claim.granted_amount_yen or 0
    if result.total_yen > granted:
        result.total_yen = granted
        result.reasons.append(GRANT_LIMIT)
    return result


def apply_figures(claim: Claim, result: MemberResult, lines=None) -> list[ExpenseLine]:
    """Copies the pass's figures onto the claim and its (prefetched) lines, or onto `lines`; returns the lines."""
    lines = list(claim.lines.all()) if lines is None else lines
    for line in lines:
        line_result = result.lines.get(line.id)
        if line_result is not None:
            line.reimbursable_yen, line.reason = line_result.reimbursable_yen, line_result.reason
    claim.lodging_reimbursable_yen = result.lodging_yen
    claim.total_reimbursable_yen = result.total_yen
    claim.reasons = list(result.reasons)
    return lines


def _claims_base() -> QuerySet[Claim]:
    return Claim.objects.select_related("programme", "booking", "visitor").prefetch_related("lines", "days")


def claim_list(*, user, status: str | None = None) -> QuerySet[Claim]:
    if user.is_municipal_staff:
        claims = (
            _claims_base().filter(programme__municipality_id=user.municipality_id).exclude(status=Claim.Status.DRAFT)
        )
    else:
        claims = _claims_base().filter(visitor=user)
    if status:
        claims = claims.filter(status=status)
    return claims


def claim_line_get(*, claim: Claim, line_id):
    line_pk = parse_id(line_id)
    line = claim.lines.filter(id=line_pk).first() if line_pk is not None else None
    if line is None:
        raise LineNotFound()
    return line


def claim_get(*, user, claim_id: int) -> Claim:
    claim_pk = parse_id(claim_id)
    claim = claim_list(user=user).filter(id=claim_pk).first() if claim_pk is not None else None
    if claim is None:
        raise ClaimNotFound()
    return claim


def claim_events(*, claim: Claim) -> QuerySet[ClaimEvent]:
    """The claim's audit trail, oldest first."""
    return claim.events.all()


def claim_to_change(*, user, claim_id: int) -> Claim:
    """The claim a status change names, if the user may see it; without its lines and days, which the change
    reads again under its lock."""
    claim_pk = parse_id(claim_id)
    claim = claim_list(user=user).prefetch_related(None).filter(id=claim_pk).first() if claim_pk is not None else None
    if claim is None:
        raise ClaimNotFound()
    return claim


def visitor_claims_unpaid(*, user: User) -> dict[str, list[int]]:
    """The visitor's claims under way and not yet paid (applied, granted, submitted, approved): they block the
    account's deletion (accounts.hooks.deletion_blockers). Drafts do not."""
    unpaid = [Claim.Status.APPLIED, Claim.Status.GRANTED, Claim.Status.SUBMITTED, Claim.Status.APPROVED]
    return {"claims": list(Claim.objects.filter(visitor=user, status__in=unpaid).values_list("id", flat=True))}
