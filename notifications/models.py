"""The visitor's phones and browsers that receive pushes, what each notification kind may send, and which
once-only notifications (a hold about to expire) went out."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Each notification a user can switch on or off, for push and for email; its data payload is {type, id}."""

    BOOKING_CONFIRMED = "booking_confirmed", _("booking confirmed")
    BOOKING_CANCELLED = "booking_cancelled", _("booking cancelled")
    HOLD_EXPIRING = "hold_expiring", _("hold expiring in 5 minutes")
    APPLICATION_GRANTED = "application_granted", _("application granted")
    APPLICATION_REFUSED = "application_refused", _("application refused")
    CONSULTATION_TOMORROW = "consultation_tomorrow", _("consultation tomorrow")
    SURVEY_DUE = "survey_due", _("survey due")
    CLAIM_APPROVED = "claim_approved", _("claim approved")
    CLAIM_REJECTED = "claim_rejected", _("claim rejected")
    CLAIM_PAID = "claim_paid", _("claim paid")
    IMPORT_CONFLICT = "import_conflict", _("calendar import conflict")


class Device(models.Model):
    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"
        WEB = "web", "Web"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    # The FCM registration token: one device, whoever signed in on it last.
    token = models.CharField(max_length=512, unique=True)
    # The app's language when it registered (Accept-Language): pushes are written in it.
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="ja")
    # False once FCM answered UNREGISTERED (the app was removed): nothing is sent to it any more.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("device")

    def __str__(self):
        return f"{self.platform} device of user #{self.user_id}"


class Preference(models.Model):
    """One kind switched for one user; without a row, both push and email are on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    push = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]


class Sent(models.Model):
    """A notification sent at most once per object (the hold's reminder, whichever worker sees it first)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "object_id"], name="notification_sent_once")]
