"""The Celery app: `celery -A backend worker -B` runs the periodic tasks (expiring unpaid holds every minute,
marking finished stays completed and dropping expired refresh tokens every night)."""
import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.base")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "expire-booking-holds": {"task": "payments.expire_holds", "schedule": 60.0},
    "complete-finished-stays": {"task": "bookings.complete_stays", "schedule": crontab(hour=3, minute=5)},
    "flush-expired-tokens": {"task": "accounts.flush_expired_tokens", "schedule": crontab(hour=4, minute=15)},
}
