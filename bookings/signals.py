"""Deletions a calendar feed must notice. A removed closure leaves no row to date the change by, and closures
also go in the admin and by cascade (a unit removed), past services; so the feeds showing it are marked here."""

from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from .models import CalendarFeed, Closure


@receiver(post_delete, sender=Closure, dispatch_uid="bookings.closure_deleted")
def closure_deleted(sender, instance: Closure, **kwargs) -> None:
    CalendarFeed.objects.filter(Q(unit_id=instance.unit_id) | Q(facility__units__id=instance.unit_id)).update(
        changed_at=timezone.now()
    )
