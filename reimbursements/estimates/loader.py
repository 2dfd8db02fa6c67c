"""The loader of the estimate engine: the household's history read in bulk, a fixed number of queries whatever the
number of bookings and claims. The only database code of the engine; the rules and the calculation are pure."""

from collections import defaultdict
from datetime import date

from django.db import connection
from django.db.models import Aggregate, Case, Exists, F, JSONField, Model, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone

from accounts.models import User
from backend.ids import parse_id
from backend.plain_sql import column, placeholders, table
from bookings.errors import BookingNotFound
from bookings.models import Booking
from bookings.stays import calendar_dates
from reimbursements import hooks
from reimbursements.models import Claim, ClaimDay, ExpenseLine, Programme

from .calculation import Frozen, Line, Party
from .rules import (
    QUOTE,
    ClaimFacts,
    GroupHistory,
    Home,
    MonthClaimFacts,
    MonthlyHistory,
    StayFacts,
    applied_on,
    consultation_query,
    covers,
    terms_from_json,
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


def claim_facts(claim: Claim) -> ClaimFacts:
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
            committed_yen=claim.committed_yen,
            reasons=tuple(claim.reasons or ()),
        )
    lines = list(claim.lines.all())
    assert claim.booking_id is not None and claim.booking is not None  # a stay's claim
    return ClaimFacts(
        id=claim.id,
        visitor_id=claim.visitor_id,
        booking_id=claim.booking_id,
        programme_id=claim.programme_id,
        check_in=claim.booking.check_in,
        lines=tuple(line_of(line, frozen=frozen is not None) for line in lines),
        frozen=frozen,
        applied_on=timezone.localdate(claim.applied_at) if claim.applied_at else None,
        status=claim.status,
        granted_yen=claim.granted_amount_yen,
        planned=frozenset(line.id for line in lines if line.planned),
        stored={line.id: (line.reimbursable_yen, line.reason) for line in lines},
        terms=terms_from_json(claim.frozen_terms) if frozen is not None and claim.frozen_terms else None,
    )


# Rule 37 in SQL, as `Claim.committed_yen` says it: the approved amount, else a grant's amount, else the total.
COMMITTED = Coalesce(
    "approved_amount_yen",
    Case(When(status=Claim.Status.GRANTED, then="granted_amount_yen"), default="total_reimbursable_yen"),
)


def programmes_with_terms(programmes: QuerySet[Programme]) -> list:
    """The programmes with their town, their category rules and, as `committed_yen`, what the claims frozen under
    each have committed of its budget (rule 37; None without any), all in one query."""
    committed = (
        Claim.objects.filter(programme_id=OuterRef("pk"), status__in=Claim.FROZEN_STATUSES)
        .order_by()
        .values("programme_id")
        .annotate(total=Sum(COMMITTED))
        .values("total")
    )
    return with_children(
        programmes.annotate(committed_yen=Subquery(committed)).select_related("municipality").order_by("code"),
        "categories",
    )


def load_homes(history: GroupHistory, visitor_ids: set, visitors=()) -> None:
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


def load_history(
    *, visitor_ids: set, extra_booking_ids=(), visitors=(), programme_ids=None, programmes=None, covering=None
) -> tuple[GroupHistory, dict[int, StayFacts]]:
    """Three queries, whatever the size of the groups: the bookings with their lines, the live claims with their
    lines and frozen days, the programmes with their rules and what each budget has committed; one more for the
    homes of visitors not given in `visitors`. The programmes are the active ones and those of the live claims, or
    those of `programme_ids`.

    Given `programmes` (already read) and `covering` (those of them whose group pass is wanted), the programmes are
    not read again and only what those passes can see is: a pass under a programme looks at the group's active
    stays in its town or with a live claim under it, and at the group's live claims of those stays or under it
    (`group_pass_of`), so the bookings read are those and the `extra_booking_ids`, and the claims those of the
    bookings' towns, under the covering programmes, or of the extra bookings."""
    history = GroupHistory()
    targets: dict[int, StayFacts] = {}
    visitor_ids = {v for v in visitor_ids if v is not None}
    load_homes(history, visitor_ids, visitors)
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
        stay = facts_of(booking)
        targets[booking.id] = stay
        history.targets[booking.id] = stay
        if stay.active and booking.visitor_id in visitor_ids:
            history.stays[booking.visitor_id].append(stay)
    claim_programmes = set()
    if visitor_ids:
        claims = with_children(
            Claim.objects.filter(
                claims_scope, visitor_id__in=visitor_ids, status__in=Claim.LIVE_STATUSES, booking__isnull=False
            )
            .annotate(frozen_days=frozen_days())
            .select_related("booking")
            .order_by("id"),
            "lines",
        )
        for claim in claims:
            facts = claim_facts(claim)
            history.live[claim.booking_id] = facts
            history.claim_facts[claim.id] = facts
            history.claims[claim.id] = claim
            claim_programmes.add(claim.programme_id)
            if facts.frozen is not None:
                history.frozen[(claim.visitor_id, claim.programme_id)].append(facts)
    if programmes is not None:
        history.programmes = list(programmes)
    else:
        wanted = (
            Q(id__in=programme_ids)
            if programme_ids is not None
            else Q(is_active=True, kind=Programme.Kind.STAY) | Q(id__in=claim_programmes)
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
        claimed = f"CASE WHEN EXISTS ({live} AND {c_programme} = {p_id}) THEN 1 ELSE 0 END"
        # A union rather than an OR: each half reads through its index (the towns' programmes, the claims of
        # the bookings), where an OR with a subquery scans every programme.
        also = f" UNION SELECT {p_id} AS programme_id, 1 AS claimed FROM {table(Programme)} p WHERE {p_id} IN ({live})"
        claimed_params = [*booking_ids, *Claim.LIVE_STATUSES]
    sql = (
        f"SELECT {p_id} AS programme_id, {claimed} AS claimed FROM {table(Programme)} p "
        f"WHERE {column(Programme, 'is_active', 'p')} = %s AND {column(Programme, 'kind', 'p')} = %s AND "
        f"{column(Programme, 'municipality', 'p')} IN ({placeholders(len(towns))}){also}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*claimed_params, True, Programme.Kind.STAY, *towns, *claimed_params])
        names = [description[0] for description in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row["programme_id"]: bool(row["claimed"]) for row in rows}


def programmes_for(*, towns: set, booking_ids: list) -> list:
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


def outline(booking: Booking) -> StayFacts:
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


def covering_of(programmes: list, stays) -> list:
    """The programmes covering at least one of `stays` by rule 15: by town and window, or by a live claim."""
    return [p for p in programmes if p.claimed or any(covers(p, stay, None) for stay in stays)]


def load_requirements(history: GroupHistory, targets) -> None:
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
                consultations.add(consultation_query(programme, target, applied_on(history, programme, target)))
            if programme.requires_survey:
                surveys.add(target.key)
    if consultations:
        history.consultations = dict(hooks.consultations_attended_bulk(queries=consultations))
    if surveys:
        history.surveys = dict(hooks.surveys_answered_bulk(booking_ids=surveys))


def visitor_booking(*, visitor, booking_id) -> Booking:
    """One of the visitor's own bookings, to estimate; anyone else's is not found."""
    booking_pk = parse_id(booking_id)
    booking = (
        Booking.objects.filter(id=booking_pk, visitor=visitor).select_related("unit__facility").first()
        if booking_pk is not None
        else None
    )
    if booking is None:
        raise BookingNotFound()
    return booking


# --- monthly programmes -----------------------------------------------------------------------------------------------


def month_claim_facts(claim: Claim) -> MonthClaimFacts:
    assert claim.month is not None
    frozen = None
    if claim.is_frozen:
        frozen = Frozen(
            dates=frozenset(),
            nights=(),
            lodging_yen=0,
            total_yen=claim.total_reimbursable_yen,
            committed_yen=claim.committed_yen,
            reasons=tuple(claim.reasons or ()),
        )
    return MonthClaimFacts(
        id=claim.id,
        visitor_id=claim.visitor_id,
        programme_id=claim.programme_id,
        month=claim.month,
        lines=tuple(line_of(line, frozen=frozen is not None) for line in claim.lines.all()),
        frozen=frozen,
    )


def load_monthly(*, visitor_ids: set, programme_ids: set) -> MonthlyHistory:
    """Three queries: the programmes, the people's live monthly claims under them with their lines, and what the
    frozen claims of every person commit of each programme's budget, month by month (folded into fiscal years)."""
    history = MonthlyHistory()
    history.programmes = {p.id: p for p in Programme.objects.filter(id__in=programme_ids)}
    claims = with_children(
        Claim.objects.filter(
            visitor_id__in=visitor_ids,
            programme_id__in=programme_ids,
            month__isnull=False,
            status__in=Claim.LIVE_STATUSES,
        ).order_by("id"),
        "lines",
    )
    for claim in claims:
        history.claims[claim.id] = month_claim_facts(claim)
        history.rows[claim.id] = claim
    committed = (
        Claim.objects.filter(programme_id__in=programme_ids, month__isnull=False, status__in=Claim.FROZEN_STATUSES)
        .order_by()
        .values("programme_id", "month")
        .annotate(total=Sum(COMMITTED))
        .values_list("programme_id", "month", "total")
    )
    for programme_id, month, total in committed:
        year = history.programmes[programme_id].fiscal_year_of(month)
        key = (programme_id, year)
        history.committed[key] = history.committed.get(key, 0) + (total or 0)
    return history
