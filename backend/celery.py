"""The Celery app: `celery -A backend worker -B` runs the periodic tasks (expiring payment holds every minute)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.base")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "expire-booking-holds": {"task": "payments.expire_holds", "schedule": 60.0},
}
