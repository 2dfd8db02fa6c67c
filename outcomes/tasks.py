"""Periodic outcome work for Celery beat: the survey emails of stays that ended."""

from celery import shared_task

from .services import surveys_due_send


@shared_task(name="outcomes.surveys_due", ignore_result=True)
def surveys_due() -> int:
    return surveys_due_send()
