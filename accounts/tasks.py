"""Periodic account work for Celery beat: dropping refresh tokens that have expired from the blacklist tables."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="accounts.flush_expired_tokens", ignore_result=True)
def flush_expired_tokens() -> None:
    # simplejwt's own command, which cron runs where there is no Celery (README, "Periodic jobs").
    call_command("flushexpiredtokens")
