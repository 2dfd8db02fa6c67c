"""Writes for memberships: operators' plans, joining and cancelling, and the room credit a booking draws.

Credit is decided under the membership's row lock (taken after the booking's stock rows, before the booking is
written): the balance is re-read there, renewals due are written first, then the use. Every entry records the
balance it leaves, which a CHECK keeps from going negative.

Paid by card, a membership is a Stripe Billing subscription (billing.py): joining writes it `incomplete` and
makes the subscription after commit; its first paid invoice makes it active (and grants its credit); Stripe's
events keep its status in step (membership_subscription_sync)."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import hooks as booking_hooks
from bookings import hours
from bookings.stays import BookingRequest, prices_for
from facilities.models import Facility, Unit
from payments import stripe_gateway as gateway

from . import billing, cycles, selectors
from .errors import (
    NOT_PAID_YET,
    AlreadyMember,
    BillingUnavailable,
    InvalidPlan,
    MembershipNotCancellable,
    MembershipPastDue,
)
from .models import CreditEntry, Membership, Plan

logger = logging.getLogger(__name__)

PLAN_FIELDS = {
    "name_ja",
    "name_en",
    "monthly_price_yen",
    "access_unit_types",
    "credit_unit_types",
    "credit_hours",
    "over_credit_price_per_hour_yen",
    "carry_over_months",
    "notice_days",
    "resident_housing",
    "is_active",
}


# --- plans -----------------------------------------------------------------------------------------------------


def _check_plan(plan: Plan) -> None:
    if plan.facility.kind != Facility.Kind.COWORKING:
        message = _("Plans are sold by coworking spaces.")
        raise InvalidPlan(message, fields={"facility": [message]})
    allowed = {Unit.Type.DESK, Unit.Type.MEETING_ROOM}
    for name in ("access_unit_types", "credit_unit_types"):
        value = getattr(plan, name)
        if not isinstance(value, list) or not set(value) <= allowed or len(set(value)) != len(value):
            message = _("A list of unit types, each once: %(types)s.") % {"types": ", ".join(sorted(allowed))}
            raise InvalidPlan(message, fields={name: [message]})
    if set(plan.access_unit_types) & set(plan.credit_unit_types):
        message = _("A unit type is either included or paid from credit, not both.")
        raise InvalidPlan(message, fields={"credit_unit_types": [message]})
    housing = plan.resident_housing
    if housing is not None:
        if not housing.is_lodging or housing.municipality_id != plan.facility.municipality_id:
            message = _("A residents' plan is tied to trial housing or a hotel in the same town.")
            raise InvalidPlan(message, fields={"resident_housing": [message]})
        if plan.monthly_price_yen or plan.credit_hours:
            message = _("A residents' plan costs nothing and has no credit: it gives access for the days of a stay.")
            raise InvalidPlan(message, fields={"monthly_price_yen": [message]})


def _resolved(fields: dict) -> dict:
    """The plan's fields as the model takes them: the residents' housing by id."""
    out = {name: value for name, value in fields.items() if name in PLAN_FIELDS}
    if out.get("resident_housing") is not None:
        housing = Facility.objects.filter(pk=out["resident_housing"]).first()
        if housing is None:
            message = _("No such facility.")
            raise InvalidPlan(message, fields={"resident_housing": [message]})
        out["resident_housing"] = housing
    return out


@transaction.atomic
def plan_create(*, facility: Facility, **fields) -> Plan:
    plan = Plan(facility=facility, **_resolved(fields))
    _check_plan(plan)
    plan.save()
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, **fields) -> Plan:
    """Changes a plan for what is booked from now on: a booking keeps the price its plan gave it when made."""
    plan = Plan.objects.select_for_update().select_related("facility").get(pk=plan.pk)
    for name, value in _resolved(fields).items():
        setattr(plan, name, value)
    _check_plan(plan)
    plan.save()
    return plan


# --- memberships -----------------------------------------------------------------------------------------------


def membership_create(*, visitor, plan: Plan) -> Membership:
    """Joins a plan from today. Paid on site, it is active at once and the first cycle's credit is granted; by
    card, it is `incomplete` until the subscription's first invoice is paid (Stripe unreachable: nothing is kept
    and BillingUnavailable is raised). Holding the plan already (until its end date) is a 409."""
    today = selectors.today()
    by_card = billing.stripe_billed(plan)
    with transaction.atomic(durable=True):
        # The plan's row serialises a visitor's two joins of it.
        Plan.objects.select_for_update().filter(pk=plan.pk).values_list("id", flat=True).get()
        if selectors.live_membership_of_plan(visitor=visitor, plan=plan, on=today) is not None:
            raise AlreadyMember()
        membership = Membership.objects.create(
            plan=plan,
            visitor=visitor,
            starts_on=today,
            billing=Membership.Billing.STRIPE if by_card else Membership.Billing.ONSITE,
            status=Membership.Status.INCOMPLETE if by_card else Membership.Status.ACTIVE,
        )
        _catch_up(_lock(membership.pk), today=today)
    if by_card:
        _subscription_open(membership)
    return Membership.objects.select_related("plan__facility").get(pk=membership.pk)


def _subscription_open(membership: Membership) -> None:
    try:
        subscription = billing.subscription_open(membership=membership)
    except (gateway.StripeUnavailable, gateway.StripeRejected):
        logger.exception("Could not make the subscription of membership %s", membership.pk)
        with transaction.atomic():
            # Incomplete, it was granted nothing and nothing refers to it: it goes, so that joining again works.
            current = _lock(membership.pk)
            if current.status == Membership.Status.INCOMPLETE and not current.stripe_subscription_id:
                current.delete()
        raise BillingUnavailable() from None
    with transaction.atomic():
        current = _lock(membership.pk)
        current.stripe_subscription_id = subscription.id
        current.client_secret = subscription.client_secret
        current.save(update_fields=["stripe_subscription_id", "client_secret", "updated_at"])
        _follow(current, subscription)


def membership_cancel(*, membership: Membership) -> Membership:
    """Gives notice: the membership covers its days until today plus the plan's notice (14 days' notice given on
    2 June: until 16 June), then ends. By card, the subscription is first set to end after that day (Stripe
    unreachable: nothing changes and BillingUnavailable is raised); an incomplete one cannot be cancelled (it
    lapses unpaid by itself)."""
    today = selectors.today()
    current = Membership.objects.select_related("plan").get(pk=membership.pk)
    _check_cancellable(current, today=today)
    ends_on = max(cycles.notice_end(cancelled_on=today, notice_days=current.plan.notice_days), current.starts_on)
    if current.stripe_subscription_id:
        # Stripe first: should this transaction then fail, the subscription's event brings the end date here.
        try:
            billing.subscription_end_after(membership=current, ends_on=ends_on)
        except (gateway.StripeUnavailable, gateway.StripeRejected):
            logger.exception("Could not set the end of the subscription of membership %s", current.pk)
            raise BillingUnavailable() from None
    with transaction.atomic(durable=True):
        current = _lock(membership.pk)
        _check_cancellable(current, today=today)
        current.ends_on = ends_on
        current.status = Membership.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.save(update_fields=["ends_on", "status", "cancelled_at", "updated_at"])
    return Membership.objects.select_related("plan__facility").get(pk=membership.pk)


def _check_cancellable(membership: Membership, *, today: date) -> None:
    if membership.status == Membership.Status.CANCELLED or (
        membership.ends_on is not None and membership.ends_on < today
    ):
        raise MembershipNotCancellable()
    if membership.status == Membership.Status.INCOMPLETE:
        raise MembershipNotCancellable(NOT_PAID_YET)


def membership_subscription_sync(*, subscription: gateway.Subscription) -> None:
    """Inside the transaction recording a Stripe event: the membership of `subscription` follows its status as
    Stripe reports it now. A subscription of no membership is ignored; the same state twice changes nothing."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("plan")
        .filter(billing=Membership.Billing.STRIPE, stripe_subscription_id=subscription.id)
        .first()
    )
    if membership is None and subscription.membership_id is not None:
        # Its event may come before the join has stored the subscription's id: the metadata names the membership
        # (its random key too, so that an id reused after a database reset matches nothing).
        membership = (
            Membership.objects.select_for_update()
            .select_related("plan")
            .filter(billing=Membership.Billing.STRIPE, stripe_subscription_id="", pk=subscription.membership_id)
            .first()
        )
        if membership is None or membership.idempotency_uuid.hex != subscription.membership_key:
            return
        membership.stripe_subscription_id = subscription.id
        membership.save(update_fields=["stripe_subscription_id", "updated_at"])
    if membership is not None:
        _follow(membership, subscription)


def _follow(membership: Membership, subscription: gateway.Subscription) -> None:
    """With the membership locked: its status (and end date) as the subscription's say. Canceled or cancelling
    (cancel_at): cancelled, ending the day before Stripe stops (a cancellation never goes back); past_due or
    unpaid: past_due; active or trialing: active (the first time, its credit is granted). A membership that
    lapsed without its first payment is removed (it was granted nothing)."""
    Status = Membership.Status
    status, ends_on = membership.status, membership.ends_on
    ended = subscription.status in ("canceled", "incomplete_expired")
    if ended and membership.status == Status.INCOMPLETE:
        membership.delete()
        return
    stops_at = subscription.ended_at if ended else subscription.cancel_at
    if ended or subscription.cancel_at:
        status = Status.CANCELLED
        last_covered = billing.last_day_before(stops_at) if stops_at else selectors.today() - timedelta(days=1)
        last = max(last_covered, membership.starts_on)
        ends_on = min(ends_on, last) if ends_on else last
    elif membership.status == Status.CANCELLED:
        pass
    elif subscription.status in ("active", "trialing"):
        status = Status.ACTIVE
    elif subscription.status in ("past_due", "unpaid"):
        status = Status.PAST_DUE
    if (status, ends_on) == (membership.status, membership.ends_on):
        return
    was_incomplete = membership.status == Status.INCOMPLETE
    membership.status, membership.ends_on = status, ends_on
    fields = ["status", "ends_on", "updated_at"]
    if status == Status.CANCELLED and membership.cancelled_at is None:
        membership.cancelled_at = timezone.now()
        fields.append("cancelled_at")
    if was_incomplete:
        membership.client_secret = ""
        fields.append("client_secret")
    membership.save(update_fields=fields)
    if was_incomplete:
        _catch_up(membership, today=selectors.today())


# --- credit ----------------------------------------------------------------------------------------------------


def _lock(membership_id: int) -> Membership:
    return Membership.objects.select_for_update().select_related("plan").get(pk=membership_id)


@dataclass(frozen=True)
class _Entry:
    kind: str
    minutes: int
    cycle: int
    balance_after: int


def renewals(
    *, plan: Plan, granted_cycle: int, current_cycle: int, balance: int, grants: dict[int, int]
) -> list[_Entry]:
    """The entries renewals due since `granted_cycle` write, up to `current_cycle`: at the start of each cycle,
    credit older than the plan's carry-over expires (credit is spent oldest first, so what is kept is at most the
    grants of the last `carry_over_months` cycles), then the cycle's credit is granted. Pure."""
    entries: list[_Entry] = []
    grants = dict(grants)
    for cycle in range(granted_cycle + 1, current_cycle + 1):
        if cycle > 0:
            kept_from = cycle - plan.carry_over_months
            kept = min(balance, sum(m for c, m in grants.items() if kept_from <= c < cycle))
            if balance > kept:
                entries.append(_Entry(CreditEntry.Kind.EXPIRY, balance - kept, cycle - 1, kept))
                balance = kept
        granted = plan.credit_hours * 60
        if granted:
            balance += granted
            grants[cycle] = grants.get(cycle, 0) + granted
            entries.append(_Entry(CreditEntry.Kind.GRANT, granted, cycle, balance))
    return entries


def _due(membership: Membership, *, today: date) -> tuple[int, list[_Entry], int]:
    """(the cycle today falls in, the renewals due, the balance after them), read without writing."""
    last = min(today, membership.ends_on) if membership.ends_on else today
    current = cycles.cycle_index(membership.starts_on, last)
    balance = selectors.credit_balance(membership_id=membership.pk)
    if current <= membership.granted_cycle:
        return current, [], balance
    entries = renewals(
        plan=membership.plan,
        granted_cycle=membership.granted_cycle,
        current_cycle=current,
        balance=balance,
        grants=selectors.grants_by_cycle(membership_id=membership.pk),
    )
    return current, entries, entries[-1].balance_after if entries else balance


def _write(membership: Membership, entries: list[_Entry], booking_id: int | None = None) -> None:
    CreditEntry.objects.bulk_create(
        [
            CreditEntry(
                membership_id=membership.pk,
                kind=entry.kind,
                minutes=entry.minutes,
                cycle=entry.cycle,
                balance_after=entry.balance_after,
                booking_id=booking_id,
            )
            for entry in entries
        ]
    )


def _catch_up(membership: Membership, *, today: date) -> tuple[int, int]:
    """With the membership locked: writes the renewals due; returns (the current cycle, the balance). An
    incomplete membership is granted nothing until its first payment."""
    if membership.status == Membership.Status.INCOMPLETE:
        return membership.granted_cycle, selectors.credit_balance(membership_id=membership.pk)
    current, entries, balance = _due(membership, today=today)
    if entries:
        _write(membership, entries)
    if current > membership.granted_cycle:
        membership.granted_cycle = current
        membership.save(update_fields=["granted_cycle", "updated_at"])
    return current, balance


def credits_renew(*, membership_id: int) -> int:
    """Writes the renewals due (reading the ledger does, too); returns the balance."""
    with transaction.atomic():
        return _catch_up(_lock(membership_id), today=selectors.today())[1]


def member_charge(*, visitor, stay: BookingRequest, locked: bool) -> booking_hooks.MemberCharge | None:
    """What a member pays: nothing for a unit type the plan includes; hours of a unit type paid from credit cost
    nothing while the credit lasts, then the plan's price an hour over it (else the room's). The credit is drawn
    from the balance at booking time. None when no membership of the facility covers the stay's dates."""
    unit = stay.unit
    if visitor is None or not stay.dates or unit.facility.kind != Facility.Kind.COWORKING:
        # Plans are a coworking space's: a stay in lodging reads nothing here.
        return None
    first, last = min(stay.dates), max(stay.dates)
    membership = selectors.membership_covering(visitor=visitor, facility_id=unit.facility_id, first=first, last=last)
    if membership is None:
        residents = selectors.residents_plan_covering(
            visitor=visitor, facility_id=unit.facility_id, first=first, last=last
        )
        if residents is not None and unit.unit_type in residents.access_unit_types:
            return _included(stay)
        return None
    plan = membership.plan
    if unit.unit_type in plan.access_unit_types:
        return _included(stay)
    if not (stay.is_hourly and unit.unit_type in plan.credit_unit_types):
        return None
    if membership.status == Membership.Status.PAST_DUE:
        raise MembershipPastDue()
    today = selectors.today()
    if locked:
        membership = _lock(membership.pk)
        cycle, balance = _catch_up(membership, today=today)
    else:
        cycle, _entries, balance = _due(membership, today=today)
    from_credit = min(balance, stay.minutes)
    day = stay.dates[0]
    rate = plan.over_credit_price_per_hour_yen
    if rate is None:
        rate = prices_for(unit=unit, dates=[day])[0][1]
    price = hours.price(rate_per_hour=rate, minutes=stay.minutes - from_credit, day_cap_yen=None)

    def record(booking_id: int) -> None:
        if from_credit:
            _write(membership, [_Entry(CreditEntry.Kind.USE, from_credit, cycle, balance - from_credit)], booking_id)

    return booking_hooks.MemberCharge(lines=((day, price),), record=record)


def _included(stay: BookingRequest) -> booking_hooks.MemberCharge:
    return booking_hooks.MemberCharge(lines=tuple((day, 0) for day, _price in stay.lines), record=lambda _id: None)


def credits_give_back(*, booking_id: int) -> None:
    """Inside a booking's cancellation or release: the credit it drew goes back to its membership, as far as the
    credit still in force allows: none when it was drawn in a cycle that has ended beyond the plan's carry-over,
    and never more than the grants of the cycles still in force (credit is spent oldest first, so what came back
    beyond them would have expired by now)."""
    membership_id, minutes, drawn_in = selectors.credit_net_used(booking_id=booking_id)
    if membership_id is None:
        return
    membership = _lock(membership_id)
    cycle, balance = _catch_up(membership, today=selectors.today())
    kept_from = cycle - membership.plan.carry_over_months
    if drawn_in < kept_from:
        return
    in_force = sum(m for c, m in selectors.grants_by_cycle(membership_id=membership_id).items() if c >= kept_from)
    back = min(minutes, in_force - balance)
    if back > 0:
        _write(membership, [_Entry(CreditEntry.Kind.REFUND, back, cycle, balance + back)], booking_id)
