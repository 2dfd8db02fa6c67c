"""Reads the console's pages need, each page in a fixed number of queries whatever its bookings and claims."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.errors import NotFound
from backend.ids import parse_id
from bookings import hours
from bookings import selectors as booking_selectors
from bookings.models import (
    Booking,
    BookingLine,
    CalendarImport,
    Closure,
    ImportedBlock,
    ImportedSlot,
    PriceOverride,
    SlotStock,
    TimeClosure,
    UnitStock,
)
from consultations import selectors as consultation_selectors
from consultations.models import Consultation, ConsultationSlot
from facilities.models import Facility, Unit
from memberships.cycles import cycle_bounds, cycle_index
from memberships.models import CreditEntry, Membership
from reimbursements import selectors as claim_selectors
from reimbursements.estimates.loader import COMMITTED
from reimbursements.models import Certification, Claim, Programme

# Bookings that take a unit on their dates; cancelled ones are shown on the booking list, not on the grid.
SHOWN_STATUSES = Booking.ACTIVE_STATUSES
ENDED_LABEL = _("ended")


# --- operators -------------------------------------------------------------------------------------------------


def operator_facilities(*, user) -> QuerySet[Facility]:
    return Facility.objects.filter(operator_id=user.organisation_id).select_related("municipality").order_by("id")


def operator_facility_get(*, user, facility_id) -> Facility:
    """One of the operator's organisation's facilities; any other is not found (its existence is not revealed)."""
    facility_id = parse_id(facility_id)
    facility = operator_facilities(user=user).filter(id=facility_id).first() if facility_id else None
    if facility is None:
        raise Http404
    return facility


def operator_unit_choices(*, facility: Facility) -> QuerySet[Unit]:
    return Unit.objects.filter(facility=facility).order_by("id")


def operator_import_get(*, user, import_id) -> CalendarImport:
    import_id = parse_id(import_id)
    found = (
        CalendarImport.objects.select_related("unit__facility")
        .filter(id=import_id, unit__facility__operator_id=user.organisation_id)
        .first()
        if import_id
        else None
    )
    if found is None:
        raise Http404
    return found


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last dates of the month holding `month`."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass
class Cell:
    day: date
    free: int = 0
    price_yen: int = 0
    price_label: str = ""
    overridden: bool = False
    closure: Closure | None = None
    bookings: list = field(default_factory=list)
    imported_from: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    past: bool = False

    @property
    def selectable(self) -> bool:
        """A date an operator may pick to close or price: not closed and not in the past."""
        return self.closure is None and not self.past


@dataclass
class UnitRow:
    unit: Unit
    cells: list[Cell]
    imports: list[CalendarImport]


def facility_month(*, facility: Facility, month: date) -> list[UnitRow]:
    """Every unit of the facility with one cell per date of the month: its bookings (guest, party, status),
    closure, imported blocks and their source, price and what is free. Seven queries for any month."""
    first, last = month_bounds(month)
    today = booking_selectors.today()
    units = list(operator_unit_choices(facility=facility))
    unit_ids = [unit.id for unit in units]
    taken = {
        (unit_id, day): count
        for unit_id, day, count in UnitStock.objects.filter(
            unit_id__in=unit_ids, date__gte=first, date__lte=last
        ).values_list("unit_id", "date", "taken")
    }
    closures = list(
        Closure.objects.filter(unit_id__in=unit_ids, start_date__lte=last, end_date__gte=first).order_by("start_date")
    )
    overrides = list(
        PriceOverride.objects.filter(unit_id__in=unit_ids, start_date__lte=last, end_date__gte=first).order_by(
            "start_date"
        )
    )
    lines = (
        BookingLine.objects.filter(
            booking__unit_id__in=unit_ids, date__gte=first, date__lte=last, booking__status__in=SHOWN_STATUSES
        )
        .select_related("booking__visitor")
        .order_by("date", "booking_id")
    )
    booked: dict[tuple[int, date], list[Booking]] = {}
    for line in lines:
        booked.setdefault((line.booking.unit_id, line.date), []).append(line.booking)
    blocks: dict[tuple[int, date], dict[bool, list[str]]] = {}
    for unit_id, day, held, name in (
        ImportedBlock.objects.filter(unit_id__in=unit_ids, date__gte=first, date__lte=last)
        .order_by("date", "calendar_import_id")
        .values_list("unit_id", "date", "held", "calendar_import__name")
    ):
        blocks.setdefault((unit_id, day), {}).setdefault(held, []).append(name)
    imports: dict[int, list[CalendarImport]] = {}
    for found in CalendarImport.objects.filter(unit_id__in=unit_ids).order_by("id"):
        imports.setdefault(found.unit_id, []).append(found)

    rows = []
    for unit in units:
        cells = []
        for day in booking_selectors.date_range(first, last + timedelta(days=1)):
            closure = next((c for c in closures if c.unit_id == unit.id and c.start_date <= day <= c.end_date), None)
            override = next((o for o in overrides if o.unit_id == unit.id and o.start_date <= day <= o.end_date), None)
            imported = blocks.get((unit.id, day), {})
            cells.append(
                Cell(
                    day=day,
                    free=max(unit.count - taken.get((unit.id, day), 0), 0),
                    price_yen=override.price_yen if override else unit.price_yen,
                    price_label=override.label if override else "",
                    overridden=override is not None,
                    closure=closure,
                    bookings=booked.get((unit.id, day), []),
                    imported_from=imported.get(True, []),
                    conflicts=imported.get(False, []),
                    past=day < today,
                )
            )
        rows.append(UnitRow(unit=unit, cells=cells, imports=imports.get(unit.id, [])))
    return rows


# --- a day of rooms booked by the hour ---------------------------------------------------------------------------


@dataclass
class HourCell:
    """One room's 15-minute slot: open or not, what closes it, the bookings starting in it (shown once) and
    whether one covers it, what imports hold or wait for, and the rooms left free."""

    unit_id: int
    starts_at: datetime
    is_open: bool = False
    closure: str = ""
    free: int = 0
    bookings: list = field(default_factory=list)
    booked: bool = False
    imported_from: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)


@dataclass
class HourRow:
    starts_at: datetime
    cells: list[HourCell]

    @property
    def label(self) -> str:
        return f"{hours.local(self.starts_at):%H:%M}"

    @property
    def on_the_hour(self) -> bool:
        return hours.local(self.starts_at).minute == 0


@dataclass
class RoomColumn:
    unit: Unit
    opens: datetime | None
    closes: datetime | None
    closed_reason: str


def facility_hourly_units(*, facility: Facility) -> list[Unit]:
    return list(
        Unit.objects.filter(facility=facility, booking_mode=Unit.BookingMode.HOURLY, is_active=True).order_by("id")
    )


def facility_day(*, facility: Facility, day: date) -> tuple[list[RoomColumn], list[HourRow]]:
    """The facility's rooms booked by the hour on `day`, one column each, and one row per 15-minute slot from the
    earliest opening to the latest closing: opening hours, closures (the date's and by the hour), bookings (guest,
    party, status), imported hours and what is free. Seven queries for any day."""
    units = facility_hourly_units(facility=facility)
    unit_ids = [unit.id for unit in units]
    closed = {
        unit_id: reason
        for unit_id, reason in Closure.objects.filter(unit_id__in=unit_ids, start_date__lte=day, end_date__gte=day)
        .order_by("-start_date", "-id")
        .values_list("unit_id", "reason")
    }
    columns = []
    for unit in units:
        opening = hours.opening(unit, day)
        columns.append(
            RoomColumn(
                unit=unit,
                opens=opening[0] if opening else None,
                closes=opening[1] if opening else None,
                closed_reason=closed.get(unit.id, ""),
            )
        )
    open_columns = [column for column in columns if column.opens is not None and column.closes is not None]
    if not open_columns:
        return columns, []
    first = min(column.opens for column in open_columns if column.opens is not None)
    last = max(column.closes for column in open_columns if column.closes is not None)
    time_closures = list(
        TimeClosure.objects.filter(unit_id__in=unit_ids, starts_at__lt=last, ends_at__gt=first).values_list(
            "unit_id", "starts_at", "ends_at", "reason"
        )
    )
    bookings = list(
        Booking.objects.filter(
            unit_id__in=unit_ids,
            kind=Booking.Kind.HOURLY,
            status__in=SHOWN_STATUSES,
            starts_at__lt=last,
            ends_at__gt=first,
        )
        .select_related("visitor")
        .order_by("starts_at", "id")
    )
    taken = {
        (unit_id, start): count
        for unit_id, start, count in SlotStock.objects.filter(
            unit_id__in=unit_ids, starts_at__gte=first, starts_at__lt=last
        ).values_list("unit_id", "starts_at", "taken")
    }
    imported: dict[tuple[int, datetime], dict[bool, list[str]]] = {}
    for unit_id, start, held, name in (
        ImportedSlot.objects.filter(unit_id__in=unit_ids, starts_at__gte=first, starts_at__lt=last)
        .order_by("starts_at", "calendar_import_id")
        .values_list("unit_id", "starts_at", "held", "calendar_import__name")
    ):
        imported.setdefault((unit_id, start), {}).setdefault(held, []).append(name)

    rows = []
    for slot in hours.slots(first, last):
        end = slot + hours.STOCK_STEP
        cells = []
        for column in columns:
            unit = column.unit
            cell = HourCell(unit_id=unit.id, starts_at=slot)
            cell.is_open = (
                column.opens is not None
                and column.closes is not None
                and column.opens <= slot < column.closes
                and not column.closed_reason
            )
            cell.closure = next(
                (
                    reason
                    for unit_id, start, stop, reason in time_closures
                    if unit_id == unit.id and start < end and slot < stop
                ),
                "",
            )
            mine = [(b, b.starts_at, b.ends_at) for b in bookings if b.unit_id == unit.id]
            cell.bookings = [b for b, start, _stop in mine if start is not None and hours.local(start) == slot]
            cell.booked = any(
                start is not None and stop is not None and start < end and slot < stop for _b, start, stop in mine
            )
            blocks = imported.get((unit.id, slot), {})
            cell.imported_from, cell.conflicts = blocks.get(True, []), blocks.get(False, [])
            cell.free = 0 if cell.closure or not cell.is_open else max(unit.count - taken.get((unit.id, slot), 0), 0)
            cells.append(cell)
        rows.append(HourRow(starts_at=slot, cells=cells))
    return columns, rows


# --- members ---------------------------------------------------------------------------------------------------


@dataclass
class MemberRow:
    membership: Membership
    status: str
    status_label: str
    cycle_starts_on: date
    cycle_ends_on: date
    credit_minutes: int

    @property
    def credit_hours(self) -> str:
        hours_left, minutes = divmod(self.credit_minutes, 60)
        return f"{hours_left}:{minutes:02d}"


def operator_members(*, user) -> QuerySet[Membership]:
    """The memberships of the plans of the operator's facilities, the latest start first, each with the credit
    its ledger leaves (as the API's membership list shows it), in one query."""
    balance = Subquery(
        CreditEntry.objects.filter(membership=OuterRef("pk")).order_by("-id").values("balance_after")[:1],
        output_field=IntegerField(),
    )
    return (
        Membership.objects.filter(plan__facility__operator_id=user.organisation_id)
        .select_related("plan__facility", "visitor")
        .annotate(credit_minutes=Coalesce(balance, 0))
        .order_by("-starts_on", "-id")
    )


def member_rows(memberships, *, today: date) -> list[MemberRow]:
    """A page of members as the list shows them: status as the API gives it (ended after its end date), the
    current cycle (the last one, once ended) and the credit left."""
    rows = []
    for membership in memberships:
        ended = membership.ends_on is not None and membership.ends_on < today
        shown_day = min(today, membership.ends_on) if membership.ends_on else today
        first, last = cycle_bounds(membership.starts_on, max(cycle_index(membership.starts_on, shown_day), 0))
        rows.append(
            MemberRow(
                membership=membership,
                status="ended" if ended else membership.status,
                status_label=str(ENDED_LABEL) if ended else membership.get_status_display(),
                cycle_starts_on=first,
                cycle_ends_on=last,
                credit_minutes=membership.credit_minutes,
            )
        )
    return rows


def operator_movements(*, user, day: date) -> tuple[list[Booking], list[Booking]]:
    """The day's arrivals and departures at the operator's facilities (held or confirmed stays)."""
    bookings = list(
        Booking.objects.filter(unit__facility__operator_id=user.organisation_id)
        .filter(Q(check_in=day) | Q(check_out=day), status__in=Booking.ACTIVE_STATUSES, kind=Booking.Kind.STAY)
        .select_related("unit__facility", "visitor")
        .order_by("unit__facility_id", "unit_id", "id")
    )
    return ([b for b in bookings if b.check_in == day], [b for b in bookings if b.check_out == day])


def operator_booking_get(*, user, booking_id) -> Booking:
    """A booking at one of the operator's facilities, with its lines, events and guest."""
    booking_id = parse_id(booking_id)
    booking = (
        booking_selectors.bookings_visible_to(user=user)
        .select_related("visitor")
        .prefetch_related("events__actor")
        .filter(id=booking_id)
        .first()
        if booking_id
        else None
    )
    if booking is None or not user.is_operator:
        raise Http404
    return booking


# --- municipal staff -------------------------------------------------------------------------------------------


def staff_programmes(*, user) -> QuerySet[Programme]:
    return Programme.objects.filter(municipality_id=user.municipality_id).order_by("code")


def staff_claim_queue(*, user, programme: str = "", status: str = "") -> QuerySet[Claim]:
    """The town's claims waiting (submitted) or of the status asked for, oldest submission first."""
    claims = (
        Claim.objects.filter(programme__municipality_id=user.municipality_id)
        .exclude(status=Claim.Status.DRAFT)
        .select_related("programme", "booking__unit__facility")
    )
    claims = claims.filter(status=status or Claim.Status.SUBMITTED)
    if programme:
        claims = claims.filter(programme__code=programme)
    # Applications (not yet submitted) wait from the day they were applied for.
    return claims.order_by(Coalesce("submitted_at", "applied_at"), "id")


def staff_application_queue(*, user, programme: str = "") -> list[Claim]:
    """The town's applications waiting for a grant or a refusal, oldest application first, with the figures a
    grant would commit now (an application's are recomputed whenever read, as the API shows them)."""
    claims = (
        Claim.objects.filter(programme__municipality_id=user.municipality_id, status=Claim.Status.APPLIED)
        .select_related("programme", "booking__unit__facility", "visitor")
        .prefetch_related("lines")
    )
    if programme:
        claims = claims.filter(programme__code=programme)
    return claim_selectors.claims_with_current_figures(claims.order_by("applied_at", "id"))


def staff_claim_get(*, user, claim_id) -> Claim:
    """One of the town's claims past its draft; an application shows the figures a grant would commit now."""
    claim_id = parse_id(claim_id)
    claim = (
        Claim.objects.filter(programme__municipality_id=user.municipality_id, id=claim_id)
        .exclude(status=Claim.Status.DRAFT)
        .select_related("programme", "booking__unit__facility", "visitor")
        .prefetch_related("lines__disallowed_by", "events__actor")
        .first()
        if claim_id
        else None
    )
    if claim is None:
        raise Http404
    if claim.status in (Claim.Status.APPLIED, Claim.Status.GRANTED):
        # An application's figures, and a granted claim's report as it is made, as the engine gives them now.
        claim_selectors.claims_with_current_figures([claim])
    return claim


@dataclass(frozen=True)
class Budget:
    budget_yen: int | None
    # Rule 27 (and the grants of applications): what granted, submitted, approved and paid claims commit, the
    # approved amount where there is one; what a grant or a submission is checked against.
    committed_yen: int
    # Of it, what approved and paid claims commit: what an approval is checked against.
    approved_yen: int

    @property
    def left_yen(self) -> int | None:
        return None if self.budget_yen is None else max(self.budget_yen - self.committed_yen, 0)


def programme_budget(*, programme: Programme) -> Budget:
    """What the programme's claims commit of its budget, and how much of that is approved or paid (one query)."""
    totals = Claim.objects.filter(programme=programme, status__in=Claim.FROZEN_STATUSES).aggregate(
        committed=Sum(COMMITTED),
        approved=Sum("approved_amount_yen", filter=Q(status__in=[Claim.Status.APPROVED, Claim.Status.PAID])),
    )
    return Budget(
        budget_yen=programme.budget_yen, committed_yen=totals["committed"] or 0, approved_yen=totals["approved"] or 0
    )


def programme_budgets(*, programmes) -> list[tuple[Programme, Budget]]:
    return [(programme, programme_budget(programme=programme)) for programme in programmes]


# --- consultations ---------------------------------------------------------------------------------------------

# Past slots shown under the upcoming ones: enough to record who came, without the whole history.
PAST_SLOTS_SHOWN = 30


def staff_slots(*, user) -> tuple[list[ConsultationSlot], list[ConsultationSlot]]:
    """The town's slots with their consultations and visitors: those not yet started (soonest first), then the
    latest that have (most recent first). Four queries whatever the number of slots and consultations."""
    now = timezone.now()
    slots = consultation_selectors.slots_for(user=user).prefetch_related(
        Prefetch(
            "consultations",
            queryset=Consultation.objects.select_related("visitor").order_by("status", "id"),
        )
    )
    upcoming = list(slots.filter(starts_at__gt=now).order_by("starts_at", "id"))
    past = list(slots.filter(starts_at__lte=now).order_by("-starts_at", "-id")[:PAST_SLOTS_SHOWN])
    return upcoming, past


def staff_consultation_get(*, user, consultation_id) -> Consultation:
    """One of the town's consultations; another town's is not found."""
    try:
        return consultation_selectors.consultation_get(user=user, consultation_id=consultation_id)
    except NotFound as error:
        raise Http404 from error


# --- figures ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    month: date
    stays: int
    yen_approved: int


def programme_months(*, programme: Programme, fiscal_year: int) -> list[MonthFigures]:
    """The twelve months of one of the programme's fiscal years, each with `stays` and `yen_approved` counted as
    `outcomes.selectors.programme_kpis` counts them for the year (a claim's month is its booking's check-in's):
    bookings with a live claim, and the approved amounts of approved and paid claims. One query."""
    start = date(fiscal_year, programme.fiscal_year_start_month, 1)
    months = [_add_months(start, offset) for offset in range(12)]
    end = _add_months(start, 12)
    stays: dict[date, set[int]] = {month: set() for month in months}
    yen: dict[date, int] = dict.fromkeys(months, 0)
    for booking_id, status, approved_yen, check_in in Claim.objects.filter(
        programme=programme, booking__check_in__gte=start, booking__check_in__lt=end
    ).values_list("booking_id", "status", "approved_amount_yen", "booking__check_in"):
        month = check_in.replace(day=1)
        if status in Claim.LIVE_STATUSES:
            stays[month].add(booking_id)
        if status in (Claim.Status.APPROVED, Claim.Status.PAID):
            yen[month] += approved_yen or 0
    return [MonthFigures(month=month, stays=len(stays[month]), yen_approved=yen[month]) for month in months]


def _add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- monthly programmes ---------------------------------------------------------------------------------------------


def staff_monthly_programmes(*, user) -> QuerySet[Programme]:
    return staff_programmes(user=user).filter(kind=Programme.Kind.MONTHLY)


def staff_certifications_pending(*, user, programme: str = "") -> QuerySet[Certification]:
    """The town's certifications waiting for a decision, oldest first."""
    certifications = Certification.objects.filter(
        programme__municipality_id=user.municipality_id, status=Certification.Status.PENDING
    ).select_related("programme", "visitor")
    if programme:
        certifications = certifications.filter(programme__code=programme)
    return certifications.order_by("applied_on", "id")


def staff_certification_get(*, user, certification_id) -> Certification:
    pk = parse_id(certification_id)
    certification = (
        Certification.objects.filter(programme__municipality_id=user.municipality_id, id=pk).first()
        if pk is not None
        else None
    )
    if certification is None:
        raise Http404
    return certification


def staff_month_queue(*, user, month: date, programme: str = "") -> QuerySet[Claim]:
    """The month's claims of the town's monthly programmes (drafts aside), oldest submission first."""
    claims = (
        Claim.objects.filter(
            programme__municipality_id=user.municipality_id, programme__kind=Programme.Kind.MONTHLY, month=month
        )
        .exclude(status=Claim.Status.DRAFT)
        .select_related("programme")
    )
    if programme:
        claims = claims.filter(programme__code=programme)
    return claims.order_by(Coalesce("submitted_at", "created_at"), "id")
