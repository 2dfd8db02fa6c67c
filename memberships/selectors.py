"""Reads for memberships: plans (an operator's, the public's), a visitor's memberships, the credit ledger, and the
membership that covers a booking."""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from backend.ids import parse_id
from bookings import selectors as bookings_selectors
from bookings.models import Booking
from facilities.errors import FacilityNotFound
from facilities.models import Facility
from facilities.selectors import operator_facility_get

from .errors import MembershipNotFound, PlanNotFound, ResidentsPlanNotJoined
from .models import CreditEntry, Membership, Plan


def today() -> date:
    """Today in Asia/Tokyo: the day cycles, notice and credit count from."""
    return bookings_selectors.today()


# --- plans -----------------------------------------------------------------------------------------------------


def operator_plan_list(*, user, facility_id) -> tuple[Facility, QuerySet[Plan]]:
    facility = operator_facility_get(user=user, facility_id=facility_id)
    return facility, Plan.objects.filter(facility=facility)


def operator_plan_get(*, user, plan_id) -> Plan:
    pk = parse_id(plan_id)
    plan = (
        Plan.objects.select_related("facility").filter(pk=pk, facility__operator_id=user.organisation_id).first()
        if pk and user.is_operator
        else None
    )
    if plan is None:
        raise PlanNotFound()
    return plan


def public_plans(*, facility_id) -> QuerySet[Plan]:
    """A published facility's plans open to join (an unknown or unpublished facility is a 404)."""
    pk = parse_id(facility_id)
    if not pk or not Facility.objects.filter(pk=pk, is_published=True).exists():
        raise FacilityNotFound()
    return Plan.objects.filter(facility_id=pk, is_active=True)


def plan_joinable(*, plan_id) -> Plan:
    pk = parse_id(plan_id) if not isinstance(plan_id, int) else plan_id
    plan = (
        Plan.objects.select_related("facility").filter(pk=pk, is_active=True, facility__is_published=True).first()
        if pk
        else None
    )
    if plan is None:
        raise PlanNotFound(fields={"plan": [str(PlanNotFound.default_message)]})
    if plan.resident_housing_id is not None:
        raise ResidentsPlanNotJoined(fields={"plan": [str(ResidentsPlanNotJoined.default_message)]})
    return plan


# --- memberships -----------------------------------------------------------------------------------------------


def is_live(membership: Membership, *, on: date) -> bool:
    """Whether the membership covers `on` (started, not past its end date)."""
    return membership.starts_on <= on and (membership.ends_on is None or on <= membership.ends_on)


def membership_list(*, user) -> QuerySet[Membership]:
    """A visitor's own memberships; an operator's facilities' members."""
    memberships = Membership.objects.select_related("plan__facility", "visitor")
    if user.is_visitor:
        return memberships.filter(visitor=user)
    if user.is_operator:
        return memberships.filter(plan__facility__operator_id=user.organisation_id)
    return memberships.none()


def membership_get(*, user, membership_id) -> Membership:
    pk = parse_id(membership_id)
    membership = membership_list(user=user).filter(pk=pk).first() if pk else None
    if membership is None:
        raise MembershipNotFound()
    return membership


def live_membership_of_plan(*, visitor, plan: Plan, on: date) -> Membership | None:
    return (
        Membership.objects.filter(visitor=visitor, plan=plan, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .first()
    )


def membership_covering(*, visitor, facility_id: int, first: date, last: date) -> Membership | None:
    """The visitor's membership of one of the facility's plans covering every date of [first, last], the oldest
    first. One waiting for its first payment covers nothing yet."""
    return (
        Membership.objects.select_related("plan")
        .exclude(status=Membership.Status.INCOMPLETE)
        .filter(visitor=visitor, plan__facility_id=facility_id, starts_on__lte=first)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=last))
        .order_by("id")
        .first()
    )


def residents_plan_covering(*, visitor, facility_id: int, first: date, last: date) -> Plan | None:
    """The facility's residents' plan whose housing the visitor has a confirmed (or completed) stay at covering
    every date of [first, last], its check-out day included."""
    stays = Booking.objects.filter(
        visitor=visitor,
        unit__facility_id=OuterRef("resident_housing_id"),
        status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED],
        check_in__lte=first,
        check_out__gte=last,
    )
    return (
        Plan.objects.filter(facility_id=facility_id, is_active=True, resident_housing__isnull=False)
        .filter(Exists(stays))
        .order_by("id")
        .first()
    )


# --- credit ----------------------------------------------------------------------------------------------------


def credit_entries(*, membership: Membership) -> QuerySet[CreditEntry]:
    return CreditEntry.objects.filter(membership=membership).order_by("id")


def credit_balance(*, membership_id: int) -> int:
    """Minutes left: the balance the latest entry left (0 before any)."""
    last = (
        CreditEntry.objects.filter(membership_id=membership_id).order_by("-id").values_list("balance_after", flat=True)
    )
    return next(iter(last), 0)


def grants_by_cycle(*, membership_id: int) -> dict[int, int]:
    rows = CreditEntry.objects.filter(membership_id=membership_id, kind=CreditEntry.Kind.GRANT)
    out: dict[int, int] = {}
    for cycle, minutes in rows.values_list("cycle", "minutes"):
        out[cycle] = out.get(cycle, 0) + minutes
    return out


def credit_net_used(*, booking_id: int) -> tuple[int | None, int, int]:
    """(membership id, minutes, cycle) a booking drew from credit and has not been given back: the cycle its
    credit was drawn in."""
    net: dict[int, int] = {}
    cycle: dict[int, int] = {}
    for membership_id, kind, minutes, drawn_in in CreditEntry.objects.filter(booking_id=booking_id).values_list(
        "membership_id", "kind", "minutes", "cycle"
    ):
        if kind == CreditEntry.Kind.USE:
            net[membership_id] = net.get(membership_id, 0) + minutes
            cycle[membership_id] = drawn_in
        else:
            net[membership_id] = net.get(membership_id, 0) - minutes
    for membership_id, minutes in net.items():
        if minutes > 0:
            return membership_id, minutes, cycle[membership_id]
    return None, 0, 0


def visitor_memberships_running(*, user) -> dict[str, list[int]]:
    """The visitor's memberships still running or still to be paid (active, past due, awaiting their first
    payment): they block the account's deletion (accounts.hooks.deletion_blockers) until cancelled, so that no
    subscription keeps charging an erased account. A cancelled one, running out its notice, charges no more."""
    running = [Membership.Status.ACTIVE, Membership.Status.PAST_DUE, Membership.Status.INCOMPLETE]
    ids = Membership.objects.filter(visitor=user, status__in=running).order_by("id").values_list("id", flat=True)
    return {"memberships": list(ids)}
