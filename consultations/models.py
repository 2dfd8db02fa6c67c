"""Consultations with a town's migration staff: slots the staff publish and the visitors' bookings of them."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# A consultation lasts at most a working day.
MAX_MINUTES = 480


class ConsultationSlot(models.Model):
    """A time the town's staff offer, in person (at `place`) or online (at `meeting_url`), to `capacity`
    visitors. `booked` counts the live consultations and is only changed under the slot's row lock."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")

    municipality = models.ForeignKey(
        "facilities.Municipality", on_delete=models.PROTECT, related_name="consultation_slots"
    )
    starts_at = models.DateTimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(_("length in minutes"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    meeting_url = models.URLField(_("meeting URL"), max_length=500, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bumped when its time or place changes, for calendar apps (iCal SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("consultation slot")
        indexes = [models.Index(fields=["municipality", "starts_at"], name="consult_slot_town_start")]
        constraints = [
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="consultation_slot_never_overbooked"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="consultation_slot_capacity_positive"),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MAX_MINUTES), name="consultation_slot_minutes_in_range"
            ),
            models.CheckConstraint(
                condition=Q(mode="in_person") | ~Q(meeting_url=""), name="consultation_slot_online_has_url"
            ),
        ]

    def __str__(self):
        return f"{self.municipality_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.minutes)


class Consultation(models.Model):
    """One visitor's place in a slot."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        CANCELLED = "cancelled", _("cancelled")
        ATTENDED = "attended", _("attended")
        MISSED = "missed", _("missed")

    LIVE_STATUSES = (Status.BOOKED, Status.ATTENDED, Status.MISSED)

    slot = models.ForeignKey(ConsultationSlot, on_delete=models.CASCADE, related_name="consultations")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    # The visitor's language when booking: the emails about it are written in it.
    language = models.CharField(max_length=5, default="ja")
    cancel_reason = models.CharField(max_length=500, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change, for calendar apps (iCal SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("consultation")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "visitor"],
                condition=~Q(status="cancelled"),
                name="consultation_once_per_visitor_and_slot",
            ),
        ]

    def __str__(self):
        return f"{self.visitor_id} @ {self.slot_id} ({self.status})"
