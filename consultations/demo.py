"""Demo consultation slots: Saku's staff meet visitors at the 移住交流センター and online (リモート市役所) on
weekdays in the coming weeks. Slots are made only while the town has no future ones, so running it again
duplicates nothing."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User

from . import services
from .models import ConsultationSlot

CENTRE = "佐久市移住交流センター（佐久平駅前）"
# (days from today, start, minutes, mode, capacity)
SLOTS = [
    (3, time(10, 0), 60, ConsultationSlot.Mode.IN_PERSON, 2),
    (5, time(14, 0), 45, ConsultationSlot.Mode.ONLINE, 1),
    (10, time(10, 0), 60, ConsultationSlot.Mode.IN_PERSON, 2),
    (12, time(16, 0), 45, ConsultationSlot.Mode.ONLINE, 1),
    (17, time(13, 30), 60, ConsultationSlot.Mode.IN_PERSON, 2),
    (32, time(10, 0), 60, ConsultationSlot.Mode.IN_PERSON, 2),
]


def _weekday(day):
    """The town's office is open on weekdays: a weekend date moves to the Monday after."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def seed(*, staff: User) -> list[ConsultationSlot]:
    assert staff.municipality_id is not None  # staff always have one (constraint staff_has_municipality)
    if ConsultationSlot.objects.filter(municipality_id=staff.municipality_id, starts_at__gt=timezone.now()).exists():
        return []
    today = timezone.localdate()
    made: list[ConsultationSlot] = []
    for days, start, minutes, mode, capacity in SLOTS:
        starts_at = timezone.make_aware(datetime.combine(_weekday(today + timedelta(days=days)), start))
        online = mode == ConsultationSlot.Mode.ONLINE
        made.append(
            services.slot_create(
                staff=staff,
                starts_at=starts_at,
                minutes=minutes,
                mode=mode,
                capacity=capacity,
                place="" if online else CENTRE,
                meeting_url=f"https://meet.example.jp/saku-remote-office-{len(made) + 1}" if online else "",
            )
        )
    return made
