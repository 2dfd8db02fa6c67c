"""What happened after the stays: the visitors' after-stay surveys and their moves to the towns."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SURVEY_COMMENT_MAX_LENGTH = 1000


class Survey(models.Model):
    """One visitor's answer about one finished stay: why they came, how it went, whether they mean to move."""

    class Purpose(models.TextChoices):
        CONSIDERING_MOVE = "considering_move", _("considering a move")
        REMOTE_WORK_TRIAL = "remote_work_trial", _("trying remote work")
        SIGHTSEEING = "sightseeing", _("sightseeing")
        VISITING_FAMILY = "visiting_family", _("visiting family or friends")
        OTHER = "other", _("other")

    class Intention(models.TextChoices):
        WITHIN_A_YEAR = "within_a_year", _("within a year")
        LATER = "later", _("later")
        UNDECIDED = "undecided", _("undecided")
        NO = "no", _("no")

    class Language(models.TextChoices):
        JA = "ja", "日本語"
        EN = "en", "English"

    booking = models.OneToOneField("bookings.Booking", on_delete=models.PROTECT, related_name="survey")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="surveys")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    satisfaction = models.PositiveSmallIntegerField(help_text=_("1 (poor) to 5 (excellent)."))
    intention = models.CharField(
        max_length=20, choices=Intention.choices, help_text=_("Whether the household means to move to the town.")
    )
    comment = models.CharField(max_length=SURVEY_COMMENT_MAX_LENGTH, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.JA)
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("survey answer")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="survey_satisfaction_1_to_5"
            ),
        ]

    def __str__(self):
        return f"survey of booking #{self.booking_id}"


class SurveyInvitation(models.Model):
    """The email asking for a booking's survey was sent: the unique booking makes it go once."""

    booking = models.OneToOneField("bookings.Booking", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("survey invitation")


class Move(models.Model):
    """A household (a visitor) moved to a town on the platform. Reported by the visitor and confirmed by the
    town's staff, or recorded by the staff themselves (confirmed at once). Only confirmed moves count."""

    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moves")
    municipality = models.ForeignKey(
        "facilities.Municipality", on_delete=models.PROTECT, related_name="+", help_text=_("The town moved to.")
    )
    moved_on = models.DateField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-moved_on", "-id"]
        verbose_name = _("move")
        indexes = [models.Index(fields=["municipality", "visitor"], name="move_town_visitor")]
        constraints = [
            models.UniqueConstraint(fields=["visitor", "municipality", "moved_on"], name="move_once_per_date"),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True, confirmed_at__isnull=True)
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="move_confirmed_by_and_at",
            ),
        ]

    def __str__(self):
        return f"move of {self.visitor_id} to {self.municipality_id} on {self.moved_on}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
