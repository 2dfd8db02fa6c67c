"""Periodic payment work for Celery beat: expiring unpaid holds and resending unacknowledged refunds."""

from celery import shared_task

from .sweeps import payments_expire_holds


@shared_task(name="payments.expire_holds", ignore_result=True)
def expire_holds() -> int:
    return payments_expire_holds()
