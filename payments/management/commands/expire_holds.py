"""Releases the units of unpaid bookings whose hold expired; meant for cron, every minute."""

from django.core.management.base import BaseCommand

from payments.sweeps import payments_expire_holds


class Command(BaseCommand):
    help = "Release expired payment holds, cancel their Stripe PaymentIntents and resend unacknowledged refunds."

    def handle(self, *args, **options):
        expired = payments_expire_holds()
        self.stdout.write(f"{expired} hold(s) expired")
