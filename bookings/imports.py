"""Calendar imports: operators' other calendars (Airbnb, Booking.com, Google) block the unit's dates here.

A sync fetches the feed conditionally, reads its events over the booking window and turns them into one
block per date (ImportedBlock). A held block takes one unit of the date's stock under the same stock lock as
bookings and closures, so an imported block and a booking never both hold the last unit; a block that finds
the date already fully booked is recorded as a conflict (nothing overbooked, nothing cancelled), the operator
gets one email, and it takes the stock as soon as a booking gives it back or disappears when the other site
moves its event. A feed that cannot be fetched or read changes no block.

An echo is not a conflict. Sites that import this unit's feed export its bookings back as their own blocks
(Booking.com's "CLOSED - Not available", with a UID of its own), so a booking made here comes back as an imported
event. An imported event every date of which is a night of this unit's own active bookings is taken as such an
echo: its blocks wait like conflicts (they take the stock if the booking goes) but are not listed as conflicts and
send no email. An event reaching even one date beyond the unit's own bookings is a conflict as before.

On a unit booked by the hour an import blocks hours, not dates: each 15-minute slot of the unit's opening hours
that a timed event overlaps (an all-day event: every slot of its dates) is an ImportedSlot, which takes one unit
of the slot's stock (SlotStock) as an hourly booking does, under the same locks (the date's row, then the slots in
time order); a full slot is a conflict, an event wholly on the unit's own booked hours an echo, as for dates.

A disabled import is not synced and keeps its blocks; only deleting it frees its dates. Events marked free
(TRANSP:TRANSPARENT) block like any other unless the import's `block_transparent` is off.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from facilities.models import Unit
from notifications.models import Kind
from notifications.services import notify_operators

from . import hours, import_fetch, selectors, services, stays
from .errors import DuplicateFeed, InvalidImportUrl
from .import_parse import NotICalendar, Occurrence, TooComplex, occurrences_in_window
from .models import (
    Booking,
    BookingLine,
    CalendarFeed,
    CalendarImport,
    CalendarImportSync,
    ImportedBlock,
    ImportedEvent,
    ImportedSlot,
    SlotStock,
    UnitStock,
)

logger = logging.getLogger(__name__)

# Failures in a row after which an import is paused (and its operator told).
MAX_CONSECUTIVE_FAILURES = 10

URL_PROBLEMS = {
    "too_long": _("The URL may have at most 2,000 characters."),
    "malformed": _("This is not a valid URL."),
    "scheme": _("The calendar URL must start with https://."),
    "credentials": _("The URL must not contain a user name or password."),
    "unresolved": _("The host name of this URL could not be found."),
    "forbidden": _("This URL points to a private or local network address; only public calendars can be imported."),
}


# --- the URL ---------------------------------------------------------------------------------------------------


def import_url_check(*, url: str) -> str:
    """The URL as stored, or InvalidImportUrl (400 naming `url`): form, then the addresses its name gives."""
    url = (url or "").strip()
    problem = import_fetch.check_url_form(url) or import_fetch.check_address(url)
    if problem:
        message = URL_PROBLEMS[problem]
        raise InvalidImportUrl(message, fields={"url": [str(message)]})
    return url


def _refuse_duplicate(*, unit: Unit, url: str, exclude_id: int | None = None) -> None:
    """A second import of one URL on a unit would conflict with the first on every date it blocks."""
    others = CalendarImport.objects.filter(unit=unit, url=url)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    if others.exists():
        message = DuplicateFeed.default_message
        raise DuplicateFeed(message, fields={"url": [str(message)]})


def calendar_import_create(
    *, unit: Unit, name: str, url: str, enabled: bool = True, block_transparent: bool = True
) -> CalendarImport:
    url = import_url_check(url=url)
    _refuse_duplicate(unit=unit, url=url)
    return CalendarImport.objects.create(
        unit=unit, name=name, url=url, enabled=enabled, block_transparent=block_transparent
    )


def calendar_import_update(*, calendar_import: CalendarImport, **changes) -> CalendarImport:
    """Renames, re-points or switches an import. A new URL forgets the old feed's validators; enabling a
    paused import starts its failure count afresh."""
    if "url" in changes:
        url = import_url_check(url=changes.pop("url"))
        _refuse_duplicate(unit=calendar_import.unit, url=url, exclude_id=calendar_import.pk)
        if url != calendar_import.url:
            calendar_import.url, calendar_import.etag, calendar_import.last_modified_header = url, "", ""
    if changes.get("enabled") and not calendar_import.enabled:
        calendar_import.consecutive_failures, calendar_import.paused_at = 0, None
    for name, value in changes.items():
        setattr(calendar_import, name, value)
    calendar_import.save()
    return calendar_import


def calendar_import_delete(*, calendar_import: CalendarImport) -> None:
    """Removes the import and gives back the stock its blocks held."""
    unit = calendar_import.unit
    with transaction.atomic(durable=True):
        dates = list(ImportedBlock.objects.filter(calendar_import=calendar_import).values_list("date", flat=True))
        services._stock_lock(unit=unit, dates=dates)
        held = list(
            ImportedBlock.objects.filter(calendar_import=calendar_import, held=True).values_list("date", flat=True)
        )
        ImportedBlock.objects.filter(calendar_import=calendar_import).delete()
        if held:
            services._stock_give_back(unit_id=unit.pk, dates=held)
        slots = list(ImportedSlot.objects.filter(calendar_import=calendar_import).values_list("starts_at", "held"))
        if slots:
            _slots_lock(unit=unit, slots=[start for start, _held in slots])
            ImportedSlot.objects.filter(calendar_import=calendar_import).delete()
            services._slots_give_back(unit_id=unit.pk, slots=[start for start, held in slots if held])
        calendar_import.delete()
        _feeds_changed(unit_id=unit.pk)


# --- sync ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    status: str
    error: str = ""


def _window(unit: Unit) -> tuple[date, date]:
    first = selectors.today()
    return first, first + timedelta(days=unit.booking_window_days)


def _newer(incoming: Occurrence, sequence: int, last_modified) -> bool:
    """Whether an event's incoming version replaces the one stored: SEQUENCE first, then LAST-MODIFIED."""
    if incoming.sequence != sequence:
        return incoming.sequence > sequence
    if incoming.last_modified and last_modified:
        return incoming.last_modified >= last_modified
    return True


def _latest_by_key(occurrences) -> dict[str, Occurrence]:
    latest: dict[str, Occurrence] = {}
    for occurrence in occurrences:
        current = latest.get(occurrence.key)
        if current is None or _newer(occurrence, current.sequence, current.last_modified):
            latest[occurrence.key] = occurrence
    return latest


def _own_nights(*, unit: Unit, first: date, last: date) -> set[date]:
    """The dates of [first, last] that the unit's own active bookings (made here) take."""
    return set(
        BookingLine.objects.filter(
            booking__unit=unit,
            booking__status__in=Booking.ACTIVE_STATUSES,
            date__gte=first,
            date__lte=last,
        ).values_list("date", flat=True)
    )


def _apply(*, calendar_import: CalendarImport, occurrences) -> tuple[int, int, list[date]]:
    """Upserts the events by key and moves the blocks to the dates they cover, under the stock lock.
    Returns (events, blocked dates, dates newly in conflict)."""
    incoming = _latest_by_key(occurrences)
    with transaction.atomic(durable=True):
        # Serialises syncs of one import. Only the import's row: a FOR UPDATE on the unit would block the
        # foreign-key checks of bookings inserting stock rows, while this waits for those rows (a deadlock).
        current = (
            CalendarImport.objects.select_for_update(of=("self",)).select_related("unit").get(pk=calendar_import.pk)
        )
        unit = current.unit
        stored = {event.key: event for event in ImportedEvent.objects.filter(calendar_import=current)}
        create, update = [], []
        for key, occurrence in incoming.items():
            event = stored.get(key)
            if event is not None and not _newer(occurrence, event.sequence, event.last_modified):
                continue  # an older version of an event already seen: the stored one stands
            if occurrence.cancelled:
                continue
            fields = {
                "start_date": occurrence.start,
                "end_date": occurrence.end,
                "starts_at": occurrence.starts_at,
                "ends_at": occurrence.ends_at,
                "sequence": occurrence.sequence,
                "last_modified": occurrence.last_modified,
            }
            if event is None:
                create.append(ImportedEvent(calendar_import=current, key=key, **fields))
            elif any(getattr(event, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(event, name, value)
                update.append(event)
        gone = [
            event.pk
            for key, event in stored.items()
            if key not in incoming
            or (incoming[key].cancelled and _newer(incoming[key], event.sequence, event.last_modified))
        ]
        if gone:
            ImportedEvent.objects.filter(pk__in=gone).delete()
        ImportedEvent.objects.bulk_update(
            update, ["start_date", "end_date", "starts_at", "ends_at", "sequence", "last_modified"], batch_size=500
        )
        ImportedEvent.objects.bulk_create(create, batch_size=500)

        first, last = _window(unit)
        events = list(
            ImportedEvent.objects.filter(calendar_import=current).values_list(
                "start_date", "end_date", "starts_at", "ends_at"
            )
        )
        # An hourly unit's imports block slots; a unit booked by the night or the day, dates. Each side is given
        # no events on the other kind of unit, which frees what it held there (blocks of before a mode change).
        wanted, new_conflicts = _apply_dates(
            current=current, unit=unit, events=[] if unit.is_hourly else events, first=first, last=last
        )
        slots, slot_conflicts = _apply_slots(
            current=current, unit=unit, events=events if unit.is_hourly else [], first=first, last=last
        )
        if unit.is_hourly:
            wanted, new_conflicts = {hours.local(slot).date() for slot in slots}, slot_conflicts
        unnotified = set(
            ImportedBlock.objects.filter(
                calendar_import=current, held=False, echo=False, conflict_notified=False
            ).values_list("date", flat=True)
        )
        waiting_slots = ImportedSlot.objects.filter(
            calendar_import=current, held=False, echo=False, conflict_notified=False
        )
        unnotified.update(hours.local(slot).date() for slot in waiting_slots.values_list("starts_at", flat=True))
        if unnotified:
            ImportedBlock.objects.filter(calendar_import=current, date__in=unnotified).update(conflict_notified=True)
            waiting_slots.update(conflict_notified=True)
            conflict_dates = sorted(unnotified)
            transaction.on_commit(lambda: calendar_import_conflicts_found(import_id=current.pk, dates=conflict_dates))
            notify_operators(organisation_id=unit.facility.operator_id, kind=Kind.IMPORT_CONFLICT, object_id=current.pk)
    return len(incoming) - sum(1 for o in incoming.values() if o.cancelled), len(wanted), new_conflicts


def _apply_dates(
    *, current: CalendarImport, unit: Unit, events: list[tuple], first: date, last: date
) -> tuple[set[date], list[date]]:
    """Moves the import's date blocks to the dates its events cover, under the stock lock; returns the dates
    blocked and those newly in conflict."""
    own = _own_nights(unit=unit, first=first, last=last) if events else set()
    wanted: set[date] = set()
    echoes: set[date] = set()
    not_echoes: set[date] = set()
    for start, end, _starts_at, _ends_at in events:
        days = []
        day = max(start, first)
        while day < end and day <= last:
            days.append(day)
            day += timedelta(days=1)
        wanted.update(days)
        (echoes if days and own.issuperset(days) else not_echoes).update(days)
    echoes -= not_echoes
    return wanted, _reconcile(current=current, unit=unit, wanted=wanted, echoes=echoes, kind=_DATES)


def _quarter(moment: datetime) -> datetime:
    """The start of the stock slot holding `moment` (Japan time)."""
    moment = hours.local(moment)
    minutes = hours.minute_of_day(moment)
    return hours.at(moment.date(), minutes - minutes % hours.STOCK_MINUTES)


def event_slots(*, unit: Unit, start: date, end: date, starts_at, ends_at, first: date, last: date) -> set:
    """The stock slots of the unit's opening hours on [first, last] an event blocks: those its time overlaps (the
    quarter of an instant), or every one of its dates when it lasts all day."""
    slots: set[datetime] = set()
    day = max(start, first)
    while day < end and day <= last:
        opening = hours.opening(unit, day)
        day += timedelta(days=1)
        if opening is None:
            continue
        opens, closes = opening
        if starts_at is None:
            low, high = opens, closes
        elif starts_at == ends_at:
            low, high = starts_at, starts_at + timedelta(microseconds=1)
        else:
            low, high = starts_at, ends_at
        low, high = max(low, opens), min(high, closes)
        if low < high:
            slots.update(hours.slots(_quarter(low), high))
    return slots


def _own_slots(*, unit: Unit, first: date, last: date) -> set[datetime]:
    """The slots of [first, last] that the unit's own active hourly bookings (made here) take."""
    booked = Booking.objects.filter(
        unit=unit,
        kind=Booking.Kind.HOURLY,
        status__in=Booking.ACTIVE_STATUSES,
        check_in__gte=first,
        check_in__lte=last,
    ).values_list("starts_at", "ends_at")
    return {
        slot
        for starts_at, ends_at in booked
        if starts_at is not None and ends_at is not None  # hours have both (a CHECK)
        for slot in hours.slots(starts_at, ends_at)
    }


def _slots_lock(*, unit: Unit, slots) -> list[SlotStock]:
    """The hours' lock order: the dates' stock rows (the gate hourly bookings and closures pass), then the slots'
    rows in time order."""
    services._stock_lock(unit=unit, dates={hours.local(slot).date() for slot in slots})
    return services._slot_lock(unit=unit, slots=slots)


def _apply_slots(
    *, current: CalendarImport, unit: Unit, events: list[tuple], first: date, last: date
) -> tuple[set[datetime], list[date]]:
    """_apply_dates for an hourly unit's slots: moves the import's slots to those its events block, under the
    slots' lock; returns the slots blocked and the dates of those newly in conflict."""
    own = _own_slots(unit=unit, first=first, last=last) if events else set()
    wanted: set[datetime] = set()
    echoes: set[datetime] = set()
    not_echoes: set[datetime] = set()
    for start, end, starts_at, ends_at in events:
        slots = event_slots(
            unit=unit, start=start, end=end, starts_at=starts_at, ends_at=ends_at, first=first, last=last
        )
        wanted |= slots
        (echoes if slots and own >= slots else not_echoes).update(slots)
    echoes -= not_echoes
    return wanted, _reconcile(current=current, unit=unit, wanted=wanted, echoes=echoes, kind=_SLOTS)


@dataclass(frozen=True)
class _Blocks:
    """How one kind of an import's blocks holds stock: whole dates (ImportedBlock over the nights' and days' stock)
    or an hourly unit's quarter hours (ImportedSlot over the slots' stock, locked after their dates)."""

    model: Any  # ImportedBlock or ImportedSlot
    key: str  # the block's date or start
    lock: Callable
    give_back: Callable
    taken: Callable
    take: Callable
    day_of: Callable


_DATES = _Blocks(
    model=ImportedBlock,
    key="date",
    lock=lambda *, unit, keys: services._stock_lock(unit=unit, dates=keys),
    give_back=lambda *, unit_id, keys: services._stock_give_back(unit_id=unit_id, dates=keys),
    taken=lambda *, unit, keys: stays.taken_by_date(unit=unit, dates=keys),
    take=lambda *, unit, keys: services._stock_take(unit=unit, dates=keys),
    day_of=lambda day: day,
)
_SLOTS = _Blocks(
    model=ImportedSlot,
    key="starts_at",
    lock=lambda *, unit, keys: _slots_lock(unit=unit, slots=keys),
    give_back=lambda *, unit_id, keys: services._slots_give_back(unit_id=unit_id, slots=keys),
    taken=lambda *, unit, keys: dict(
        SlotStock.objects.filter(unit=unit, starts_at__in=list(keys)).values_list("starts_at", "taken")
    ),
    take=lambda *, unit, keys: services._slot_take(unit=unit, slots=keys),
    day_of=lambda slot: hours.local(slot).date(),
)


def _reconcile(*, current: CalendarImport, unit: Unit, wanted: set, echoes: set, kind: _Blocks) -> list[date]:
    """Moves the import's blocks of one kind to `wanted` under that kind's lock: blocks no longer wanted are removed
    (what they held given back, for other imports' conflicts to take), new ones hold a unit where one is free and
    are conflicts where none is (echoes of this unit's own bookings aside), and waiting conflicts take what was
    freed since. Returns the dates newly in conflict."""
    key = kind.key
    blocks = {getattr(block, key): block for block in kind.model.objects.filter(calendar_import=current)}
    added = wanted - set(blocks)
    removed = set(blocks) - wanted
    waiting = {one for one, block in blocks.items() if not block.held and one in wanted}
    new_conflicts: list[date] = []
    if added or removed or waiting:
        kind.lock(unit=unit, keys=added | removed | waiting)
        if removed:
            kind.model.objects.filter(calendar_import=current, **{f"{key}__in": list(removed)}).delete()
            held = [one for one in removed if blocks[one].held]
            if held:
                kind.give_back(unit_id=unit.pk, keys=held)
        taken = kind.taken(unit=unit, keys=added | waiting)
        free = {
            one
            for one in added | waiting
            if stays.free_units(count=unit.count, taken=taken.get(one, 0), closed=False) >= 1
        }
        kind.model.objects.bulk_create(
            [
                kind.model(calendar_import=current, unit=unit, held=one in free, echo=one in echoes, **{key: one})
                for one in sorted(added)
            ],
            batch_size=500,
        )
        resolved = free & waiting
        if resolved:
            kind.model.objects.filter(calendar_import=current, **{f"{key}__in": list(resolved)}).update(held=True)
        if free:
            kind.take(unit=unit, keys=sorted(free))
        new_conflicts = sorted({kind.day_of(one) for one in added - free - echoes})
        _feeds_changed(unit_id=unit.pk)
    # Bookings made or cancelled here since the last sync make a waiting block an echo, or no longer one.
    mine = kind.model.objects.filter(calendar_import=current)
    mine.filter(echo=True).exclude(**{f"{key}__in": list(echoes)}).update(echo=False)
    if echoes:
        mine.filter(echo=False, **{f"{key}__in": list(echoes)}).update(echo=True)
    return new_conflicts


def _record(calendar_import: CalendarImport, *, status: str, error: str = "", failed: bool, **fields) -> None:
    now = timezone.now()
    updates = {"last_synced_at": now, "last_status": status, "last_error": error[:500], "updated_at": now, **fields}
    if not failed:
        CalendarImport.objects.filter(pk=calendar_import.pk).update(consecutive_failures=0, **updates)
        return
    CalendarImport.objects.filter(pk=calendar_import.pk).update(
        consecutive_failures=F("consecutive_failures") + 1, **updates
    )
    paused = CalendarImport.objects.filter(
        pk=calendar_import.pk, enabled=True, consecutive_failures__gte=MAX_CONSECUTIVE_FAILURES
    ).update(enabled=False, paused_at=now)
    if paused:
        _email_paused(import_id=calendar_import.pk)


def calendar_import_sync(*, calendar_import: CalendarImport) -> SyncResult:
    """Fetches and applies one import; whatever the feed holds, records the outcome instead of raising."""
    try:
        fetched = import_fetch.fetch(
            calendar_import.url, etag=calendar_import.etag, last_modified=calendar_import.last_modified_header
        )
    except import_fetch.FetchFailed as exc:
        _record(calendar_import, status=exc.status, error=str(exc), failed=True)
        return SyncResult(exc.status, str(exc))
    if fetched.not_modified:
        _record(calendar_import, status=CalendarImport.Status.NOT_MODIFIED, failed=False)
        return SyncResult(CalendarImport.Status.NOT_MODIFIED)
    first, last = _window(calendar_import.unit)
    try:
        parsed = occurrences_in_window(fetched.body, first=first, last=last)
    except (NotICalendar, TooComplex) as exc:
        # The previous blocks stay; the validators are not kept, so the next sync reads the feed again.
        if isinstance(exc, TooComplex):
            status, error = CalendarImport.Status.TOO_COMPLEX, str(exc)
        else:
            status, error = CalendarImport.Status.PARSE_ERROR, f"not an iCalendar document: {exc}"
        _record(calendar_import, status=status, error=error, failed=True)
        return SyncResult(status, error)
    occurrences = parsed.occurrences
    if not calendar_import.block_transparent:
        occurrences = [occurrence for occurrence in occurrences if not occurrence.transparent]
    events, blocks, _conflicts = _apply(calendar_import=calendar_import, occurrences=occurrences)
    note = "the feed was cut to the first events of the booking window" if parsed.truncated else ""
    _record(
        calendar_import,
        status=CalendarImport.Status.OK,
        error=note,
        failed=False,
        event_count=events,
        block_count=blocks,
        etag=fetched.etag,
        last_modified_header=fetched.last_modified,
    )
    return SyncResult(CalendarImport.Status.OK, note)


def calendar_import_sync_safely(*, calendar_import: CalendarImport) -> SyncResult:
    """The periodic job's step: a bug or a database error on one feed is logged and recorded, never raised,
    so the other imports still sync."""
    try:
        return calendar_import_sync(calendar_import=calendar_import)
    except SoftTimeLimitExceeded:
        raise  # the worker's time limit for this import: its task records it
    except Exception as exc:  # one import's failure must not stop the others
        logger.exception("Calendar import %s failed to sync.", calendar_import.pk)
        try:
            _record(
                calendar_import,
                status=CalendarImport.Status.HTTP_ERROR,
                error=f"internal error ({type(exc).__name__})",
                failed=True,
            )
        except Exception:
            logger.exception("Could not record the failure of calendar import %s.", calendar_import.pk)
        return SyncResult(CalendarImport.Status.HTTP_ERROR, type(exc).__name__)


def calendar_imports_due(*, now=None) -> list[int]:
    """The enabled imports due for a sync, by id. An import synced less than half a period ago is left alone, so
    that a run overlapping the previous one (a slow feed, a queue behind) does not fetch every feed twice."""
    now = now or timezone.now()
    recent = now - timedelta(minutes=settings.CALENDAR_IMPORT_MINUTES / 2)
    due = CalendarImport.objects.filter(enabled=True).filter(
        Q(last_synced_at__isnull=True) | Q(last_synced_at__lte=recent)
    )
    return list(due.order_by("id").values_list("id", flat=True))


def calendar_import_sync_due(*, import_id: int) -> SyncResult | None:
    """One import's sync for the periodic job (a task of its own on the worker, with its own time limit); None
    when the import has gone or was disabled since it was found due."""
    calendar_import = CalendarImport.objects.select_related("unit").filter(pk=import_id, enabled=True).first()
    if calendar_import is None:
        return None
    return calendar_import_sync_safely(calendar_import=calendar_import)


def calendar_imports_sync_all(*, now=None) -> dict[str, int]:
    """Syncs every enabled import that is due, one after the other in this process (the management command, for
    deployments without a worker: it also runs the syncs operators asked for that no worker took); returns how
    many ended in each status."""
    for sync_id in CalendarImportSync.objects.filter(state=CalendarImportSync.State.QUEUED).values_list(
        "id", flat=True
    ):
        calendar_import_sync_run(sync_id=sync_id)
    outcome: dict[str, int] = {}
    for import_id in calendar_imports_due(now=now):
        result = calendar_import_sync_due(import_id=import_id)
        if result is not None:
            outcome[str(result.status)] = outcome.get(str(result.status), 0) + 1
    return outcome


# --- sync now, on the worker -----------------------------------------------------------------------------------


def calendar_import_sync_request(*, calendar_import: CalendarImport) -> CalendarImportSync:
    """Records an operator's "sync now"; the worker runs it (calendar_import_sync_run) once it is committed."""
    return CalendarImportSync.objects.create(calendar_import=calendar_import)


def calendar_import_sync_run(*, sync_id: int) -> None:
    """Runs a queued sync once (a redelivered task finds it no longer queued) and records what it came to."""
    started = CalendarImportSync.objects.filter(pk=sync_id, state=CalendarImportSync.State.QUEUED).update(
        state=CalendarImportSync.State.RUNNING, started_at=timezone.now()
    )
    sync = CalendarImportSync.objects.select_related("calendar_import__unit").filter(pk=sync_id).first()
    if not started or sync is None:
        return
    result = calendar_import_sync_safely(calendar_import=sync.calendar_import)
    _sync_done(sync_id=sync_id, status=result.status, error=result.error)


def calendar_import_out_of_time(*, import_id: int | None = None, sync_id: int | None = None) -> None:
    """The worker's time limit for one import's sync ran out: recorded as a timeout of that import (and of the
    sync asked for), its blocks as they were."""
    error = "the sync took longer than its time limit"
    if sync_id is not None:
        import_id = CalendarImportSync.objects.filter(pk=sync_id).values_list("calendar_import_id", flat=True).first()
        _sync_done(sync_id=sync_id, status=CalendarImport.Status.TIMEOUT, error=error)
    calendar_import = CalendarImport.objects.filter(pk=import_id).first() if import_id is not None else None
    if calendar_import is not None:
        _record(calendar_import, status=CalendarImport.Status.TIMEOUT, error=error, failed=True)


def _sync_done(*, sync_id: int, status: str, error: str) -> None:
    CalendarImportSync.objects.filter(pk=sync_id).update(
        state=CalendarImportSync.State.DONE, status=status, error=error[:500], finished_at=timezone.now()
    )


# --- conflicts resolved when a booking gives its units back ----------------------------------------------------


def conflicts_take_freed_stock(*, unit_id: int, dates) -> None:
    """Called with the unit's stock rows locked, after units were given back on `dates`: blocks waiting in
    conflict there take the freed units, oldest import first."""
    waiting = list(
        ImportedBlock.objects.filter(unit_id=unit_id, date__in=list(dates), held=False).order_by(
            "date", "calendar_import_id"
        )
    )
    if not waiting:
        return
    rows = {row.date: row for row in UnitStock.objects.filter(unit_id=unit_id, date__in={b.date for b in waiting})}
    taken_now = []
    for block in waiting:
        row = rows.get(block.date)
        if row is not None and row.taken < row.total:
            row.taken += 1
            taken_now.append(block)
    if not taken_now:
        return
    ImportedBlock.objects.filter(pk__in=[block.pk for block in taken_now]).update(held=True)
    for row in rows.values():
        UnitStock.objects.filter(pk=row.pk).update(taken=row.taken)
    _feeds_changed(unit_id=unit_id)


def conflicts_take_freed_slots(*, unit_id: int, slots) -> None:
    """conflicts_take_freed_stock for an hourly unit's slots, their rows locked by the caller."""
    waiting = list(
        ImportedSlot.objects.filter(unit_id=unit_id, starts_at__in=list(slots), held=False).order_by(
            "starts_at", "calendar_import_id"
        )
    )
    if not waiting:
        return
    rows = {
        row.starts_at: row
        for row in SlotStock.objects.filter(unit_id=unit_id, starts_at__in={slot.starts_at for slot in waiting})
    }
    taken_now = []
    for slot in waiting:
        row = rows.get(slot.starts_at)
        if row is not None and row.taken < row.total:
            row.taken += 1
            taken_now.append(slot)
    if not taken_now:
        return
    ImportedSlot.objects.filter(pk__in=[slot.pk for slot in taken_now]).update(held=True)
    for row in rows.values():
        SlotStock.objects.filter(pk=row.pk).update(taken=row.taken)
    _feeds_changed(unit_id=unit_id)


# --- export feeds ----------------------------------------------------------------------------------------------


def calendar_feed_include_imported(*, feed: CalendarFeed, include: bool) -> CalendarFeed:
    """Switches whether an operator feed shows the dates calendar imports block (a visitor's feed has none)."""
    include = bool(include) and feed.scope != CalendarFeed.Scope.STAYS
    if feed.include_imported != include:
        feed.include_imported, feed.changed_at = include, timezone.now()
        feed.save(update_fields=["include_imported", "changed_at"])
    return feed


# --- side effects ----------------------------------------------------------------------------------------------


def _feeds_changed(*, unit_id: int) -> None:
    """Feeds that show imported blocks must change their validators when blocks change."""
    CalendarFeed.objects.filter(include_imported=True).filter(
        Q(unit_id=unit_id) | Q(facility__units__id=unit_id)
    ).update(changed_at=timezone.now())


def _operator_emails(calendar_import: CalendarImport) -> list[str]:
    organisation_id = calendar_import.unit.facility.operator_id
    return list(
        get_user_model()
        .objects.filter(role="operator", organisation_id=organisation_id, is_active=True)
        .values_list("email", flat=True)
    )


def _send(calendar_import: CalendarImport, subject: str, body: str) -> None:
    recipients = _operator_emails(calendar_import)
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def calendar_import_conflicts_found(*, import_id: int, dates: list[date]) -> None:
    """After the commit of a sync that found new conflicts (echoes are none): the operator is told, once per date.
    The one place that learns of new conflicts."""
    _email_conflicts(import_id=import_id, dates=dates)


def _email_conflicts(*, import_id: int, dates: list[date]) -> None:
    calendar_import = CalendarImport.objects.select_related("unit__facility").filter(pk=import_id).first()
    if calendar_import is None:
        return
    shown = selectors.dates_text(dates)
    unit = calendar_import.unit
    with translation.override("ja"):
        unit_ja = unit.localized("name")
    with translation.override("en"):
        unit_en = unit.localized("name")
    subject = f"カレンダー取り込みの重複: {calendar_import.name} / Calendar import conflict: {calendar_import.name}"
    body = (
        f"「{calendar_import.name}」から取り込んだ予定が、{unit_ja}ですでに満室の日と重なっています: {shown}\n"
        "どちらの予約もキャンセルされていません。どちらかを調整してください。\n\n"
        f'Events imported from "{calendar_import.name}" fall on dates {unit_en} is already fully booked '
        f"here: {shown}\nNothing was cancelled on either side; please move one of them.\n"
    )
    _send(calendar_import, subject, body)


def _email_paused(*, import_id: int) -> None:
    calendar_import = CalendarImport.objects.select_related("unit__facility").get(pk=import_id)
    subject = (
        f"カレンダー取り込みを停止しました: {calendar_import.name} / Calendar import paused: {calendar_import.name}"
    )
    body = (
        f"「{calendar_import.name}」の取り込みが{MAX_CONSECUTIVE_FAILURES}回続けて失敗したため停止しました。"
        f"最後のエラー: {calendar_import.last_error}\nURLを確認して、有効に戻してください。\n\n"
        f'The calendar import "{calendar_import.name}" failed {MAX_CONSECUTIVE_FAILURES} times in a row and '
        f"was paused. Last error: {calendar_import.last_error}\nCheck its URL and enable it again.\n"
    )
    _send(calendar_import, subject, body)
