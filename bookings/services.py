"""Writes for bookings: create (never overbooking), confirm, release, cancel, complete; availability rules.

Lock order everywhere: (a payment row, taken by the payments app) → the unit's stock rows in date order → (hours)
its slot stock rows in time order → booking rows in id order. Stock rows are the one place capacity is decided;
their CHECK backs the locking. Hours lock their date's stock row too (taking nothing from it): a closure of that
date waits for them as it waits for a stay.
"""

import logging
import secrets
from dataclasses import replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend import plain_sql
from backend.hooks import Receivers
from facilities.models import Facility, Unit
from notifications.models import Kind
from notifications.services import notify

from . import hooks, hours, selectors, stays
from .errors import (
    BookingNotCancellable,
    BookingNotConfirmable,
    BookingNotShortenable,
    CalendarFeedNotFound,
    CancelReasonRequired,
    ClosureOverBookings,
    IdempotencyKeyReused,
    InvalidDateRange,
    InvalidShortening,
    PriceOverrideOverlap,
    UnitClosed,
    UnitUnavailable,
)
from .models import (
    Booking,
    BookingEvent,
    BookingLine,
    CalendarFeed,
    Closure,
    IdempotencyRecord,
    PriceOverride,
    SlotStock,
    TimeClosure,
    UnitStock,
)
from .selectors import dates_text
from .stays import BookingRequest

logger = logging.getLogger(__name__)

# The longest closure or price override one request may set (two years).
MAX_RULE_DAYS = 731


# --- stock -----------------------------------------------------------------------------------------------------


def _columns(model, key: str) -> tuple[str, list[str]]:
    """A stock table (nights' or slots') and its unit, key (date or start), total and taken columns, quoted."""
    return plain_sql.table(model), [plain_sql.column(model, name) for name in ("unit", key, "total", "taken")]


def _rows_lock(model, key: str, adapt, *, unit: Unit, keys) -> list:
    """Makes sure a stock row exists for each key and locks them in key order (deadlock-free), in one statement:
    an upsert whose conflict branch changes nothing still locks the existing row as an UPDATE does, row after row
    in the order of its VALUES (the keys, sorted), and RETURNING gives each row as it is now."""
    keys = sorted(set(keys))
    if not keys:
        return []
    table, (unit_id, key_, total, taken) = _columns(model, key)
    sql = (
        f"INSERT INTO {table} ({unit_id}, {key_}, {total}, {taken}) "
        f"VALUES {', '.join(['(%s, %s, %s, 0)'] * len(keys))} "
        f"ON CONFLICT ({unit_id}, {key_}) DO UPDATE SET {taken} = {table}.{taken} "
        f"RETURNING {plain_sql.column(model, 'id')}, {unit_id}, {key_}, {total}, {taken}"
    )
    params = [value for one in keys for value in (unit.pk, adapt(one), unit.count)]
    return sorted(model.objects.raw(sql, params), key=lambda row: getattr(row, key))


def _rows_take(model, key: str, adapt, *, unit: Unit, keys) -> None:
    """One UPDATE, in plain SQL as the lock is: the unit's count may have changed since a row was made, so the
    total follows it but never goes below what was already taken (SQL reads the old `taken` on the right-hand
    side)."""
    keys = list(keys)
    table, (unit_id, key_, total, taken) = _columns(model, key)
    sql = (
        f"UPDATE {table} SET {total} = CASE WHEN {taken} > %s THEN {taken} ELSE %s END, {taken} = {taken} + 1 "
        f"WHERE {unit_id} = %s AND {key_} IN ({plain_sql.placeholders(len(keys))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit.count, unit.count, unit.pk, *(adapt(one) for one in keys)])


def _stock_lock(*, unit: Unit, dates) -> list[UnitStock]:
    return _rows_lock(UnitStock, "date", connection.ops.adapt_datefield_value, unit=unit, keys=dates)


def _stock_take(*, unit: Unit, dates) -> None:
    _rows_take(UnitStock, "date", connection.ops.adapt_datefield_value, unit=unit, keys=dates)


def _slot_lock(*, unit: Unit, slots) -> list[SlotStock]:
    """_stock_lock for an hourly unit's 15-minute slots, in time order."""
    return _rows_lock(SlotStock, "starts_at", connection.ops.adapt_datetimefield_value, unit=unit, keys=slots)


def _slot_take(*, unit: Unit, slots) -> None:
    _rows_take(SlotStock, "starts_at", connection.ops.adapt_datetimefield_value, unit=unit, keys=slots)


def _booking_slots(booking: Booking) -> list[datetime]:
    if booking.kind != Booking.Kind.HOURLY or booking.starts_at is None or booking.ends_at is None:
        return []
    return hours.slots(booking.starts_at, booking.ends_at)


# Told (unit_id=..., dates=...) once units were given back, the stock rows still locked: calendar imports waiting
# in conflict on those dates take them (bookings.imports registers itself in ready()).
stock_released = Receivers("stock_released")


def _stock_give_back(*, unit_id: int, dates) -> None:
    dates = list(dates)
    UnitStock.objects.filter(unit_id=unit_id, date__in=dates, taken__gt=0).update(taken=F("taken") - 1)
    stock_released(unit_id=unit_id, dates=dates)


# Told (unit_id=..., slots=...) once an hourly unit's slots were given back, their rows locked: calendar imports
# waiting in conflict on those slots take them (bookings.imports registers itself in ready()).
slots_released = Receivers("slots_released")


def _slots_give_back(*, unit_id: int, slots) -> None:
    slots = list(slots)
    SlotStock.objects.filter(unit_id=unit_id, starts_at__in=slots, taken__gt=0).update(taken=F("taken") - 1)
    slots_released(unit_id=unit_id, slots=slots)


def _give_back(*, booking: Booking, dates) -> None:
    """Gives back what the booking took, its date rows (and, for hours, its slot rows) locked by the caller: a
    night's or a day's stock, or the hours' slots."""
    slots = _booking_slots(booking)
    if slots:
        _slots_give_back(unit_id=booking.unit_id, slots=slots)
        return
    _stock_give_back(unit_id=booking.unit_id, dates=dates)


def _line_dates(booking: Booking) -> list[date]:
    return list(BookingLine.objects.filter(booking_id=booking.pk).order_by("date").values_list("date", flat=True))


# --- audit trail -----------------------------------------------------------------------------------------------


def _event(*, booking_id: int, kind: str, from_status: str, to_status: str, actor=None, note: str = "") -> None:
    """Records a change in the booking's audit trail; called inside the change's transaction."""
    BookingEvent.objects.create(
        booking_id=booking_id, kind=kind, from_status=from_status, to_status=to_status, actor=actor, note=note[:500]
    )


# --- create ----------------------------------------------------------------------------------------------------


def _replayed(*, booking_id: int) -> Booking:
    booking = selectors.booking_for_response(booking_id=booking_id)
    booking.replayed = True
    return booking


def _replay(*, visitor, key: str, fingerprint: str) -> Booking | None:
    record = IdempotencyRecord.objects.filter(visitor=visitor, key=key).select_related("booking").first()
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(fields={"Idempotency-Key": [str(IdempotencyKeyReused.default_message)]})
    return record.booking


def _expired_hold_dates(*, unit: Unit, dates, now) -> tuple[set[int], list[date]]:
    """The unit's expired holds on these dates and every date they cover (one query): releasing them (so that
    a booking is never refused for a hold that has expired) gives those dates back too, so they are locked first."""
    on_dates = Booking.objects.filter(
        unit=unit, status=Booking.Status.PENDING, hold_expires_at__lte=now, lines__date__in=list(dates)
    ).values("id")
    rows = list(BookingLine.objects.filter(booking_id__in=on_dates).values_list("booking_id", "date"))
    return {booking_id for booking_id, _day in rows}, sorted({day for _booking_id, day in rows})


def _release_expired_ids(*, expired: set[int], locked_dates: set, now) -> None:
    """With the stock rows locked: releases those of these expired holds still pending and lying wholly within
    the locked dates."""
    if not expired:
        return
    for booking in (
        Booking.objects.select_for_update()
        .filter(id__in=expired, status=Booking.Status.PENDING, hold_expires_at__lte=now)
        .order_by("id")
    ):
        dates = _line_dates(booking)
        if set(dates) <= locked_dates:
            _release_locked(booking=booking, dates=dates, cancel_code=Booking.CancelCode.HOLD_EXPIRED, now=now)


def _refusal_now(*, stay: BookingRequest) -> UnitClosed | UnitUnavailable:
    """What to answer when the stock CHECK refused a booking: the dates closed or full now (the unit's count read
    afresh), else every date of the stay."""
    try:
        stays.check_available(replace(stay, unit=Unit.objects.get(pk=stay.unit.pk)), locked=False)
    except (UnitClosed, UnitUnavailable) as refused:
        return refused
    return UnitUnavailable(dates=dates_text(stay.dates))


class _ExpiredHoldsInTheWay(Exception):
    """Some date is full, but expired holds take units on it: the transaction rolls back, and the next one locks
    every date those holds cover (in date order, with the stay's) and releases them before checking again."""

    def __init__(self, expired: tuple[set[int], list[date]]):
        super().__init__()
        self.expired = expired


def _with_lines(booking: Booking, lines: list[BookingLine]) -> Booking:
    """The booking as its response shows it, from the rows this transaction wrote (no read back): its lines set
    as prefetch_related would have left them."""
    written = booking.lines.all()
    written._result_cache = lines
    written._prefetch_done = True  # type: ignore[attr-defined]  # Django's mark of a prefetched queryset
    booking._prefetched_objects_cache = {"lines": written}  # type: ignore[attr-defined]  # (no public way)
    return booking


def _create_locked(
    *, visitor, stay: BookingRequest, idempotency_key, fingerprint, expired: tuple[set[int], list[date]] | None = None
) -> tuple[Booking, bool, hooks.PaymentStarted | None]:
    """The booking's transaction: lock, check, price, write, start the payment (paid on site, confirm). Returns
    the booking, whether it was a replay, and what is left to do with the payment once committed."""
    now = timezone.now()
    unit = stay.unit
    rows = _stock_lock(unit=unit, dates=set(stay.dates) | set(expired[1] if expired else ()))
    if expired:
        # Only holds that had expired by `now` are released, and none can newly have done so since they were
        # read (a hold expires in the future when made): those read are the only candidates, re-checked under lock.
        _release_expired_ids(expired=expired[0], locked_dates={row.date for row in rows}, now=now)
        rows = _stock_lock(unit=unit, dates=stay.dates)  # as the releases left them (locked already)
    if idempotency_key:
        # A twin request with the same key may have committed while this one waited for the lock.
        replayed = _replay(visitor=visitor, key=idempotency_key, fingerprint=fingerprint)
        if replayed is not None:
            return replayed, True, None
    # Priced and checked under the lock, from the stock rows as the lock returned them: an override or a closure
    # may have changed since the stay was resolved.
    if stay.is_hourly:
        # The date's row is the gate (closures, imports); the slots hold the hours.
        taken: dict = {row.starts_at: row.taken for row in _slot_lock(unit=unit, slots=stay.slots)}
    else:
        taken = {row.date: row.taken for row in rows}
    try:
        lines = stays.stay_price_and_check(stay, locked=True, taken=taken).lines
    except UnitUnavailable:
        # Expired holds are released by the next booking they stand in the way of, not only by the periodic task.
        in_the_way = _expired_hold_dates(unit=unit, dates=stay.dates, now=now) if expired is None else None
        if in_the_way and in_the_way[0]:
            raise _ExpiredHoldsInTheWay(in_the_way) from None
        raise
    # A member's plan may price it (access included, hours from credit), deciding under the membership's lock.
    charge = hooks.member_charge(visitor=visitor, stay=replace(stay, lines=lines), locked=True)
    if charge is not None:
        lines = charge.lines
    booking = Booking(
        visitor=visitor,
        unit=unit,
        kind=stay.kind,
        check_in=stay.check_in,
        check_out=stay.check_out,
        starts_at=stay.starts_at,
        ends_at=stay.ends_at,
        adults=stay.adults,
        children=stay.children,
        infants=stay.infants,
        status=Booking.Status.PENDING,
        total_yen=sum(price for _, price in lines),
        hold_expires_at=now + timedelta(minutes=settings.BOOKING_HOLD_MINUTES),
    )
    started = hooks.payment_start(booking=booking)
    confirm_note = started.confirm_note if started is not None else ""
    if confirm_note:
        # Paid on site: written confirmed, as a confirmation of the pending booking would leave it.
        booking.status, booking.hold_expires_at, booking.sequence = Booking.Status.CONFIRMED, None, booking.sequence + 1
    booking.save(force_insert=True)
    # Lines and events in plain VALUES inserts (plain_sql.insert): PostgreSQL's bulk_create takes a slower form for
    # a few rows.
    written = plain_sql.insert([BookingLine(booking=booking, date=day, price_yen=price) for day, price in lines])
    if stay.is_hourly:
        _slot_take(unit=unit, slots=stay.slots)
    else:
        _stock_take(unit=unit, dates=stay.dates)
    if started is not None:
        started.record()
    if charge is not None:
        charge.record(booking.pk)
    events = [
        BookingEvent(
            booking_id=booking.pk,
            kind=BookingEvent.Kind.CREATED,
            from_status="",
            to_status=Booking.Status.PENDING,
            actor=visitor,
        )
    ]
    if confirm_note:
        events.append(
            BookingEvent(
                booking_id=booking.pk,
                kind=BookingEvent.Kind.CONFIRMED,
                from_status=Booking.Status.PENDING,
                to_status=Booking.Status.CONFIRMED,
                note=confirm_note[:500],
            )
        )
    plain_sql.insert(events)
    if idempotency_key:
        IdempotencyRecord.objects.create(visitor=visitor, key=idempotency_key, fingerprint=fingerprint, booking=booking)
    return _with_lines(booking, written), False, started


def _create(
    *, visitor, stay: BookingRequest, idempotency_key, fingerprint
) -> tuple[Booking, bool, hooks.PaymentStarted | None]:
    """Runs the booking's transaction; once more, locking their dates too, when expired holds stand in its way."""
    try:
        with transaction.atomic(durable=True):
            return _create_locked(visitor=visitor, stay=stay, idempotency_key=idempotency_key, fingerprint=fingerprint)
    except _ExpiredHoldsInTheWay as exc:
        expired = exc.expired
    with transaction.atomic(durable=True):
        return _create_locked(
            visitor=visitor, stay=stay, idempotency_key=idempotency_key, fingerprint=fingerprint, expired=expired
        )


def booking_create(
    *,
    visitor,
    unit,
    check_in: date | None = None,
    check_out: date | None = None,
    dates: list[date] | None = None,
    adults: int,
    children: int = 0,
    infants: int = 0,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Booking:
    """Books a stay or day passes as `pending`, holding the units, and starts its payment in the same
    transaction (paid on site, it is confirmed there; by card, the provider is asked once it has committed).
    With an `idempotency_key`, a retry returns the same booking, even once the stay could no longer be booked
    (check-in passed, the unit changed); another body under it is a 422."""
    fingerprint = selectors.booking_request_fingerprint(
        unit_id=unit.pk if isinstance(unit, Unit) else unit,
        check_in=check_in,
        check_out=check_out,
        dates=dates,
        adults=adults,
        children=children,
        infants=infants,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    if idempotency_key:
        # Before any rule is checked again: the retry gets what the first request got.
        twin = _replay(visitor=visitor, key=idempotency_key, fingerprint=fingerprint)
        if twin is not None:
            return _replayed(booking_id=twin.pk)
    if not isinstance(unit, Unit):
        unit = selectors.unit_bookable(unit_id=unit)
    # Resolved here, priced and checked once, under the lock (a quote takes all three steps at once).
    stay = stays.stay_quote(
        unit=unit,
        check_in=check_in,
        check_out=check_out,
        dates=dates,
        adults=adults,
        children=children,
        infants=infants,
        starts_at=starts_at,
        ends_at=ends_at,
        hold=True,
    )
    try:
        booking, replayed, started = _create(
            visitor=visitor, stay=stay, idempotency_key=idempotency_key, fingerprint=fingerprint
        )
    except IntegrityError:
        # A twin request took the same Idempotency-Key, or the stock CHECK refused an overbooking.
        if idempotency_key:
            twin = _replay(visitor=visitor, key=idempotency_key, fingerprint=fingerprint)
            if twin is not None:
                return _replayed(booking_id=twin.pk)
        # The locked check should have refused first: reaching the CHECK means a bug above it, worth a warning.
        logger.warning("The stock CHECK refused a booking of unit %s that passed the locked check.", unit.pk)
        raise _refusal_now(stay=stay) from None
    if replayed:
        return _replayed(booking_id=booking.pk)
    if started is not None and started.after_commit is not None:
        started.after_commit()
    return booking


def booking_idempotency_forget(*, booking: Booking) -> None:
    """Forgets the Idempotency-Key that made this booking, so that a retry under it books again (its payment
    could not start and the booking was released)."""
    IdempotencyRecord.objects.filter(booking_id=booking.pk).delete()


# --- confirm, release, expire, complete ------------------------------------------------------------------------


def _release_locked(*, booking: Booking, dates, cancel_code: str, now) -> None:
    _give_back(booking=booking, dates=dates)
    Booking.objects.filter(pk=booking.pk).update(
        status=Booking.Status.CANCELLED,
        cancel_code=cancel_code,
        cancelled_at=now,
        sequence=F("sequence") + 1,
        updated_at=now,
    )
    kind = BookingEvent.Kind.EXPIRED if cancel_code == Booking.CancelCode.HOLD_EXPIRED else BookingEvent.Kind.RELEASED
    _event(
        booking_id=booking.pk,
        kind=kind,
        from_status=Booking.Status.PENDING,
        to_status=Booking.Status.CANCELLED,
        note=cancel_code,
    )
    hooks.booking_released(booking_id=booking.pk)


def booking_confirm(*, booking: Booking, note: str = "") -> Booking:
    """pending → confirmed. A booking released for want of payment (a late payment) takes its units again
    if they are still free, else UnitUnavailable. Idempotent once confirmed. `note` says why, in the audit
    trail (the payment)."""
    now = timezone.now()
    with transaction.atomic():
        confirmed = Booking.objects.filter(pk=booking.pk, status=Booking.Status.PENDING).update(
            status=Booking.Status.CONFIRMED, hold_expires_at=None, sequence=F("sequence") + 1, updated_at=now
        )
        if confirmed:
            _event(
                booking_id=booking.pk,
                kind=BookingEvent.Kind.CONFIRMED,
                from_status=Booking.Status.PENDING,
                to_status=Booking.Status.CONFIRMED,
                note=note,
            )
            notify(user_id=booking.visitor_id, kind=Kind.BOOKING_CONFIRMED, object_id=booking.pk)
        current = Booking.objects.select_related("unit__facility").get(pk=booking.pk)
        if confirmed or current.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
            return current
        if current.cancel_code not in (Booking.CancelCode.HOLD_EXPIRED, Booking.CancelCode.PAYMENT_FAILED):
            raise BookingNotConfirmable()
        dates = _line_dates(current)
        rows = _stock_lock(unit=current.unit, dates=dates)
        current = Booking.objects.select_for_update().select_related("unit__facility").get(pk=booking.pk)
        if current.status != Booking.Status.CANCELLED:
            return booking_confirm(booking=current, note=note)
        unit = Unit.objects.get(pk=current.unit_id)
        slots = _booking_slots(current)
        taken: dict = (
            {row.starts_at: row.taken for row in _slot_lock(unit=unit, slots=slots)}
            if slots
            else {row.date: row.taken for row in rows}
        )
        stays.check_available(stays.booking_stay(booking=current, unit=unit, dates=dates), locked=True, taken=taken)
        if slots:
            _slot_take(unit=unit, slots=slots)
        else:
            _stock_take(unit=unit, dates=dates)
        Booking.objects.filter(pk=booking.pk).update(
            status=Booking.Status.CONFIRMED,
            cancel_code="",
            cancelled_at=None,
            cancelled_by=None,
            hold_expires_at=None,
            sequence=F("sequence") + 1,
            updated_at=now,
        )
        _event(
            booking_id=booking.pk,
            kind=BookingEvent.Kind.CONFIRMED,
            from_status=Booking.Status.CANCELLED,
            to_status=Booking.Status.CONFIRMED,
            note=note,
        )
    return Booking.objects.select_related("unit__facility").get(pk=booking.pk)


def booking_payment_collected(*, booking: Booking, actor) -> None:
    """Records that the guest paid at the facility (payments.services.payment_collect, inside its transaction):
    the booking's status stays, its answer changes (the payment), so it is marked updated."""
    Booking.objects.filter(pk=booking.pk).update(updated_at=timezone.now())
    _event(
        booking_id=booking.pk,
        kind=BookingEvent.Kind.COLLECTED,
        from_status=booking.status,
        to_status=booking.status,
        actor=actor,
    )


def _release(*, booking: Booking, cancel_code: str, expired_before=None) -> bool:
    """Releases a pending booking's units (all of them or, with `expired_before`, only if its hold had
    expired by then). Returns whether it released."""
    now = timezone.now()
    with transaction.atomic():
        dates = _line_dates(booking)
        _stock_lock(unit=booking.unit, dates=dates)
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if current.status != Booking.Status.PENDING:
            return False
        if expired_before is not None and (current.hold_expires_at is None or current.hold_expires_at > expired_before):
            return False
        _release_locked(booking=current, dates=dates, cancel_code=cancel_code, now=now)
    return True


def booking_release(*, booking: Booking, cancel_code: str) -> Booking:
    """pending → cancelled with `cancel_code` (payment failed or cancelled, hold expired); units given back.
    Idempotent: any other status is left as it is."""
    _release(booking=booking, cancel_code=cancel_code)
    return Booking.objects.get(pk=booking.pk)


def bookings_expire_holds(*, now=None) -> int:
    """Releases every pending booking whose hold has expired; returns how many."""
    now = now or timezone.now()
    expired = Booking.objects.filter(status=Booking.Status.PENDING, hold_expires_at__lte=now).select_related("unit")
    return sum(
        _release(booking=booking, cancel_code=Booking.CancelCode.HOLD_EXPIRED, expired_before=now)
        for booking in expired.order_by("id")
    )


def bookings_complete(*, today: date | None = None) -> int:
    """Marks confirmed bookings whose stay is over as completed (run daily: `manage.py bookings_complete`)."""
    today = today or selectors.today()
    with transaction.atomic():
        finished = list(
            Booking.objects.select_for_update()
            .filter(status=Booking.Status.CONFIRMED, check_out__lte=today)
            .order_by("id")
            .values_list("id", flat=True)
        )
        Booking.objects.filter(id__in=finished).update(status=Booking.Status.COMPLETED, updated_at=timezone.now())
        BookingEvent.objects.bulk_create(
            [
                BookingEvent(
                    booking_id=booking_id,
                    kind=BookingEvent.Kind.COMPLETED,
                    from_status=Booking.Status.CONFIRMED,
                    to_status=Booking.Status.COMPLETED,
                )
                for booking_id in finished
            ]
        )
    return len(finished)


# --- cancel ----------------------------------------------------------------------------------------------------


def cancellation_fee(
    *, booking: Booking, today: date | None = None, now: datetime | None = None, of_yen: int | None = None
) -> int:
    """What a visitor's cancellation keeps: nothing until `free_cancellation_days` before check-in (hours:
    `free_cancellation_hours` before the start), then the unit's percentage of the total, or of `of_yen` (the
    nights a shortening gives up), rounded down to the yen. A hold never paid costs nothing."""
    today = today or selectors.today()
    if booking.status != Booking.Status.CONFIRMED:
        return 0
    if booking.starts_at is not None:
        ahead = booking.starts_at - (now or timezone.now())
        if ahead >= timedelta(hours=booking.unit.free_cancellation_hours):
            return 0
    elif (booking.check_in - today).days >= booking.unit.free_cancellation_days:
        return 0
    return (booking.total_yen if of_yen is None else of_yen) * booking.unit.cancellation_fee_percent // 100


def booking_cancel(*, booking: Booking, actor, reason: str = "") -> Booking:
    """A visitor cancels their own booking under the unit's policy; an operator of the facility cancels with
    a required reason and a full refund. Frees the units; asks payments for the refund after commit."""
    by_operator = bool(actor.is_operator)
    reason = (reason or "").strip()
    if by_operator and not reason:
        raise CancelReasonRequired(fields={"reason": [str(CancelReasonRequired.default_message)]})
    now = timezone.now()
    with transaction.atomic(durable=True):
        dates = _line_dates(booking)
        _stock_lock(unit=booking.unit, dates=dates)
        current = Booking.objects.select_for_update().select_related("unit__facility").get(pk=booking.pk)
        if current.status not in (Booking.Status.PENDING, Booking.Status.CONFIRMED):
            raise BookingNotCancellable(status=current.get_status_display())
        begun = current.starts_at <= now if current.starts_at is not None else current.check_in <= selectors.today()
        if not by_operator and begun:
            raise BookingNotCancellable(
                _("The stay has already begun; contact the facility to change it."), status=current.get_status_display()
            )
        fee = 0 if by_operator else cancellation_fee(booking=current, now=now)
        _give_back(booking=current, dates=dates)
        Booking.objects.filter(pk=current.pk).update(
            status=Booking.Status.CANCELLED,
            cancel_code=Booking.CancelCode.OPERATOR if by_operator else Booking.CancelCode.VISITOR,
            cancel_reason=reason[:500],
            cancelled_by=actor,
            cancelled_at=now,
            cancellation_fee_yen=fee,
            hold_expires_at=None,
            sequence=F("sequence") + 1,
            updated_at=now,
        )
        _event(
            booking_id=current.pk,
            kind=BookingEvent.Kind.CANCELLED,
            from_status=current.status,
            to_status=Booking.Status.CANCELLED,
            actor=actor,
            note=reason,
        )
        notify(user_id=current.visitor_id, kind=Kind.BOOKING_CANCELLED, object_id=current.pk)
        # A draft claim on it could never be submitted; a submitted one keeps its frozen days (spec rule 3).
        hooks.booking_cancelled(booking_id=current.pk, actor=actor)
    cancelled = Booking.objects.get(pk=booking.pk)
    hooks.payment_refund(
        booking=cancelled,
        amount_yen=cancelled.total_yen - fee,
        reason=reason or str(cancelled.get_cancel_code_display()),
    )
    return cancelled


# --- shorten ---------------------------------------------------------------------------------------------------


def _shortening_refused(code: str, message) -> InvalidShortening:
    return InvalidShortening(message, code=code, fields={"check_out": [str(message)]})


def booking_shorten(*, booking: Booking, actor, check_out: date, reason: str = "") -> Booking:
    """A confirmed stay ends earlier: at the guest's request, or an early departure the operator records. The
    nights from the new check-out on are given back to the unit's stock and taken off the booking's lines and
    total. A visitor gives up only nights that have not begun, keeps the unit's minimum stay, and the fee of a
    cancellation of those nights applies to them; an operator gives a reason, may record a departure already
    made, and refunds them in full. The claims on the stay are refigured (bookings' `booking_changed` hook) and
    what is owed back is asked of payments after commit."""
    by_operator = bool(actor.is_operator)
    reason = (reason or "").strip()
    if by_operator and not reason:
        raise CancelReasonRequired(
            _("Operators must give a reason when changing a booking."),
            fields={"reason": [str(_("Operators must give a reason when changing a booking."))]},
        )
    now = timezone.now()
    with transaction.atomic(durable=True):
        dates = _line_dates(booking)
        _stock_lock(unit=booking.unit, dates=dates)
        current = Booking.objects.select_for_update().select_related("unit__facility").get(pk=booking.pk)
        if current.kind != Booking.Kind.STAY or current.status != Booking.Status.CONFIRMED:
            raise BookingNotShortenable(status=current.get_status_display())
        if not current.check_in < check_out < current.check_out:
            raise _shortening_refused("invalid_check_out", InvalidShortening.default_message)
        if not by_operator:
            if check_out < selectors.today():
                raise _shortening_refused(
                    "nights_already_begun", _("Nights that have begun cannot be given up; contact the facility.")
                )
            if (check_out - current.check_in).days < current.unit.min_nights:
                message = _("This unit is booked for at least %(min)s nights; this stay has %(nights)s.") % {
                    "min": current.unit.min_nights,
                    "nights": (check_out - current.check_in).days,
                }
                raise _shortening_refused("too_few_nights", message)
        dropped = list(BookingLine.objects.filter(booking_id=current.pk, date__gte=check_out).order_by("date"))
        dropped_yen = sum(line.price_yen for line in dropped)
        fee = 0
        if not by_operator:
            fee = cancellation_fee(booking=current, now=now, of_yen=dropped_yen)
        _stock_give_back(unit_id=current.unit_id, dates=[line.date for line in dropped])
        BookingLine.objects.filter(pk__in=[line.pk for line in dropped]).delete()
        Booking.objects.filter(pk=current.pk).update(
            check_out=check_out,
            total_yen=F("total_yen") - dropped_yen,
            cancellation_fee_yen=F("cancellation_fee_yen") + fee,
            sequence=F("sequence") + 1,
            updated_at=now,
        )
        _event(
            booking_id=current.pk,
            kind=BookingEvent.Kind.CHANGED,
            from_status=current.status,
            to_status=current.status,
            actor=actor,
            note=f"check_out {current.check_out.isoformat()} -> {check_out.isoformat()}"
            + (f": {reason}" if reason else ""),
        )
        hooks.booking_changed(booking_id=current.pk, actor=actor)
    shortened = Booking.objects.select_related("unit__facility").get(pk=booking.pk)
    hooks.payment_refund(booking=shortened, amount_yen=dropped_yen - fee, reason=reason or "shortened")
    return shortened


# --- closures and price overrides ------------------------------------------------------------------------------


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise InvalidDateRange(
            _("The end date must be on or after the start date."),
            fields={"end_date": [str(_("The end date must be on or after the start date."))]},
        )
    if (end - start).days >= MAX_RULE_DAYS:
        message = _("One rule covers at most %(days)s days.") % {"days": MAX_RULE_DAYS}
        raise InvalidDateRange(message, fields={"end_date": [message]})


def _closure_save(*, closure: Closure) -> Closure:
    _check_range(closure.start_date, closure.end_date)
    with transaction.atomic(durable=True):
        # Locking the stock rows serialises this with bookings of the same dates.
        dates = selectors.date_range(closure.start_date, closure.end_date + timedelta(days=1))
        _stock_lock(unit=closure.unit, dates=dates)
        booked = selectors.active_dates_between(unit=closure.unit, start=closure.start_date, end=closure.end_date)
        if booked:
            raise ClosureOverBookings(dates=dates_text(booked))
        closure.save()
    return closure


def closure_create(*, unit: Unit, start_date: date, end_date: date, reason: str) -> Closure:
    return _closure_save(closure=Closure(unit=unit, start_date=start_date, end_date=end_date, reason=reason))


def time_closure_create(*, unit: Unit, starts_at: datetime, ends_at: datetime, reason: str) -> TimeClosure:
    """Closes an hourly unit for [starts_at, ends_at) (at most MAX_RULE_DAYS); refused (409) over active hourly
    bookings. Its dates' stock rows are locked, as a booking of those hours locks them."""
    starts_at, ends_at = hours.local(starts_at), hours.local(ends_at)
    if ends_at <= starts_at:
        message = _("The end must be after the start.")
        raise InvalidDateRange(message, fields={"ends_at": [str(message)]})
    if (ends_at - starts_at).days >= MAX_RULE_DAYS:
        too_long = _("One rule covers at most %(days)s days.") % {"days": MAX_RULE_DAYS}
        raise InvalidDateRange(too_long, fields={"ends_at": [too_long]})
    with transaction.atomic(durable=True):
        last_day = hours.local(ends_at - timedelta(microseconds=1)).date()
        _stock_lock(unit=unit, dates=selectors.date_range(starts_at.date(), last_day + timedelta(days=1)))
        booked = selectors.hours_booked_between(unit=unit, starts_at=starts_at, ends_at=ends_at)
        if booked:
            raise ClosureOverBookings(
                dates=", ".join(hours.interval_text(b.starts_at, b.ends_at) for b in booked[:10])  # type: ignore[arg-type]
            )
        return TimeClosure.objects.create(unit=unit, starts_at=starts_at, ends_at=ends_at, reason=reason)


def time_closure_delete(*, closure: TimeClosure) -> None:
    closure.delete()


def closure_update(*, closure: Closure, **changes) -> Closure:
    """Changes a closure's dates or reason; a change calendars show raises its SEQUENCE."""
    shown_before = [getattr(closure, name) for name in Closure.SHOWN_FIELDS]
    for name, value in changes.items():
        setattr(closure, name, value)
    if [getattr(closure, name) for name in Closure.SHOWN_FIELDS] != shown_before:
        closure.sequence = F("sequence") + 1
    _closure_save(closure=closure)
    closure.refresh_from_db(fields=["sequence"])
    return closure


def closure_delete(*, closure: Closure) -> None:
    """Removes a closure; the feeds that showed it are marked changed (signals.closure_deleted)."""
    closure.delete()


def _price_override_save(*, override: PriceOverride) -> PriceOverride:
    _check_range(override.start_date, override.end_date)
    with transaction.atomic(durable=True):
        # The unit's row serialises overlap checks of its overrides.
        Unit.objects.select_for_update().filter(pk=override.unit_id).values_list("id", flat=True).get()
        other = selectors.overlapping_override(
            unit=override.unit, start=override.start_date, end=override.end_date, exclude_id=override.pk
        )
        if other is not None:
            message = PriceOverrideOverlap.default_message % {
                "start": other.start_date.isoformat(),
                "end": other.end_date.isoformat(),
            }
            raise PriceOverrideOverlap(message, fields={"start_date": [message]})
        override.save()
    return override


def price_override_create(
    *, unit: Unit, start_date: date, end_date: date, price_yen: int, label: str = ""
) -> PriceOverride:
    return _price_override_save(
        override=PriceOverride(unit=unit, start_date=start_date, end_date=end_date, price_yen=price_yen, label=label)
    )


def price_override_update(*, override: PriceOverride, **changes) -> PriceOverride:
    for name, value in changes.items():
        setattr(override, name, value)
    return _price_override_save(override=override)


def price_override_delete(*, override: PriceOverride) -> None:
    override.delete()


# --- calendar feeds --------------------------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_get_or_create(
    *, owner, scope: str, unit: Unit | None = None, facility: Facility | None = None
) -> tuple[CalendarFeed, bool]:
    """The owner's feed for this target, made on first use (one per target)."""
    lookup = {"owner": owner, "scope": scope, "unit": unit, "facility": facility}
    feed = CalendarFeed.objects.filter(**lookup).first()
    if feed is not None:
        return feed, False
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(token=_new_token(), **lookup), True
    except IntegrityError:
        return CalendarFeed.objects.get(**lookup), False


def calendar_feed_rotate(*, feed: CalendarFeed) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    feed.token = _new_token()
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["token", "rotated_at"])
    return feed


def calendar_feed_delete(*, feed: CalendarFeed | None) -> None:
    if feed is None:
        raise CalendarFeedNotFound()
    feed.delete()
