"""Periodic consultation work for Celery beat: the day-before reminders."""

from celery import shared_task

from .services import consultations_remind


@shared_task(name="consultations.remind", ignore_result=True)
def remind() -> int:
    return consultations_remind()
