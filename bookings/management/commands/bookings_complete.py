"""Marks confirmed bookings whose stay is over as completed; run once a day (cron or Celery beat)."""

from django.core.management.base import BaseCommand

from bookings.services import bookings_complete


class Command(BaseCommand):
    help = "Marks confirmed bookings whose check-out day has come as completed."

    def handle(self, *args, **options):
        self.stdout.write(f"{bookings_complete()} bookings completed")
