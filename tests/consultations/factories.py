"""Factories for consultation tests: slots of Saku relative to now."""

import datetime as dt

import factory
from django.utils import timezone

from consultations.models import Consultation, ConsultationSlot
from tests.factories import VisitorFactory, saku


def at(days: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """`days` from today (Asia/Tokyo) at hour:minute, Japan time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultationSlot

    municipality = factory.LazyFunction(saku)
    starts_at = factory.LazyFunction(lambda: at(7))
    minutes = 60
    mode = ConsultationSlot.Mode.IN_PERSON
    place = "佐久市移住交流センター"
    capacity = 1


class OnlineSlotFactory(SlotFactory):
    mode = ConsultationSlot.Mode.ONLINE
    place = ""
    meeting_url = "https://meet.example.jp/saku-123"


class ConsultationFactory(factory.django.DjangoModelFactory):
    """A consultation written directly (for slots in the past, which the API refuses to book)."""

    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    slot = factory.SubFactory(SlotFactory)
    visitor = factory.SubFactory(VisitorFactory)

    @factory.post_generation
    def count_it(obj, create, extracted, **kwargs):
        if create and obj.status != Consultation.Status.CANCELLED:
            ConsultationSlot.objects.filter(id=obj.slot_id).update(booked=obj.slot.booked + 1)
            obj.slot.refresh_from_db()
