"""Syncs every enabled calendar import once; run every CALENDAR_IMPORT_MINUTES (cron or Celery beat)."""

from django.core.management.base import BaseCommand

from bookings.imports import calendar_imports_sync_all


class Command(BaseCommand):
    help = "Fetches every enabled calendar import (Airbnb, Booking.com, Google...) and updates its blocks."

    def handle(self, *args, **options):
        outcome = calendar_imports_sync_all()
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(outcome.items())) or "none"
        self.stdout.write(f"calendar imports synced ({summary})")
