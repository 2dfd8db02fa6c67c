"""Periodic booking work for Celery beat: marking finished stays completed."""
from celery import shared_task

from .services import bookings_complete


@shared_task(name="bookings.complete_stays", ignore_result=True)
def complete_stays() -> int:
    return bookings_complete()
