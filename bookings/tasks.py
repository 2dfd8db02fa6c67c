"""Booking work on the Celery worker: marking finished stays completed, syncing calendar imports (periodically,
each import a task of its own with its own time limit, and when an operator asks for a sync now)."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction

from . import imports
from .models import CalendarImport, CalendarImportSync
from .services import bookings_complete

# One import's sync on the worker: the fetch's deadline (25 s) and the expansion's CPU budget (5 s) end it well
# before; the limits stop whatever else would not end (a server dripping its headers, a database wait).
IMPORT_SOFT_SECONDS = 60
IMPORT_HARD_SECONDS = 75


@shared_task(name="bookings.complete_stays", ignore_result=True)
def complete_stays() -> int:
    return bookings_complete()


@shared_task(name="bookings.sync_calendar_imports", ignore_result=True)
def sync_calendar_imports() -> int:
    """Queues a sync of every import that is due, each a task of its own; returns how many were queued."""
    due = imports.calendar_imports_due()
    for import_id in due:
        sync_calendar_import.delay(import_id=import_id)
    return len(due)


@shared_task(
    name="bookings.sync_calendar_import",
    ignore_result=True,
    soft_time_limit=IMPORT_SOFT_SECONDS,
    time_limit=IMPORT_HARD_SECONDS,
)
def sync_calendar_import(*, import_id: int | None = None, sync_id: int | None = None) -> None:
    """One import's sync: a due one (import_id) or one an operator asked for (sync_id)."""
    try:
        if sync_id is not None:
            imports.calendar_import_sync_run(sync_id=sync_id)
        elif import_id is not None:
            imports.calendar_import_sync_due(import_id=import_id)
    except SoftTimeLimitExceeded:
        imports.calendar_import_out_of_time(import_id=import_id, sync_id=sync_id)


def calendar_import_sync_queue(*, calendar_import: CalendarImport) -> CalendarImportSync:
    """Records a sync asked for now and queues it on the worker once the request's transaction has committed.
    Without a broker (cron deployments) the sync stays queued, and the next `manage.py sync_calendar_imports` runs
    it; the failure to queue is logged, not the request's."""
    sync = imports.calendar_import_sync_request(calendar_import=calendar_import)
    transaction.on_commit(lambda: sync_calendar_import.delay(sync_id=sync.pk), robust=True)
    return sync
