"""The Celery app: `celery -A backend worker -B` runs the periodic tasks (expiring unpaid holds every minute,
marking finished stays completed and dropping expired refresh tokens every night, syncing calendar imports
every CALENDAR_IMPORT_MINUTES, reminding visitors of tomorrow's consultations every hour, emailing the surveys of
stays that ended every morning)."""

import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.base")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "expire-booking-holds": {"task": "payments.expire_holds", "schedule": 60.0},
    "complete-finished-stays": {"task": "bookings.complete_stays", "schedule": crontab(hour=3, minute=5)},
    "sync-calendar-imports": {
        "task": "bookings.sync_calendar_imports",
        "schedule": 60.0 * settings.CALENDAR_IMPORT_MINUTES,
    },
    "flush-expired-tokens": {"task": "accounts.flush_expired_tokens", "schedule": crontab(hour=4, minute=15)},
    # Hourly, so a consultation booked late for tomorrow still gets its reminder; each is sent once.
    "remind-consultations": {"task": "consultations.remind", "schedule": crontab(minute=0)},
    # The day after check-out: emails the visitor the stay's survey, once per booking.
    "email-due-surveys": {"task": "outcomes.surveys_due", "schedule": crontab(hour=10, minute=0)},
}
