"""Sends the day-before reminder of tomorrow's consultations, once each; run hourly (cron or Celery beat)."""

from django.core.management.base import BaseCommand

from consultations.services import consultations_remind


class Command(BaseCommand):
    help = "Emails visitors whose consultation is tomorrow (Asia/Tokyo), once per consultation."

    def handle(self, *args, **options):
        self.stdout.write(f"{consultations_remind()} reminders sent")
