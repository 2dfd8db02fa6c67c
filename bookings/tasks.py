"""Periodic booking work for Celery beat: marking finished stays completed, syncing calendar imports."""

from celery import shared_task

from .imports import calendar_imports_sync_all
from .services import bookings_complete


@shared_task(name="bookings.complete_stays", ignore_result=True)
def complete_stays() -> int:
    return bookings_complete()


@shared_task(name="bookings.sync_calendar_imports", ignore_result=True)
def sync_calendar_imports() -> dict:
    return calendar_imports_sync_all()
