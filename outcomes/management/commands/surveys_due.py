"""Emails visitors whose stay ended the day before (or up to two weeks before) the survey about it, once per
booking; run once a day (cron or Celery beat)."""

from django.core.management.base import BaseCommand

from outcomes.services import surveys_due_send


class Command(BaseCommand):
    help = "Emails each visitor whose stay has ended and who has not answered its survey, once per booking."

    def handle(self, *args, **options):
        self.stdout.write(f"{surveys_due_send()} survey emails sent")
